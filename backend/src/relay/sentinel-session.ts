import { randomUUID } from 'node:crypto';
import { EMPTY, Subscription, switchMap, timer } from 'rxjs';
import {
  ERROR_MESSAGE_MAX_LENGTH,
  MAX_TEXT_MESSAGE_BYTES,
  MediaKind,
  PROTOCOL_VERSION,
  ProtocolError,
  WsCloseCode,
  decodeMediaMessage,
  encodeAck,
  encodeControl,
  parseSentinelMessage,
  type ErrorCode,
  type EventMessage,
  type HelloMessage,
} from '@vigil/protocol';
import { InitUnit } from './media-unit';
import { LiveStream, SentinelControl, SentinelControlLink, StreamIdentity } from './live-stream';
import { StreamRegistry, StreamWriterFactory } from './stream-registry';
import { reconnectSpreadMs } from './load-shedding';
import { fragmentUnitFromMessage, initUnitFromMessage } from './unit-factory';
import { ignoreErrors } from './ignore-errors';
import { JoinTicket } from './join-gate';

/**
 * Longest a join holds its turn after `welcome` when no ack comes, ms. A Sentinel sends its
 * hello before its screen capture starts, so its init segment may come much later; the turn
 * covers it only if it comes at once (as after a reconnect). 20 ms keeps a herd of slow
 * starters moving (about 2 welcomes per 30 ms at worst, well inside the Sentinel's 30 s wait
 * for welcome) and did as well as 100 ms and 1 s in the loadgen herd (a join's first acks
 * p50 9–12 ms; 23–27 ms when the turn ended at welcome; 113–126 ms with no gate).
 */
export const JOIN_TURN_MAX_MS = 20;

/** While a stream's recording writes fail, its Sentinel is told so this often, ms (below its 30 s silence watchdog). */
export const STORAGE_NOTICE_INTERVAL_MS = 10_000;

/** The socket of one Sentinel, as the session needs it. */
export interface SentinelLink {
  sendText(text: string): void;
  /** Closes the socket with a WebSocket close code (RFC 6455 §7.4). */
  close(code: number, reason: string): void;
}

/**
 * Decides whether a hello may stream, and as which seat. Throws ProtocolError
 * (`auth-required`, `auth-failed`, `not-allowed`) to refuse. `uploadOnly` in the answer says
 * the seat may only upload a backlog now (the exam is over, within its upload grace): the
 * session then refuses a hello that does not resume a recorded stream. The default trusts
 * the hello's exam and seat (development mode, before seat tokens exist).
 */
export type SentinelAuthorizer = (hello: HelloMessage) => Promise<{ examId: string; seatId: string; uploadOnly?: boolean }>;

/** Development authorizer: the hello's own exam and seat. */
export const trustHelloSeat: SentinelAuthorizer = async (hello) => ({ examId: hello.examId, seatId: hello.seatId });

/** Events a session reports for logging and metadata (no I/O in the session itself). */
export interface SentinelSessionEvents {
  connected?(stream: LiveStream, resumed: boolean): void;
  disconnected?(stream: LiveStream): void;
  rejected?(code: ErrorCode, message: string): void;
  /** A `gap` the Sentinel reported (already queued for the index). */
  gap?(stream: LiveStream, gap: { fromMs: number; toMs: number; reason: string }): void;
  /**
   * An `event` the Sentinel reported (valid and bounded by its schema); the listener stores,
   * deduplicates and rate-limits it. The session answers `event-ack` whatever became of it.
   */
  event?(stream: LiveStream, event: EventMessage): void;
}

/**
 * One Sentinel connection (pure protocol logic; the socket is behind {@link SentinelLink}).
 *
 * hello -> (authorization, then a turn at the registry's join gate) -> welcome; then binary
 * init segments and fragments, each validated,
 * sequence-checked (duplicates after a reconnect are dropped, gaps refused) and
 * pushed into the stream's pipeline; `ack` once durably written. Bad input gets an
 * `error` with a code and closes only this connection: no method throws, and a failure
 * while answering (an unencodable message, a throwing event listener) also ends only this
 * connection (close 1011).
 *
 * Sequence numbers: at or below the stream's disk cursor (`lastQueuedSequence`) a unit is a
 * duplicate and dropped; between it and the relay cursor (`lastReceivedSequence`) it is a
 * resend for the recording only (after the disk fell behind, see {@link LiveStream}); above
 * it, the next live unit; anything else is a `sequence-gap`.
 */
