/**
 * fMP4 hot path: writing and parsing one fragment per frame. Prints a markdown section.
 * Run through `npm run bench`.
 */
import { parseFragment, writeFragment } from '../src/index';

function sample(size: number): Uint8Array {
  const s = new Uint8Array(size);
  new DataView(s.buffer).setUint32(0, size - 4);
  s[4] = 0x41;
  return s;
}

/** Median over 7 batches of µs per call (batches smooth out GC pauses and other load). */
function timeIt(iterations: number, fn: () => void): number {
  for (let i = 0; i < Math.min(1000, iterations); i++) fn(); // warm up
  const batches: number[] = [];
  const perBatch = Math.ceil(iterations / 7);
  for (let b = 0; b < 7; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    batches.push(((performance.now() - t0) * 1000) / perBatch);
  }
  return batches.sort((x, y) => x - y)[3];
}

const rows: string[] = [];
for (const size of [1_000, 30_000, 150_000]) {
  const s = sample(size);
  let seq = 1;
  const write = timeIt(20_000, () => {
    writeFragment({ sequenceNumber: seq++, baseMediaDecodeTime: seq * 18000, duration: 18000, isSync: false, sample: s, captureTimeMs: 1.7e12 });
  });
  const fragment = writeFragment({ sequenceNumber: 1, baseMediaDecodeTime: 0, duration: 18000, isSync: true, sample: s, captureTimeMs: 1.7e12 });
  const parse = timeIt(50_000, () => parseFragment(fragment));
  const overhead = fragment.byteLength - size;
  const copyOnly = timeIt(20_000, () => new Uint8Array(size + overhead).set(s, overhead));
  rows.push(`| ${size.toLocaleString('en')} | ${write.toFixed(2)} | ${copyOnly.toFixed(2)} | ${(write / copyOnly).toFixed(2)} | ${parse.toFixed(2)} | ${overhead} |`);
}

console.log(`## fMP4 fragment writer and parser (libs/fmp4/bench/fmp4.bench.ts)

One \`prft\` + \`moof\` + \`mdat\` per frame. "copy only" is allocating the output and copying the sample:
the floor for any writer that returns one buffer; the ratio shows what the box writing adds.
The parser reads boxes in place (no copy), so its cost does not grow with the sample size.

| sample bytes | write µs | copy only µs | write / copy | parse µs | box overhead bytes |
|---|---|---|---|---|---|
${rows.join('\n')}`);
