import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, readBoxes } from '@vigil/fmp4';
import { probeFrames } from './ffprobe';

/**
 * What a stream folder holds, read straight from the files: the sequence number of every
 * init segment (from its name) and every fragment (its `mfhd`), in file order, and the number
 * of frames ffprobe decodes from all files joined (init segments and segments in name order).
 * @param streamDir `<dataDir>/streams/<streamId>`
 * @param scratch a file path for the joined MP4
 */
export async function recordingOnDisk(streamDir: string, scratch: string): Promise<{ sequences: number[]; decodedFrames: number }> {
  const files = (await readdir(streamDir)).filter((f) => /\.(m4s|mp4)$/.test(f)).sort();
  const sequences: number[] = [];
  const chunks: Buffer[] = [];
  for (const file of files) {
    const data = await readFile(path.join(streamDir, file));
    chunks.push(data);
    if (file.endsWith('-init.mp4')) {
      sequences.push(Number(file.slice(0, 12)));
      continue;
    }
    let start = 0;
    for (const box of readBoxes(new Uint8Array(data))) {
      if (box.type !== 'mdat') continue;
      sequences.push(parseFragment(new Uint8Array(data).subarray(start, box.end)).sequenceNumber);
      start = box.end;
    }
  }
  await writeFile(scratch, Buffer.concat(chunks));
  return { sequences, decodedFrames: probeFrames(scratch).frames.length };
}
