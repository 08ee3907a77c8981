import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codecStringFromAvcC, fragmentsOfFile, parseInitSegment } from '@vigil/fmp4';
import type { EncodedVideo } from '../player/h264-source';

/** The bench cache of real fragments recorded from the Sentinel (`npm run bench:fragments`). */
export function recordedFragmentsDir(fps: number, encoder: 'webcodecs' | 'openh264-wasm' = 'webcodecs'): string {
  const cache = process.env['VIGIL_BENCH_CACHE'] ?? path.join(os.homedir(), '.cache/vigil/bench');
  return path.join(cache, 'fragments', `sentinel-desktop-1920x1080-${String(fps).replace('.', 'p')}fps-${encoder}`);
}

/**
 * Reads a folder of recorded fragments (a Vigil recording folder: one `*-init.mp4` and `*.m4s`
 * segment files in name order) as an {@link EncodedVideo} for {@link NodeSentinel}: the
 * avcC of the init segment and every sample, starting at the first IDR and cut after the last
 * whole GOP (a NodeSentinel loops its frames).
 * @throws Error when the folder is not one init segment and whole fragments
 */
export function loadRecordedVideo(dir: string): EncodedVideo {
  const names = readdirSync(dir).sort();
  const inits = names.filter((n) => n.endsWith('-init.mp4') || n === 'init.mp4');
  if (inits.length !== 1) throw new Error(`${dir}: expected one init segment, found ${inits.length}`);
  const init = parseInitSegment(readFileSync(path.join(dir, inits[0]!)));
  const frames: EncodedVideo['frames'] = [];
  for (const name of names.filter((n) => n.endsWith('.m4s'))) {
    for (const { info, samples } of fragmentsOfFile(readFileSync(path.join(dir, name)))) {
      info.samples.forEach((s, i) => frames.push({ sample: samples[i]!.slice(), isSync: s.isSync }));
    }
  }
  const first = frames.findIndex((f) => f.isSync);
  if (first < 0) throw new Error(`${dir}: no IDR frame`);
  let lastIdr = frames.length - 1;
  while (lastIdr > first && !frames[lastIdr]!.isSync) lastIdr--;
  // whole GOPs only: the loop restarts at an IDR (one GOP: all of it)
  const loop = frames.slice(first, lastIdr > first ? lastIdr : frames.length);
  const avcC = init.avcC.slice();
  return { width: init.width, height: init.height, avcC, codec: codecStringFromAvcC(avcC), frames: loop };
}
