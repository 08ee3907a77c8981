/**
 * Writes the seed corpus fuzz/corpus/<target>/ (small files, committed): valid inputs of
 * every shape, so the fuzzer starts deep in the parsers, plus small forms of the hostile
 * inputs of libs/fmp4/src/testing/hostile.ts. Inputs that once failed are added by hand as
 * fuzz/corpus/<target>/regression-<what> and are never overwritten here.
 *
 *   npx esbuild fuzz/tools/make-seeds.ts --bundle --platform=node --packages=external \
 *     --tsconfig=tsconfig.base.json --outfile=tmp/fuzz/make-seeds.cjs && node tmp/fuzz/make-seeds.cjs
 */
/* eslint-disable @nx/enforce-module-boundaries -- seeds reuse libs/fmp4's test-only builders (src/testing), which the package does not export */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAvcC, writeFragment, writeInitSegment } from '@vigil/fmp4';
import { MediaFlags, MediaKind, encodeControl, encodeMediaMessage, type ControlMessage } from '@vigil/protocol';
import { AVCC, SPS, PPS } from '../../libs/fmp4/src/testing/fixtures';
import {
  avcCWithParameterSets,
  deepNestingFragment,
  hugeDeclaredSizes,
  initSegmentOfSize,
  manySizedSamplesFragment,
  manyTinyBoxesFragment,
  manyTinyBoxesInitSegment,
  zeroSizeSamplesFragment,
} from '../../libs/fmp4/src/testing/hostile';

const root = path.resolve(__dirname, '../..');
function seed(target: string, name: string, bytes: Uint8Array | string): void {
  const dir = path.join(root, 'fuzz/corpus', target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), bytes);
}

const sample = (size: number, idr: boolean): Uint8Array => {
  const s = new Uint8Array(size);
  new DataView(s.buffer).setUint32(0, size - 4);
  s[4] = idr ? 0x65 : 0x41;
  return s;
};
const fragment = (seq: number, idr: boolean, captureTimeMs?: number) =>
  writeFragment({ sequenceNumber: seq, baseMediaDecodeTime: seq * 18000, duration: 18000, isSync: idr, sample: sample(24, idr), captureTimeMs });
const init = writeInitSegment({ width: 1280, height: 720, avcC: AVCC });

// libs/fmp4 parseFragment
seed('fmp4-fragment', 'valid-join-prft', fragment(2, true, 1.7e12));
seed('fmp4-fragment', 'valid-delta', fragment(3, false));
seed('fmp4-fragment', 'hostile-zero-size-samples', zeroSizeSamplesFragment(256));
seed('fmp4-fragment', 'hostile-sized-samples', manySizedSamplesFragment(600));
seed('fmp4-fragment', 'hostile-tiny-boxes', manyTinyBoxesFragment(800));
seed('fmp4-fragment', 'hostile-deep-nesting', deepNestingFragment(400));
seed('fmp4-fragment', 'hostile-huge-sizes', hugeDeclaredSizes(64));

// libs/fmp4 parseInitSegment
seed('fmp4-init-segment', 'valid-1280x720', init);
seed('fmp4-init-segment', 'valid-avcC-from-sps-pps', writeInitSegment({ width: 1920, height: 1080, avcC: buildAvcC(SPS, PPS), trackId: 2 }));
seed('fmp4-init-segment', 'hostile-4097-wide', initSegmentOfSize(4097, 1080));
seed('fmp4-init-segment', 'hostile-tiny-boxes', manyTinyBoxesInitSegment(1400));
seed('fmp4-init-segment', 'valid-avcC-4-sps-4-pps', writeInitSegment({ width: 640, height: 480, avcC: avcCWithParameterSets(4, 4) }));

// libs/protocol decodeMediaMessage
seed('protocol-media', 'init-sentinel', encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 }, init));
seed('protocol-media', 'join-sentinel', encodeMediaMessage({ kind: MediaKind.Fragment, flags: MediaFlags.Join, channel: 0, sequence: 2 }, fragment(2, true, 1.7e12)));
seed('protocol-media', 'replay-proctor', encodeMediaMessage({ kind: MediaKind.Fragment, flags: MediaFlags.Join | MediaFlags.Replay, channel: 7, sequence: 2 ** 53 - 1 }, fragment(3, true)));

