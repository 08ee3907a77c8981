/**
 * Names of files in a stream's recording folder (pure).
 *
 * ```
 * <dataDir>/streams/<streamId>/
 *   meta.json                                   who/what: exam, seat, encoder, user agent, created at
 *   index.jsonl                                 append-only: one JSON line per init segment and per segment
 *   events.jsonl                                append-only: connects, disconnects, fps changes, keyframe requests
 *                                               (index.jsonl also holds `gap` lines: holes with their reason)
 *   000000000001-init.mp4                       init segment (ftyp + moov), sequence number 1
 *   000000000002-20261124T021500123Z.m4s        segment: join fragment seq 2 and every fragment to the next join
 * ```
 * Names sort by sequence number (12 digits, zero-padded) and carry the start time (UTC).
 */

import type { GapReason } from '@vigil/protocol';
import type { RecordingMeta } from '@vigil/api';

/** Stream ids are used as folder names: only these are accepted (no path separators, no dots first). */
export const STREAM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * @throws TypeError when the id could escape the data folder or is otherwise malformed
 */
export function assertSafeStreamId(streamId: string): void {
  if (!STREAM_ID_PATTERN.test(streamId)) {
    throw new TypeError(`streamId must match ${STREAM_ID_PATTERN} (got ${JSON.stringify(streamId).slice(0, 80)})`);
  }
}

/** `000000000042` for 42: 12 digits keep lexical order up to 10^12 units (6,300 years at 5 fps). */
export function paddedSequence(sequence: number): string {
  return String(sequence).padStart(12, '0');
}

/** `20261124T021500123Z`: UTC, milliseconds, no separators a file system could mind. */
export function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

export function initFileName(sequence: number): string {
  return `${paddedSequence(sequence)}-init.mp4`;
}

export function segmentFileName(sequence: number, startMs: number): string {
  return `${paddedSequence(sequence)}-${compactUtc(startMs)}.m4s`;
}

/** Segment and init files only; rejects anything else (used to validate HTTP paths). */
export const RECORDING_FILE_PATTERN = /^\d{12}-(init\.mp4|\d{8}T\d{9}Z\.m4s)$/;

/** One line of `index.jsonl`. */
export type IndexEntry =
  | { type: 'init'; sequence: number; file: string; width: number; height: number; codec: string; atMs: number }
  | {
      type: 'segment';
      sequence: number;
      file: string;
      /** Init file this segment decodes with. */
      init: string;
      /** True when the segment starts with a join fragment (IDR). */
      join: boolean;
      /** `tfdt` of the first fragment, 90 kHz ticks. */
      decodeTime: number;
      /** Capture wall clock of the first fragment (prft), else reception time, ms since the Unix epoch. */
      startMs: number;
    }
  | {
      /** A hole in the recording: no frames exist for [fromMs, toMs] (capture clock). */
      type: 'gap';
      /** The last sequence number before the hole (0 = before everything). */
      sequence: number;
      fromMs: number;
      toMs: number;
      reason: GapReason;
      /** Who knows of it: the Sentinel said so (`gap` message), or the server saw the capture clock jump. */
      source: 'sentinel' | 'server';
    };

/** Application metadata written once per stream (`meta.json`): the API's `RecordingMeta`. */
export type StreamMeta = RecordingMeta;
