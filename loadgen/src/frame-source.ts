/**
 * Loads the frames the synthetic Sentinels replay (I/O): a cached folder of recorded
 * fragments when it exists, else (for the default generated name) one made once with
 * ffmpeg and cached. Format: loadgen/README.md, "Frame cache".
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FragmentSourceOptions } from './cli-options';
import { ffmpegArgs, gopFrames, loopFrames, sentinelBitrateBps } from './encoding';
import { cacheFiles, frameSetFromAnnexB, frameSetFromFmp4, type FrameSet } from './frame-set';

/** The frames and where they came from. */
export interface LoadedFrames {
  set: FrameSet;
  /** The folder read. */
  dir: string;
  /** Made with ffmpeg by this run (false: read from the cache). */
  generated: boolean;
}

/**
 * Reads `o.dir`, or generates it first when it is missing and `o.generateIfMissing`.
 * @param fps frame rate the generated frames are encoded for
 * @param log progress notes for people
 * @throws Error when the folder is missing (and not generated), does not parse, or ffmpeg fails
 */
export async function loadFrames(o: FragmentSourceOptions, fps: number, log: (line: string) => void): Promise<LoadedFrames> {
  let generated = false;
  if (!existsSync(o.dir)) {
    if (!o.generateIfMissing) throw new Error(`no frame folder ${o.dir}: record one (see loadgen/README.md, "Frame cache") or leave out --fragments/--fragments-dir`);
    log(`generating ${loopFrames(fps)} frames of ${o.width}x${o.height} H.264 with ffmpeg into ${o.dir} (once; cached) …`);
    await generate(o, fps);
    generated = true;
  }
  return { set: await readFrameFolder(o.dir), dir: o.dir, generated };
}

/**
 * Reads a frame folder: the init segment (`init.mp4`, or the one `*-init.mp4` of a Vigil
 * recording folder) and every `*.m4s` in name order.
 * @throws Error when files are missing or do not parse
 */
export async function readFrameFolder(dir: string): Promise<FrameSet> {
  const names = (await readdir(dir)).sort();
  const inits = names.includes('init.mp4') ? ['init.mp4'] : names.filter((n) => n.endsWith('-init.mp4'));
  if (inits.length !== 1) {
    throw new Error(`${dir}: expected one init segment (init.mp4, or one *-init.mp4), found ${inits.length === 0 ? 'none' : inits.join(', ')}`);
  }
  const media = names.filter((n) => n.endsWith('.m4s'));
  if (media.length === 0) throw new Error(`${dir}: no *.m4s fragment files`);
  const init = new Uint8Array(await readFile(path.join(dir, inits[0]!)));
  const files = await Promise.all(media.map(async (n) => new Uint8Array(await readFile(path.join(dir, n)))));
  try {
    return frameSetFromFmp4(init, files);
  } catch (e) {
    throw new Error(`${dir}: ${(e as Error).message}`);
  }
}

/** Encodes with ffmpeg into a temporary folder beside `o.dir`, then renames it into place (atomic). */
async function generate(o: FragmentSourceOptions, fps: number): Promise<void> {
  const parent = path.dirname(o.dir);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(path.join(parent, `.${path.basename(o.dir)}.tmp-`));
  try {
    const h264 = path.join(tmp, 'stream.h264');
    try {
      execFileSync('ffmpeg', ffmpegArgs({ width: o.width, height: o.height, fps, outFile: h264 }), { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('ffmpeg is not installed (apt-get install ffmpeg): it makes the frames once, or record a frame folder (loadgen/README.md)');
      throw new Error(`ffmpeg failed: ${err.stderr?.toString().trim() ?? err.message}`);
    }
    const set = frameSetFromAnnexB(new Uint8Array(await readFile(h264)), { width: o.width, height: o.height });
    await rm(h264);
    for (const f of cacheFiles(set, fps)) await writeFile(path.join(tmp, f.name), f.bytes);
    await writeFile(
      path.join(tmp, 'source.json'),
      JSON.stringify(
        {
          format: 'vigil-loadgen-frames/1',
          source: 'ffmpeg lavfi testsrc2, libx264 Constrained Baseline',
          width: o.width,
          height: o.height,
          fps,
          gopFrames: gopFrames(fps),
          bitrateBps: sentinelBitrateBps(o.width, o.height, fps),
          frames: set.frames.length,
          codec: set.codec,
          createdAt: new Date().toISOString(),
        },
        null,
        2,
      ) + '\n',
    );
    try {
      await rename(tmp, o.dir);
    } catch (e) {
      if (!existsSync(o.dir)) throw e;
      await rm(tmp, { recursive: true, force: true }); // another run made it meanwhile
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