// libs/protocol control parsers: one valid example of every message type
const summary = {
  streamId: 's-1', examId: 'exam-2026-math', seatId: 'A:12', state: 'live', encoder: 'webcodecs', codec: 'avc1.42C01F',
  width: 1280, height: 720, fps: 1, startedAtMs: 1_790_000_000_000, lastFragmentAtMs: 1_790_000_012_345.5,
  bytesReceived: 123_456, bitrateBps: 480_000, viewers: 2,
};
const hello = {
  type: 'hello', protocol: 1, token: 'seat-token_9f8e7d', examId: 'exam-2026-math', seatId: 'A:12', encoder: 'webcodecs',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0', capabilities: { encoders: ['webcodecs', 'openh264-wasm'] },
};
const controls: Record<string, unknown> = {
  hello,
  'hello-resume': { ...hello, streamId: 's-1', uploadOnly: true },
  status: { type: 'status', fps: 0.2, width: 0, height: 0, encoder: 'webcodecs', queueDepth: 3, queueBytes: 12_000, bytesSent: 9e12, keyframes: 0 },
  gap: { type: 'gap', fromMs: 1_790_000_000_000, toMs: 1_790_000_005_000, reason: 'capture-stopped' },
  welcome: { type: 'welcome', protocol: 1, streamId: 's-1', lastAckedSequence: 0, fps: 1 },
  ack: { type: 'ack', sequence: 2 ** 53 - 1 },
  keyframe: { type: 'keyframe', reason: 'viewer-join' },
  'set-fps': { type: 'set-fps', fps: 5, reason: 'load' },
  stop: { type: 'stop', reason: 'exam-over', message: 'The exam window ended at 12:00; recording has stopped.' },
  error: { type: 'error', code: 'sequence-gap', message: 'expected 8, got 10', fatal: true },
  subscribe: { type: 'subscribe', streamId: 's-1' },
  unsubscribe: { type: 'unsubscribe', channel: 4_294_967_295 },
  streams: { type: 'streams', streams: [summary, { ...summary, streamId: 's-2', codec: null, lastFragmentAtMs: null, state: 'ended' }] },
  subscribed: { type: 'subscribed', streamId: 's-1', channel: 1, codec: 'avc1.42C01F', width: 1280, height: 720 },
  unsubscribed: { type: 'unsubscribed', channel: 1, reason: 'too-slow' },
};
for (const [name, message] of Object.entries(controls)) {
  let text: string;
  try {
    text = encodeControl(message as ControlMessage);
  } catch (e) {
    // Shapes change; a seed that no longer validates is still a useful near-miss.
    console.error(`seed ${name} does not validate (${(e as Error).message.slice(0, 120)}); kept as raw JSON`);
    text = JSON.stringify(message);
  }
  seed('protocol-control', name, text);
}

// sentinel-session scripts (see sentinel-session.fuzz.ts): op 2 init, 3 join fragment, 4 fragment;
// operands: sequence delta (1 = next), frame skip, number of byte overwrites.
seed('sentinel-session', 'init-join-deltas', new Uint8Array([2, 1, 0, 3, 1, 0, 0, 4, 1, 0, 0, 4, 1, 0, 0]));
seed('sentinel-session', 'gap-and-resend', new Uint8Array([2, 1, 0, 3, 1, 0, 0, 4, 3, 0, 0, 4, 0, 0, 0]));
seed('sentinel-session', 'text-status', Buffer.concat([Buffer.from([0, 40]), Buffer.from(JSON.stringify(controls['status'])).subarray(0, 160)]));
seed('sentinel-session', 'corrupt-fragment', new Uint8Array([2, 1, 0, 3, 1, 0, 2, 0, 40, 7, 0, 90, 255]));
console.log('seeds written to fuzz/corpus/');
