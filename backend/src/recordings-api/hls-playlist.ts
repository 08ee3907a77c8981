import type { RecordingStore } from '../recording/recording-store';
import { TICKS_PER_SECOND } from '../relay/media-unit';

/** One media segment of an HLS playlist (a stored segment file: a join fragment and what follows). */
export interface HlsSegment {
  /** URI of the segment, relative to the playlist. */
  uri: string;
  /** URI of the init segment it decodes with (`EXT-X-MAP`). */
  mapUri: string;
  /** Media duration, seconds (from the fragments' decode times). */
  durationSeconds: number;
  /** Capture time of its first frame (`prft`), ms since the Unix epoch (`EXT-X-PROGRAM-DATE-TIME`). */
  programDateTimeMs: number;
  /** True when a gap or an init change (resolution, SPS/PPS) comes before it (`EXT-X-DISCONTINUITY`). */
  discontinuity: boolean;
}

/** Options of {@link buildMediaPlaylist}. */
export interface PlaylistOptions {
  /** `EVENT` while the stream is live (segments are only appended), `VOD` once it ended (`EXT-X-ENDLIST`). */
  type: 'EVENT' | 'VOD';
}

/**
 * Writes an HLS media playlist over stored fMP4 segments (pure), per RFC 8216 (and its
 * revision draft-pantos-hls-rfc8216bis): `EXT-X-VERSION:7` (fMP4 with `EXT-X-MAP`), one
 * `EXT-X-MAP` wherever the init segment changes, `EXT-X-DISCONTINUITY` at init changes and
 * gaps, `EXT-X-PROGRAM-DATE-TIME` on every segment (the wall clock of its first frame, so a
 * player can seek to "10:42"), `EXTINF` from the decode times (three decimals),
 * `EXT-X-TARGETDURATION` the longest rounded up (§4.3.3.1), `EXT-X-INDEPENDENT-SEGMENTS`
 * (each segment starts with an IDR picture).
 * @throws RangeError for a negative or non-finite duration
 */
export function buildMediaPlaylist(segments: readonly HlsSegment[], options: PlaylistOptions): string {
  let target = 1;
  for (const s of segments) {
    if (!(s.durationSeconds >= 0) || !Number.isFinite(s.durationSeconds)) throw new RangeError(`segment ${s.uri}: duration must be a finite number >= 0`);
    target = Math.max(target, Math.round(s.durationSeconds));
  }
  // RFC 8216 §4.3.3.1: each EXTINF rounded to the nearest integer must be <= the target duration
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${options.type}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  let map: string | null = null;
  for (const s of segments) {
    if (s.discontinuity && map !== null) lines.push('#EXT-X-DISCONTINUITY');
    if (s.mapUri !== map) {
      lines.push(`#EXT-X-MAP:URI="${quoted(s.mapUri)}"`);
      map = s.mapUri;
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTimeMs).toISOString()}`);
    lines.push(`#EXTINF:${s.durationSeconds.toFixed(3)},`);
    lines.push(s.uri);
  }
  if (options.type === 'VOD') lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** A quoted-string attribute value may not hold `"` or line breaks (RFC 8216 §4.2). */
function quoted(value: string): string {
  if (/["\r\n]/.test(value)) throw new RangeError(`URI ${JSON.stringify(value)} cannot be quoted in a playlist`);
  return value;
}

/**
 * The HLS media playlist of a stored recording between `fromMs` and `toMs` (see
 * {@link buildMediaPlaylist}). Durations come from the decode times of consecutive segments;
 * a segment followed by a gap, an init change or nothing is scanned for its last fragment.
 * While `live`, the newest segment (still growing) is left out and the playlist is `EVENT`.
 * Segment URIs are `files/<file>`, relative to the playlist's own URL.
 */
export async function recordingPlaylist(store: RecordingStore, streamId: string, fromMs: number, toMs: number, live: boolean): Promise<string> {
  const timeline = await store.timeline(streamId);
  const { segments } = timeline.range(fromMs, toMs);
  const whole = timeline.range(0, Number.MAX_SAFE_INTEGER);
  const all = whole.segments;
  const position = new Map(all.map((s, i) => [s, i]));
  const newest = all[all.length - 1];
  const listed = live && newest ? segments.filter((s) => s !== newest) : segments;
  const gapAfter = (a: number, b: number) => whole.gaps.some((g) => g.afterSequence >= a && g.afterSequence < b);
  const out: HlsSegment[] = [];
  for (let i = 0; i < listed.length; i++) {
    const s = listed[i];
    const next = all[(position.get(s) ?? all.length) + 1];
    const contiguous = next !== undefined && next.init === s.init && !gapAfter(s.sequence, next.sequence);
    const end = contiguous ? next.decodeTime : await store.segmentMediaEnd(streamId, s.file);
    const previous = i > 0 ? listed[i - 1] : null;
    out.push({
      uri: `files/${s.file}`,
      mapUri: `files/${s.init}`,
      durationSeconds: Math.max(0, end - s.decodeTime) / TICKS_PER_SECOND,
      programDateTimeMs: s.startMs,
      discontinuity: previous !== null && (previous.init !== s.init || gapAfter(previous.sequence, s.sequence)),
    });
  }
  return buildMediaPlaylist(out, { type: live ? 'EVENT' : 'VOD' });
}
