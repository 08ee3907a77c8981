import { Observable, Subscription } from 'rxjs';
import { sharedTicks } from '../common/shared-ticks';
import {
  ERROR_MESSAGE_MAX_LENGTH,
  MAX_STREAMS_PER_LIST,
  ProtocolError,
  WsCloseCode,
  encodeControl,
  parseProctorMessage,
  type StreamSummary,
} from '@vigil/protocol';
import { LiveStream } from './live-stream';
import { Viewer, ViewerLink } from './viewer';
import type { Watcher } from '../stats/relay-stats';
import { ignoreErrors } from './ignore-errors';
import { StreamListCache, streamsMessageText } from './stream-list-cache';

/** The socket of one Proctor, as the session needs it. */
export interface ProctorLink extends ViewerLink {
  sendText(text: string): void;
  /** Closes the socket with a WebSocket close code (RFC 6455 §7.4). */
  close(code: number, reason: string): void;
}

/** What the session needs of the stream registry ({@link StreamRegistry} is one). */
export interface StreamDirectory {
  get(streamId: string): LiveStream | undefined;
  list(): LiveStream[];
  /** Emits whenever any stream's summary may have changed. */
  readonly changed$: Observable<void>;
}

/**
 * Which streams a Proctor may see and watch (by exam). Admins: everything. The default
 * allows everything (development mode, before logins exist).
 */
export interface ProctorAccess {
  canWatch(examId: string): boolean;
}

/** Development access: every exam. */
export const ALLOW_ALL_EXAMS: ProctorAccess = { canWatch: () => true };

/**
 * Events a session reports for logging (no I/O in the session itself). A listener that
 * throws is ignored.
 */
export interface ProctorSessionEvents {
  /** The session broke on its own side (a message that could not be encoded or sent, a throwing callback): the connection was closed with `internal` (1011). */
  fault?(why: string): void;
  /** The stream list held `total` streams for this Proctor and only the first `shown` were sent. Reported on the first cut and then at most once a minute. */
  listTruncated?(shown: number, total: number): void;
  /** Streams left out of a list because their summary is invalid (the rest of the list went out). */
  badSummaries?(streamIds: string[], why: string): void;
  /** The socket stayed above the hard cap for `forMs`: the connection was closed with `server-busy` (1013). */
  tooSlow?(bufferedBytes: number, forMs: number): void;
}

/** Tunables of a session; the defaults are the server's. */
export interface ProctorSessionOptions {
  /** Most streams in one list (default {@link MAX_STREAMS_PER_LIST}, the protocol's cap). */
  maxStreamsPerList: number;
  /** Bytes unsent in the socket above which a Proctor counts as stalled (default 4 x `viewerMaxBufferedBytes`). */
  slowCloseBytes: number;
  /** How long a Proctor may stay stalled before it is closed, ms (default {@link SLOW_CLOSE_MS}). */
  slowCloseMs: number;
  /** How often a held-back list is retried and the stall checked, ms (default {@link STREAM_LIST_RETRY_MS}). */
  checkIntervalMs: number;
  /** Who is watching (for the viewers' statistics), or null (default). */
  watcher: Watcher | null;
}

/** How often a Proctor gets the stream list at most, ms. */
export const STREAM_LIST_INTERVAL_MS = 500;

/** A stream list held back by a full socket is sent again (and a stall checked) this often, ms. */
export const STREAM_LIST_RETRY_MS = 2_000;

/** A Proctor whose socket stays above the hard cap this long is closed as too slow, ms. */
export const SLOW_CLOSE_MS = 30_000;

/** A truncated list is reported again at most this often, ms. */
const TRUNCATION_REPORT_MS = 60_000;

/** Rank of a state in a truncated list: what a proctor needs most first. */
const STATE_RANK: Record<StreamSummary['state'], number> = { live: 0, disconnected: 1, ended: 2 };

/**
 * One Proctor connection (pure protocol logic; the socket is behind {@link ProctorLink}).
 * Pushes the stream list on connect and on change (at most every 500 ms), handles
 * subscribe / unsubscribe, and owns one {@link Viewer} per subscribed stream.
 *
 * Isolation (issue 8 finding 1): no method or callback of the session throws, whatever the
 * registry, a stream or a listener does. A stream whose summary is invalid (say a width
 * above 4096) is left out of the list and reported; a message that still cannot be encoded
 * or sent, or a callback that throws, ends this connection only: `error internal` (when it
 * can still be sent), close 1011, `events.fault`.
 *
 * Bounds: the list holds at most `maxStreamsPerList` streams (live, then disconnected, then
 * ended; newest first within each), reported through `events.listTruncated`. While the
 * socket holds more than `viewerMaxBufferedBytes` unsent, lists are held back (the newest
 * goes out once it drains) and viewers skip to the next join fragment, so a slow proctor
 * never grows server memory past about that bound. A socket that stays above
 * `slowCloseBytes` for `slowCloseMs` is closed with `server-busy` ("too slow").
 */
