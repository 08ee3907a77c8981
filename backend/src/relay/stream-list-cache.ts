import { auditTime, share, type Observable } from 'rxjs';
import { MAX_SERVER_TEXT_MESSAGE_BYTES, streamSummarySchema, utf8ByteLength, type StreamSummary } from '@vigil/protocol';
import type { LiveStream } from './live-stream';

/** What the cache needs of the stream registry ({@link StreamRegistry} is one). */
export interface StreamListSource {
  list(): LiveStream[];
  /** Emits whenever any stream's summary may have changed. */
  readonly changed$: Observable<void>;
}

/** One stream of a {@link StreamListSnapshot}: its summary, validated and serialised once. */
export interface ListedStream {
  readonly stream: LiveStream;
  readonly summary: StreamSummary;
  /** The summary as JSON (exactly what `encodeControl` puts in a `streams` list), or null when invalid. */
  readonly json: string | null;
  /** Why the summary is invalid (the schema's message), or null. */
  readonly error: string | null;
}

/** Every stream of the registry at one moment, each summary validated and serialised once. */
export interface StreamListSnapshot {
  /** Registry order (creation order). */
  readonly streams: readonly ListedStream[];
  /** When the summaries were taken, ms (the cache's clock). */
  readonly atMs: number;
  /**
   * The `streams` message of every valid stream of the snapshot (what a Proctor who may see
   * everything gets), built on first use and then shared by every such Proctor.
   * @throws RangeError when it is over {@link MAX_SERVER_TEXT_MESSAGE_BYTES}
   */
  fullText(): string;
}

/** A snapshot is reused for this long at most when no stream changed, ms (below the 500 ms list interval). */
export const STREAM_LIST_SNAPSHOT_MAX_AGE_MS = 250;

/**
 * The `streams` message text of already serialised summaries: byte for byte what
 * `encodeControl({ type: 'streams', streams })` writes for them.
 * @param jsons summaries as {@link ListedStream.json}
 * @throws RangeError when the text is over {@link MAX_SERVER_TEXT_MESSAGE_BYTES} (as `encodeControl`)
 */
export function streamsMessageText(jsons: readonly string[]): string {
  const text = `{"type":"streams","streams":[${jsons.join(',')}]}`;
  // each UTF-16 unit is 1..3 UTF-8 bytes: count exactly only when it could matter
  if (text.length * 3 > MAX_SERVER_TEXT_MESSAGE_BYTES) {
    const bytes = utf8ByteLength(text);
    if (bytes > MAX_SERVER_TEXT_MESSAGE_BYTES) {
      throw new RangeError(`encodeControl: "streams" message is ${bytes} bytes, over the limit of ${MAX_SERVER_TEXT_MESSAGE_BYTES} bytes`);
    }
  }
  return text;
}

/**
 * The stream list shared by every Proctor connection of one registry (issue 10): each
 * Proctor session used to take, validate (zod) and serialise every stream's summary for
 * itself on every list push, so each join cost O(streams × proctors) work. Here summaries
 * are taken, validated and serialised once per snapshot; sessions filter the snapshot by
 * their access and join the ready JSON (or share {@link StreamListSnapshot.fullText}).
 *
 * A snapshot is reused while no stream changed (`changed$` did not emit) and it is younger
 * than `maxAgeMs`; otherwise a new one is taken. Staleness is bounded by `maxAgeMs` for the
 * fields that move without a change signal (bytes received, bitrate, last fragment time),
 * the same order as the list's own 500 ms push interval.
 *
 * Pure (no I/O); never throws except what the streams' `summary()` throws (sessions guard it).
 */
export class StreamListCache {
  private version = 0;
  private snapshotValue: { version: number; snapshot: StreamListSnapshot } | null = null;
  private readonly dues = new Map<number, Observable<void>>();

  constructor(
    private readonly source: StreamListSource,
    private readonly maxAgeMs = STREAM_LIST_SNAPSHOT_MAX_AGE_MS,
  ) {
    // an error or completion of the source only stops the version counting; snapshots then expire by age
    source.changed$.subscribe({ next: () => this.version++, error: () => undefined });
  }

  /** The cache of one source, created on first use (shared by every session of that source). */
  static of(source: StreamListSource): StreamListCache {
    let cache = caches.get(source);
    if (!cache) {
      cache = new StreamListCache(source);
      caches.set(source, cache);
    }
    return cache;
  }

  /**
   * When a list push is due: `changed$` audited over `intervalMs` (the first change opens a
   * window, its end emits), one audit shared by every session of the source. Each session
   * auditing `changed$` itself cost one audit step per session for every change, so a burst
   * of viewer joins with 1,000 Proctor sockets open ran about 10⁶ steps; shared, a change
   * costs O(1) until the window ends. Errors and completion of `changed$` pass through.
   * @param intervalMs the audit window, ms (one shared observable per value)
   */
  listDue(intervalMs: number): Observable<void> {
    let due = this.dues.get(intervalMs);
    if (!due) {
      due = this.source.changed$.pipe(auditTime(intervalMs), share());
      this.dues.set(intervalMs, due);
    }
    return due;
  }

  /**
   * The current snapshot (reused, or taken now).
   * @param nowMs the caller's clock, ms
   */
  snapshot(nowMs: number): StreamListSnapshot {
    const held = this.snapshotValue;
    if (held && held.version === this.version && nowMs >= held.snapshot.atMs && nowMs - held.snapshot.atMs < this.maxAgeMs) return held.snapshot;
    const snapshot = takeSnapshot(this.source.list(), nowMs);
    this.snapshotValue = { version: this.version, snapshot };
    return snapshot;
  }
}

const caches = new WeakMap<StreamListSource, StreamListCache>();

function takeSnapshot(streams: readonly LiveStream[], nowMs: number): StreamListSnapshot {
  const listed: ListedStream[] = streams.map((stream) => {
    const summary = stream.summary(nowMs);
    const parsed = streamSummarySchema.safeParse(summary);
    return parsed.success
      ? { stream, summary, json: JSON.stringify(parsed.data), error: null }
      : { stream, summary, json: null, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  });
  let full: string | null = null;
  return {
    streams: listed,
    atMs: nowMs,
    fullText: () => (full ??= streamsMessageText(listed.flatMap((s) => (s.json === null ? [] : [s.json])))),
  };
}
