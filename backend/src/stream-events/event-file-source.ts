import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EventFileInfo, EventFileSource } from './event-track-index';

/** Errors that mean "no such file" for an event track (the recording is gone, or never had events). */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

function missing(e: unknown): boolean {
  return typeof e === 'object' && e !== null && MISSING.has(String((e as { code?: unknown }).code));
}

/**
 * The streams' `events.jsonl` files on disk for {@link EventTrackCache} (I/O).
 * @param streamDir a stream's folder; throws TypeError for an unsafe id (`RecordingStore.streamDir`)
 */
export function nodeEventFileSource(streamDir: (streamId: string) => string): EventFileSource {
  const file = (streamId: string) => path.join(streamDir(streamId), 'events.jsonl');
  return {
    async stat(streamId: string): Promise<EventFileInfo | null> {
      const name = file(streamId);
      try {
        const info = await stat(name, { bigint: true });
        return { size: Number(info.size), id: `${info.dev}:${info.ino}` };
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
    },
    async read(streamId: string, offset: number, length: number): Promise<Uint8Array> {
      const name = file(streamId);
      let handle;
      try {
        handle = await open(name, 'r');
      } catch (e) {
        if (missing(e)) return new Uint8Array(0);
        throw e;
      }
      try {
        const buffer = Buffer.alloc(Math.max(0, length));
        let done = 0;
        while (done < buffer.length) {
          const { bytesRead } = await handle.read(buffer, done, buffer.length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buffer.subarray(0, done);
      } finally {
        await handle.close();
      }
    },
  };
}