export class ProctorSession {
  private readonly viewers = new Map<number, { viewer: Viewer; stream: LiveStream; ended: Subscription }>();
  private readonly rx = new Subscription();
  private readonly options: ProctorSessionOptions;
  private closed = false;
  /** A list was held back by a full socket. */
  private listHeldBack = false;
  /** Since when the socket is above the hard cap (ms), or null. */
  private stalledSince: number | null = null;
  /** When a truncated list was last reported (ms), or null. */
  private truncationReportedAt: number | null = null;
  /** The registry's shared stream list (summaries validated and serialised once for every session). */
  private lists: StreamListCache | null = null;

  constructor(
    private readonly link: ProctorLink,
    private readonly registry: StreamDirectory,
    private readonly viewerMaxBufferedBytes: number,
    private readonly clock: () => number = Date.now,
    private readonly access: ProctorAccess = ALLOW_ALL_EXAMS,
    private readonly events: ProctorSessionEvents = {},
    options: Partial<ProctorSessionOptions> = {},
  ) {
    this.options = {
      maxStreamsPerList: MAX_STREAMS_PER_LIST,
      slowCloseBytes: 4 * viewerMaxBufferedBytes,
      slowCloseMs: SLOW_CLOSE_MS,
      checkIntervalMs: STREAM_LIST_RETRY_MS,
      watcher: null,
      ...options,
    };
    this.guard('stream list', () => this.sendList());
    this.guard('stream list', () => {
      this.rx.add(
        // one audit window shared by every session of the registry (StreamListCache.listDue)
        this.listCache().listDue(STREAM_LIST_INTERVAL_MS).subscribe({
          next: () => this.guard('stream list', () => this.sendList()),
          error: (e: unknown) => this.abort(`stream list: ${describe(e)}`),
        }),
      );
      // one timer for every session with this period, not one each (sharedTicks)
      this.rx.add(sharedTicks(this.options.checkIntervalMs).subscribe(() => this.guard('socket check', () => this.check())));
    });
  }

  /** Subscribed channels and their viewers (for tests and status). */
  get subscriptions(): ReadonlyMap<number, { viewer: Viewer; stream: LiveStream }> {
    return this.viewers;
  }

  /** Whether the session has ended (socket closed, or closed by the session). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Handles one text frame. Never throws. */
  handleText(text: string): void {
    if (this.closed) return;
    try {
      const message = parseProctorMessage(text);
      if (message.type === 'subscribe') this.subscribe(message.streamId, message.view ?? 'focus');
      else if (message.type === 'unsubscribe') this.unsubscribe(message.channel, 'requested');
    } catch (e) {
      this.fail(e);
    }
  }

  /** Proctors send no media. Never throws. */
  handleBinary(): void {
    this.fail(new ProtocolError('bad-message', 'proctors send text control messages only', { fatal: true }));
  }