export class SentinelSession {
  private stream: LiveStream | null = null;
  private helloSeen = false;
  private closed = false;
  private ackSubscription: Subscription | null = null;
  /** This connection's turn at the registry's {@link JoinGate}, from authorization to its first ack. */
  private joinTicket: JoinTicket | null = null;
  private joinTimer: ReturnType<typeof setTimeout> | null = null;
  private storageSubscription: Subscription | null = null;
  private readonly control: SentinelControlLink = {
    sendControl: (message: SentinelControl) => {
      this.send(message);
      if (message.type === 'stop') this.closeAfterStop();
    },
    replaced: () =>
      this.fail(new ProtocolError('not-allowed', 'a newer connection took over this stream; this one is closed', { fatal: true, closeCode: WsCloseCode.Normal })),
    resendFromAck: () =>
      this.fail(
        new ProtocolError('server-busy', 'the recording fell behind while storage was failing: reconnect and resend from lastAckedSequence + 1', {
          fatal: true,
        }),
      ),
  };

  constructor(
    private readonly link: SentinelLink,
    private readonly registry: StreamRegistry,
    private readonly writers: StreamWriterFactory,
    private readonly clock: () => number = Date.now,
    private readonly events: SentinelSessionEvents = {},
    private readonly authorize: SentinelAuthorizer = trustHelloSeat,
  ) {}

  /** The stream this connection feeds, once the hello is accepted. */
  get currentStream(): LiveStream | null {
    return this.stream;
  }

  /** Handles one text frame (JSON control message). Never throws. */
  async handleText(text: string): Promise<void> {
    if (this.closed) return; // after stop or a fatal error: late frames are ignored
    try {
      const message = parseSentinelMessage(text);
      if (message.type === 'hello') await this.handleHello(message);
      else if (message.type === 'status') {
        this.requireStream().reportStatus(message, this.clock());
      } else if (message.type === 'gap') {
        const stream = this.requireStream();
        const gap = { fromMs: message.fromMs, toMs: message.toMs, reason: message.reason };
        stream.recordGap(gap);
        this.report(() => this.events.gap?.(stream, gap));
      } else if (message.type === 'event') {
        const stream = this.requireStream();
        this.report(() => this.events.event?.(stream, message));
        this.send({ type: 'event-ack', seq: message.seq });
      }
    } catch (e) {
      if (this.stream && e instanceof ProtocolError && e.code === 'bad-message' && this.refuseEvent(text, e)) return;
      this.fail(e);
    }
  }

