import { Subscription, auditTime, interval, merge } from 'rxjs';
import { MAX_STREAMS_PER_LIST, ProtocolError, WsCloseCode, encodeControl, parseProctorMessage } from '@vigil/protocol';
import { LiveStream } from './live-stream';
import { StreamRegistry } from './stream-registry';
import { Viewer, ViewerLink } from './viewer';

/** The socket of one Proctor, as the session needs it. */
export interface ProctorLink extends ViewerLink {
  sendText(text: string): void;
  /** Closes the socket with a WebSocket close code (RFC 6455 §7.4). */
  close(code: number, reason: string): void;
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

/** How often a Proctor gets the stream list at most, ms. */
export const STREAM_LIST_INTERVAL_MS = 500;

/** A stream list held back by a full socket is sent again this often, ms. */
export const STREAM_LIST_RETRY_MS = 2_000;

/**
 * One Proctor connection (pure protocol logic; the socket is behind {@link ProctorLink}).
 * Pushes the stream list on connect and on change (at most every 500 ms), handles
 * subscribe / unsubscribe, and owns one {@link Viewer} per subscribed stream.
 *
 * Isolation and bounds: no callback of the session throws; a message that cannot be encoded
 * or sent ends this connection only (close 1011, reported through `onFault`). The list holds
 * at most {@link MAX_STREAMS_PER_LIST} streams (live first, newest first). While the socket
 * holds more than `viewerMaxBufferedBytes` unsent, lists are held back (the newest goes out
 * once it drains) and viewers skip to the next join fragment, so a slow proctor never grows
 * server memory past about that bound.
 */
export class ProctorSession {
  private readonly viewers = new Map<number, { viewer: Viewer; stream: LiveStream; ended: Subscription }>();
  private readonly listSubscription: Subscription;
  private closed = false;

  constructor(
    private readonly link: ProctorLink,
    private readonly registry: StreamRegistry,
    private readonly viewerMaxBufferedBytes: number,
    private readonly clock: () => number = Date.now,
    private readonly access: ProctorAccess = ALLOW_ALL_EXAMS,
    /** Told when the session broke on its own side (logged by the gateway). */
    private readonly onFault: (why: string) => void = () => undefined,
  ) {
    this.sendList();
    this.listSubscription = merge(registry.changed$.pipe(auditTime(STREAM_LIST_INTERVAL_MS)), interval(STREAM_LIST_RETRY_MS)).subscribe({
      next: (tick) => {
        if (tick === undefined || this.listHeldBack) this.sendList();
      },
      error: (e: unknown) => this.abort(`stream list: ${e instanceof Error ? e.message : String(e)}`),
    });
  }

  /** A list was held back by a full socket. */
  private listHeldBack = false;

  /** Subscribed channels and their viewers (for tests and status). */
  get subscriptions(): ReadonlyMap<number, { viewer: Viewer; stream: LiveStream }> {
    return this.viewers;
  }

  /** Handles one text frame. Never throws. */
  handleText(text: string): void {
    try {
      const message = parseProctorMessage(text);
      if (message.type === 'subscribe') this.subscribe(message.streamId);
      else if (message.type === 'unsubscribe') this.unsubscribe(message.channel, 'requested');
    } catch (e) {
      this.fail(e);
    }
  }

  /** Proctors send no media. */
  handleBinary(): void {
    this.fail(new ProtocolError('bad-message', 'proctors send text control messages only', { fatal: true }));
  }

  /** The socket closed: every viewer is removed. Idempotent. */
  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.listSubscription.unsubscribe();
    for (const channel of [...this.viewers.keys()]) this.unsubscribe(channel, null);
  }

  private subscribe(streamId: string): void {
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
    const viewer = new Viewer(streamId, stream.channel, this.link, this.viewerMaxBufferedBytes, () =>
      this.unsubscribe(stream.channel, 'too-slow'),
    );
    const ended = stream.changed$.subscribe({
      complete: () => this.unsubscribe(stream.channel, 'stream-ended'),
      error: () => this.unsubscribe(stream.channel, 'error'),
    });
    this.viewers.set(stream.channel, { viewer, stream, ended });
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

  private sendList(): void {
    if (this.closed) return;
    if (this.link.bufferedAmount() > this.viewerMaxBufferedBytes) {
      this.listHeldBack = true; // the newest goes out once the socket drains
      return;
    }
    this.listHeldBack = false;
    const now = this.clock();
    let streams = this.registry.list().filter((s) => this.access.canWatch(s.identity.examId));
    if (streams.length > MAX_STREAMS_PER_LIST) {
      // live first, then the newest: what a proctor needs most
      streams = streams
        .sort((a, b) => Number(b.state === 'live') - Number(a.state === 'live') || b.identity.startedAtMs - a.identity.startedAtMs)
        .slice(0, MAX_STREAMS_PER_LIST);
    }
    this.send({ type: 'streams', streams: streams.map((s) => s.summary(now)) });
  }

  /** Sends a control message; one that cannot be encoded or sent ends this connection only. */
  private send(message: Parameters<typeof encodeControl>[0]): void {
    if (this.closed) return;
    try {
      this.link.sendText(encodeControl(message));
    } catch (e) {
      this.abort(`could not send ${message.type}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Last resort: the session itself broke. Close with 1011 (RFC 6455 §7.4.1 internal error). */
  private abort(why: string): void {
    if (this.closed) return;
    try {
      this.onFault(why);
    } catch {
      // logging must not break the close
    }
    try {
      this.link.close(WsCloseCode.InternalError, 'internal');
    } catch {
      // gone already
    }
    this.handleClose();
  }

  private fail(e: unknown): void {
    if (this.closed) return;
    const error = e instanceof ProtocolError ? e : new ProtocolError('internal', e instanceof Error ? e.message : String(e), { fatal: true });
    this.send({ type: 'error', code: error.code, message: error.message, fatal: error.fatal });
    if (error.fatal && !this.closed) {
      try {
        this.link.close(error.closeCode, error.code);
      } catch {
        // gone already
      }
      this.handleClose();
    }
  }
}