  /** The socket closed: every viewer is removed. Idempotent; never throws. */
  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.rx.unsubscribe();
    for (const channel of [...this.viewers.keys()]) {
      try {
        this.unsubscribe(channel, null);
      } catch {
        // a stream that fails to let go of its viewer must not keep the others
        this.viewers.delete(channel);
      }
    }
  }

  /**
   * Periodic: sends a held-back list once the socket drained, and closes a Proctor whose
   * socket stayed above `slowCloseBytes` for `slowCloseMs` (`server-busy`, 1013).
   */
  private check(): void {
    if (this.closed) return;
    const buffered = this.link.bufferedAmount();
    const now = this.clock();
    if (buffered > this.options.slowCloseBytes) {
      this.stalledSince ??= now;
      const forMs = now - this.stalledSince;
      if (forMs >= this.options.slowCloseMs) {
        this.report(() => this.events.tooSlow?.(buffered, forMs));
        this.fail(
          new ProtocolError(
            'server-busy',
            `too slow: ${buffered} bytes waited unsent for ${Math.round(forMs / 1000)} s; reconnect, and watch fewer streams on this connection`,
            { fatal: true },
          ),
        );
        return;
      }
    } else {
      this.stalledSince = null;
    }
    if (this.listHeldBack) this.sendList();
  }

  private subscribe(streamId: string, view: 'focus' | 'tile'): void {
    const stream = this.registry.get(streamId);
    // a stream of another exam looks exactly like a missing one: ids cannot be probed
    if (!stream || stream.state === 'ended' || !this.access.canWatch(stream.identity.examId)) {
      throw new ProtocolError('unknown-stream', `no live stream ${streamId}; pick one from the streams list`, { fatal: false });
    }
    // subscribing again restarts the join sequence (the player's way to recover from a decoder error)
    if (this.viewers.has(stream.channel)) this.unsubscribe(stream.channel, null);
    const init = stream.buffer.init;
    this.send({
      type: 'subscribed',
      streamId,
      channel: stream.channel,
      codec: init?.codec ?? null,
      width: init?.width ?? 0,
      height: init?.height ?? 0,
    });
    if (this.closed) return; // could not be sent
    const channel = stream.channel;
    const viewer = new Viewer(
      streamId,
      channel,
      this.link,
      this.viewerMaxBufferedBytes,
      () => this.guard('too-slow viewer', () => this.unsubscribe(channel, 'too-slow')),
      { watcher: this.options.watcher, totals: stream.stats.totals, clock: this.clock, view },
    );
    const ended = stream.changed$.subscribe({
      complete: () => this.guard('stream end', () => this.unsubscribe(channel, 'stream-ended')),
      error: () => this.guard('stream error', () => this.unsubscribe(channel, 'error')),
    });
    this.viewers.set(channel, { viewer, stream, ended });
    stream.addViewer(viewer, this.clock());
  }

  private unsubscribe(channel: number, reason: 'requested' | 'stream-ended' | 'too-slow' | 'error' | null): void {
    const entry = this.viewers.get(channel);
    if (!entry) {
      if (reason === 'requested') this.send({ type: 'unsubscribed', channel, reason }); // idempotent
      return;
    }
    this.viewers.delete(channel);
    entry.ended.unsubscribe();
    entry.stream.removeViewer(entry.viewer);
    if (reason) this.send({ type: 'unsubscribed', channel, reason });
  }

  /** The registry's shared stream list: its snapshots and its push trigger ({@link StreamListCache.of}). */
  private listCache(): StreamListCache {
    this.lists ??= StreamListCache.of(this.registry);
    return this.lists;
  }

  /**
   * Sends the stream list, unless the socket is full (then the newest goes out once it
   * drains). At most `maxStreamsPerList` streams; streams whose summary is invalid are left
   * out and reported.
   */
  private sendList(): void {
    if (this.closed) return;
    if (this.link.bufferedAmount() > this.viewerMaxBufferedBytes) {
      this.listHeldBack = true;
      return;
    }
    this.listHeldBack = false;
    const now = this.clock();
    // summaries validated and serialised once for every session of the registry (issue 10)
    const snapshot = this.listCache().snapshot(now);
    let streams = snapshot.streams.filter((s) => this.access.canWatch(s.stream.identity.examId));
    const everything = streams.length === snapshot.streams.length;
    const total = streams.length;
    const truncated = total > this.options.maxStreamsPerList;
    if (truncated) {
      streams = streams
        .map((s) => ({ s, rank: STATE_RANK[s.summary.state] ?? 3 }))
        .sort((a, b) => a.rank - b.rank || b.s.stream.identity.startedAtMs - a.s.stream.identity.startedAtMs)
        .slice(0, this.options.maxStreamsPerList)
        .map((x) => x.s);
      if (this.truncationReportedAt === null || now - this.truncationReportedAt >= TRUNCATION_REPORT_MS) {
        this.truncationReportedAt = now;
        this.report(() => this.events.listTruncated?.(streams.length, total));
      }
    }
    // one bad summary (a bug elsewhere) must not take every stream off this proctor's list
    const bad = streams.filter((s) => s.json === null);
    if (bad.length > 0) this.report(() => this.events.badSummaries?.(bad.map((s) => String(s.summary.streamId)), bad[0].error ?? 'invalid summary'));
    const text = everything && !truncated ? snapshot.fullText() : streamsMessageText(streams.flatMap((s) => (s.json === null ? [] : [s.json])));
    this.link.sendText(text);
  }

  /** Sends a control message; one that cannot be encoded or sent ends this connection only. */
  private send(message: Parameters<typeof encodeControl>[0]): void {
    if (this.closed) return;
    try {
      this.link.sendText(encodeControl(message));
    } catch (e) {
      this.abort(`could not send ${message.type}: ${describe(e)}`);
    }
  }

  /** Runs a callback of the session; whatever it throws ends this connection only. */
  private guard(what: string, run: () => void): void {
    try {
      run();
    } catch (e) {
      this.abort(`${what}: ${describe(e)}`);
    }
  }

  /**
   * Last resort: the session itself broke. `error internal` (if it can still be sent), then
   * close 1011 (RFC 6455 §7.4.1 internal error). Never throws.
   */
  private abort(why: string): void {
    if (this.closed) return;
    this.report(() => this.events.fault?.(why));
    try {
      this.link.sendText(
        encodeControl({ type: 'error', code: 'internal', message: 'the server failed on this connection (logged); reconnect', fatal: true }),
      );
    } catch {
      // the socket itself may be what broke
    }
    this.closeLink(WsCloseCode.InternalError, 'internal');
    this.handleClose();
  }

  private fail(e: unknown): void {
    if (this.closed) return;
    const error = e instanceof ProtocolError ? e : new ProtocolError('internal', describe(e), { fatal: true });
    const message = error.message.length > ERROR_MESSAGE_MAX_LENGTH ? error.message.slice(0, ERROR_MESSAGE_MAX_LENGTH - 1) + '…' : error.message;
    this.send({ type: 'error', code: error.code, message, fatal: error.fatal });
    if (error.fatal && !this.closed) {
      this.closeLink(error.closeCode, error.code);
      this.handleClose();
    }
  }

  private closeLink(code: number, reason: string): void {
    ignoreErrors(() => this.link.close(code, reason)); // the socket may be gone already
  }

  /** Calls an event listener; one that throws must not break the session. */
  private report(call: () => void): void {
    ignoreErrors(call);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