  /**
   * An `event` that does not validate (an unknown kind from a newer Sentinel, a field out of
   * bounds) must not cost the stream its connection: it would be resent after every reconnect.
   * It is refused with a non-fatal `bad-message` and acknowledged (when its `seq` is readable),
   * so the Sentinel drops it. Other messages stay fatal.
   * @returns true when `text` was an event (refused here)
   */
  private refuseEvent(text: string, error: ProtocolError): boolean {
    if (text.length > MAX_TEXT_MESSAGE_BYTES) return false; // oversized: fatal like any other message
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null || (value as { type?: unknown }).type !== 'event') return false;
    const seq = (value as { seq?: unknown }).seq;
    const message = error.message.length > ERROR_MESSAGE_MAX_LENGTH ? error.message.slice(0, ERROR_MESSAGE_MAX_LENGTH - 1) + '…' : error.message;
    this.send({ type: 'error', code: 'bad-message', fatal: false, message: `event refused (not stored): ${message}`.slice(0, ERROR_MESSAGE_MAX_LENGTH) });
    if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1) this.send({ type: 'event-ack', seq });
    return true;
  }

  /** Handles one binary frame (media message). Never throws. */
  handleBinary(data: Uint8Array): void {
    if (this.closed) return;
    try {
      const stream = this.requireStream();
      const { header, payload } = decodeMediaMessage(data, { direction: 'sentinel-to-server' });
      if (header.sequence <= stream.lastQueuedSequence) return; // resent after a reconnect: already on disk or queued
      if (header.sequence <= stream.lastReceivedSequence) {
        // relayed live already, missing from the recording (the disk fell behind): recording only
        if (header.sequence !== stream.lastQueuedSequence + 1) {
          stream.skipResent(); // the disk cursor is further back: asked again once the queue drains
          return;
        }
        const now = this.clock();
        if (header.kind === MediaKind.InitSegment) {
          stream.ingestForDisk(initUnitFromMessage(data, header, payload, stream.channel, now));
          return;
        }
        const diskInit = stream.diskInit;
        if (!diskInit) throw new ProtocolError('bad-fragment', `fragment ${header.sequence} arrived before any init segment`, { fatal: true });
        stream.ingestForDisk(fragmentUnitFromMessage(data, header, payload, diskInit, stream.diskLastDecodeTime, stream.channel, now));
        return;
      }
      if (header.sequence !== stream.lastReceivedSequence + 1) {
        throw new ProtocolError(
          'sequence-gap',
          `expected sequence ${stream.lastReceivedSequence + 1}, got ${header.sequence}: resend from lastAckedSequence + 1`,
          { fatal: true },
        );
      }
      const now = this.clock();
      if (header.kind === MediaKind.InitSegment) {
        stream.ingest(initUnitFromMessage(data, header, payload, stream.channel, now));
        return;
      }
      const init: InitUnit | null = stream.buffer.init;
      if (!init) throw new ProtocolError('bad-fragment', `fragment ${header.sequence} arrived before any init segment`, { fatal: true });
      stream.ingest(fragmentUnitFromMessage(data, header, payload, init, stream.lastDecodeTime, stream.channel, now));
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * The connection has been open `timeoutMs` without a welcomed hello: refuse it
   * (`auth-required`, fatal). Called by the gateway's timer; a no-op once streaming.
   */
  expireHello(timeoutMs: number): void {
    if (this.stream || this.closed || this.joinTicket) return; // authorized: waiting for its join turn is not silence
    this.fail(new ProtocolError('auth-required', `no hello within ${timeoutMs / 1000} s of opening the connection: send hello first`, { fatal: true }));
  }

  /** The socket closed. Idempotent. */
  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.endJoinTurn();
    this.ackSubscription?.unsubscribe();
    this.storageSubscription?.unsubscribe();
    const stream = this.stream;
    if (!stream) return;
    stream.detachSentinel(this.control);
    if (!stream.hasSentinel && stream.state !== 'ended') {
      // an upload-only stream has no capture to wait for: it ends (its queued writes finish
      // first); a later upload-only connection reopens it from its recording
      if (stream.uploadOnly) void this.registry.endStream(stream.streamId);
      else this.registry.scheduleEnd(stream.streamId);
    }
    this.report(() => this.events.disconnected?.(stream));
  }

  private async handleHello(hello: HelloMessage): Promise<void> {
    if (this.helloSeen) throw new ProtocolError('bad-message', 'hello may be sent once per connection', { fatal: true });
    this.helloSeen = true;
    if (hello.protocol !== PROTOCOL_VERSION) {
      throw new ProtocolError('unsupported-version', `protocol ${hello.protocol} is not supported; this server speaks ${PROTOCOL_VERSION}`, { fatal: true });
    }
    if (hello.uploadOnly && !hello.streamId) {
      throw new ProtocolError('bad-message', 'hello.uploadOnly needs hello.streamId: the stream whose backlog is uploaded', { fatal: true });
    }
    const seat = await this.authorize(hello);
    if (this.closed) return;
    // the setup below waits its turn behind other joins (see JoinGate); the turn ends at the
    // first ack (the init segment durable), on any failure, on close, or JOIN_TURN_MAX_MS after welcome
    this.joinTicket = this.registry.joins.enter();
    await this.joinTicket.admitted;
    if (this.closed) return;
    try {
      await this.setUpStream(hello, seat);
    } catch (e) {
      this.endJoinTurn();
      throw e;
    }
  }

  /** Ends this connection's join turn (idempotent). */
  private endJoinTurn(): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = null;
    this.joinTicket?.release();
  }

  private async setUpStream(hello: HelloMessage, seat: Awaited<ReturnType<SentinelAuthorizer>>): Promise<void> {
    const resumable = await this.resumableStreamId({ streamId: hello.streamId, examId: seat.examId, seatId: seat.seatId });
    if (this.closed) return;
    const uploadOnly = hello.uploadOnly === true || seat.uploadOnly === true;
    if (seat.uploadOnly && !(hello.uploadOnly && resumable)) {
      throw new ProtocolError(
        'not-allowed',
        resumable
          ? 'the exam is over: capture is closed; reconnect with hello.uploadOnly to upload the queued frames'
          : 'the exam is over: only an upload of a recorded stream\'s queued frames may connect now',
        { fatal: true },
      );
    }
    const identity: StreamIdentity = {
      streamId: resumable ?? randomUUID(),
      examId: seat.examId,
      seatId: seat.seatId,
      encoder: hello.encoder,
      userAgent: hello.userAgent,
      startedAtMs: this.clock(),
    };
    const resumed = identity.streamId === hello.streamId;
    const stream = await this.registry.openStream(identity, this.writers);
    if (this.closed) return;
    if (uploadOnly) stream.uploadOnly = true;
    this.stream = stream;
    stream.attachSentinel(this.control);
    this.ackSubscription = stream.acks$.subscribe({
      next: (sequence) => {
        this.sendAck(sequence);
        this.endJoinTurn();
      },
      error: (e: unknown) => this.fail(new ProtocolError('internal', `recording failed: ${e instanceof Error ? e.message : e}`, { fatal: true })),
    });
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      streamId: stream.streamId,
      lastAckedSequence: stream.lastAckedSequence,
      fps: stream.fps,
      reconnectSpreadMs: reconnectSpreadMs(this.registry.size),
    });
    if (this.joinTicket && !this.closed) {
      this.joinTimer = setTimeout(() => this.endJoinTurn(), JOIN_TURN_MAX_MS);
      this.joinTimer.unref?.();
    }
    // While the recording cannot be written the Sentinel gets no acks: tell it why, now and every
    // STORAGE_NOTICE_INTERVAL_MS, so it keeps its backlog and its connection (its watchdog
    // reconnects after 30 s of silence with unacknowledged messages, which would resend it all).
    this.storageSubscription = stream.storage$
      .pipe(switchMap((state) => (state === 'storage-failed' ? timer(0, STORAGE_NOTICE_INTERVAL_MS) : EMPTY)))
      .subscribe(() =>
        this.send({
          type: 'error',
          code: 'server-busy',
          fatal: false,
          message: 'the server cannot store the recording right now and retries: keep every unacknowledged message (nothing is lost)',
        }),
      );
    if (stream.storage === 'storage-failed') {
      this.send({ type: 'error', code: 'server-busy', fatal: false, message: 'the server cannot store the recording right now and retries: keep every unacknowledged message (nothing is lost)' });
    }
    this.report(() => this.events.connected?.(stream, resumed));
  }

  /**
   * The stream id to continue: the hello's, when this process holds that stream or a
   * recording of it exists (server restart); otherwise undefined and a new stream starts
   * (libs/protocol README, Sentinel connection step 2).
   * @throws ProtocolError `not-allowed` when the id belongs to another seat
   */
  private async resumableStreamId(hello: { streamId?: string; examId: string; seatId: string }): Promise<string | undefined> {
    if (!hello.streamId) return undefined;
    const owner = this.registry.get(hello.streamId)?.identity ?? (await this.writers.lookup(hello.streamId).catch(() => null));
    if (!owner) return undefined;
    if (owner.examId !== hello.examId || owner.seatId !== hello.seatId) {
      throw new ProtocolError('not-allowed', `stream ${hello.streamId} belongs to another seat`, { fatal: true });
    }
    return hello.streamId;
  }

  private requireStream(): LiveStream {
    if (!this.stream) throw new ProtocolError('auth-required', 'send hello and wait for welcome before anything else', { fatal: true });
    return this.stream;
  }

  /**
   * The stream was ended with `stop` (already sent): close normally (1000). The recording's
   * writes still in flight finish; their acks are not needed since the Sentinel stops.
   */
  private closeAfterStop(): void {
    if (this.closed) return;
    this.closeLink(WsCloseCode.Normal, 'stream ended');
    this.handleClose();
  }

  /** Sends a control message; a message that cannot be encoded or sent ends this connection only. */
  private send(message: Parameters<typeof encodeControl>[0]): void {
    this.sendEncoded(message.type, encodeControl, message);
  }

  /** Sends `ack` (encoded without a schema check: {@link encodeAck}). */
  private sendAck(sequence: number): void {
    this.sendEncoded('ack', encodeAck, sequence);
  }

  /** Encodes and sends one control message; one that cannot be encoded or sent ends this connection only. */
  private sendEncoded<T>(type: string, encode: (value: T) => string, value: T): void {
    if (this.closed) return;
    try {
      this.link.sendText(encode(value));
    } catch (e) {
      this.abort(`could not send ${type}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private fail(e: unknown): void {
    if (this.closed) return;
    const error = e instanceof ProtocolError ? e : new ProtocolError('internal', e instanceof Error ? e.message : String(e), { fatal: true });
    this.report(() => this.events.rejected?.(error.code, error.message));
    const message = error.message.length > ERROR_MESSAGE_MAX_LENGTH ? error.message.slice(0, ERROR_MESSAGE_MAX_LENGTH - 1) + '…' : error.message;
    this.send({ type: 'error', code: error.code, message, fatal: error.fatal });
    if (error.fatal && !this.closed) {
      this.closeLink(error.closeCode, error.code);
      this.handleClose();
    }
  }

  /** Last resort: the session itself broke. Close with 1011 (RFC 6455 §7.4.1 internal error). */
  private abort(why: string): void {
    if (this.closed) return;
    this.report(() => this.events.rejected?.('internal', why));
    this.closeLink(WsCloseCode.InternalError, 'internal');
    this.handleClose();
  }

  private closeLink(code: number, reason: string): void {
    ignoreErrors(() => this.link.close(code, reason)); // the socket may be gone already
  }

  /** Calls an event listener; one that throws must not break the session. */
  private report(call: () => void): void {
    ignoreErrors(call);
  }
}
