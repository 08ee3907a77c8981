/**
 * The Sentinel's WebSocket client (`/ws/sentinel`, `@vigil/protocol` version 1).
 *
 * - Opens the socket, sends `hello` (with `streamId` when resuming), waits for `welcome`.
 * - After `welcome`: drops what the server already has (`lastAckedSequence`), resends every
 *   unacknowledged message from the outbound queue in order, then streams new ones.
 * - Honours `ack` (cumulative), `keyframe`, `set-fps`, `stop` and `error` by reporting them as events.
 * - Sends `status` every `statusIntervalMs` (default 2 s) while connected.
 * - Never lets more than `maxBufferedBytes` (default 4 MiB) pile up in the socket
 *   (`WebSocket.bufferedAmount`, WHATWG WebSockets); it polls until the socket drains.
 * - Reconnects with exponential backoff and jitter (0.5 s .. 10 s) after any close, each attempt
 *   at a uniformly random time within the server's `welcome.reconnectSpreadMs` when that is
 *   longer (the window grows with the number of Sentinels the server holds: a whole school
 *   does not reconnect in the same second after an outage), except
 *   after a fatal `auth-required` / `auth-failed` error, a local configuration error, or the
 *   server's `stop` (it ended the stream for good: state `ended`).
 * - Sends the `gap` notices a queued message carries right before that message.
 * - Sends the queued `event` messages (`eventQueue`) as soon as it is welcomed, drops them on
 *   `event-ack`, and sends the unacknowledged ones again after a reconnect.
 * - Upload-only drain (state `uploading`): after the server's `stop`, after a capture `hello`
 *   refused with `not-allowed` or `auth-failed` while a backlog waits (the exam is over, its
 *   seat token expired), or when `drain()` is called, capture has
 *   stopped but the queue still holds unacknowledged messages: the sender connects with
 *   `hello {uploadOnly: true, streamId}`, resends them, and once every one is acknowledged
 *   closes with 1000 (state `ended`, `drained` event). A refusal in this mode is final (`failed`).
 *
 * The socket is injected (`createSocket`) so tests drive it without a network.
 */
import {
  encodeControl,
  ID_PATTERN,
  parseServerToSentinel,
  PROTOCOL_VERSION,
  STATUS_INTERVAL_MS,
  type ErrorMessage,
  type HelloMessage,
  type KeyframeReason,
  type SetFpsReason,
  type StatusMessage,
  type StopMessage,
  type StopReason,
  type WelcomeMessage,
} from '@vigil/protocol';
import type { Scheduler } from '../timing/frame-clock';
import { assertIntegerInRange, assertObject } from '../util/assert';
import { Backoff, type BackoffOptions } from './backoff';
import type { EventQueue } from './event-queue';
import type { OutboundQueue } from './outbound-queue';

/** The parts of the WHATWG `WebSocket` the sender uses. */
export interface SocketLike {
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly readyState: number;
  /** Bytes queued by `send()` and not yet transmitted. */
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/** Opens a socket to `url`. */
export type SocketFactory = (url: string) => SocketLike;

/** Connection state shown to the user. */
export type ConnectionState =
  | 'idle' // not started
  | 'connecting' // socket opening or waiting for welcome (first time)
  | 'connected' // welcome received, streaming
  | 'reconnecting' // waiting for the next attempt, or retrying
  | 'uploading' // capture has stopped; uploading the queued backlog over upload-only connections
  | 'stopped' // stop() was called
  | 'ended' // the stream is over (server `stop`, or the backlog is uploaded): no more attempts
  | 'failed'; // refused for good (authentication, bad configuration): no more attempts

/** Fields of `hello` that come from the page. */
export type HelloFields = Pick<HelloMessage, 'token' | 'examId' | 'seatId' | 'encoder' | 'userAgent' | 'capabilities'>;

/** Fields of `status` that come from the pipeline (`bytesSent` is filled in by the sender). */
export type StatusFields = Omit<StatusMessage, 'type' | 'bytesSent' | 'queueDepth' | 'queueBytes'>;

/** What the sender reports. Listener exceptions are caught so one bad listener cannot stall the socket. */
export interface SenderEvents {
  /** Connection state changed. */
  state?(state: ConnectionState): void;
  /** A `welcome` was accepted (after any stream reset). */
  welcome?(welcome: WelcomeMessage, resumed: boolean): void;
  /**
   * The server started a new stream instead of resuming ours (or forgot ours). The queue has
   * already been emptied and renumbered from `firstSequence`; the pipeline must restart the
   * media timeline and begin with an init segment and a keyframe.
   */
  streamReset?(firstSequence: number, welcome: WelcomeMessage): void;
  /** The server asked for a keyframe. */
  keyframe?(reason: KeyframeReason): void;
  /** The server set the frame rate (fps). */
  setFps?(fps: number, reason: SetFpsReason): void;
  /**
   * The server ended the stream for good (`stop`). The state becomes `ended` right after, or
   * `uploading` while queued messages remain (then `drained` or a fatal `error` follows).
   */
  ended?(reason: StopReason, message: string): void;
  /**
   * The server refused to continue capture (`not-allowed` on a capture `hello`, e.g. the exam
   * is over) while messages are queued: the pipeline must stop capturing; the sender uploads
   * the backlog with upload-only connections (state `uploading`).
   */
  captureClosed?(message: string): void;
  /** Every queued message is acknowledged in upload-only mode; the state becomes `ended`. */
  drained?(): void;
  /** Cumulative acknowledgement received (after the queue dropped the messages). */
  ack?(sequence: number): void;
  /** Something went wrong (text for the user); `fatal` when the sender gave up. */
  error?(message: string, fatal: boolean, code?: ErrorMessage['code']): void;
}

/** Options for {@link SentinelSender}. */
export interface SentinelSenderOptions {
  /** WebSocket URL (`ws:` or `wss:`), e.g. `wss://host/ws/sentinel`. */
  url: string;
  /** hello fields. */
  hello: HelloFields;
  /** The outbound queue the pipeline fills. */
  queue: OutboundQueue;
  /** Pipeline status for `status` messages. */
  status: () => StatusFields;
  /** Clock and timers. */
  scheduler: Scheduler;
  /** Socket factory (default: `new WebSocket(url)`). */
  createSocket?: SocketFactory;
  /** Event listeners. */
  events?: SenderEvents;
  /** `status` period, ms (default 2000). */
  statusIntervalMs?: number;
  /** Most bytes left in `WebSocket.bufferedAmount` before sending waits (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Give up on an attempt that has no `welcome` after this many ms (default 30000: the server may hold a hello in its join queue). */
  connectTimeoutMs?: number;
  /**
   * Reconnect when sent messages stay unacknowledged and the server says nothing for this
   * many ms (default 30000): catches half-open TCP connections the browser has not noticed.
   */
  silenceTimeoutMs?: number;
  /** Reconnect delays (default 0.5 s .. 10 s). */
  backoff?: BackoffOptions;
  /** Stream to resume from the first `hello` on (an earlier page's stream, from the backlog store). */
  resumeStreamId?: string;
  /** Uniform random numbers in [0, 1) for jitter (default `Math.random`). */
  random?: () => number;
  /** Events to send (`event` messages, acknowledged by `event-ack`); none when absent. */
  eventQueue?: EventQueue;
}

const OPEN = 1;
/** States after which the sender never reconnects. */
const FINAL_STATES: ReadonlySet<ConnectionState> = new Set(['stopped', 'failed', 'ended']);
/** Close code for a page that goes away (RFC 6455 §7.4.1): the stream may resume. */
export const CLOSE_GOING_AWAY = 1001;
const POLL_MS = 25;

/** WebSocket client with reliable, resumable upload; see the module comment. */
export class SentinelSender {
  private readonly opts: Required<Omit<SentinelSenderOptions, 'events' | 'backoff' | 'random' | 'resumeStreamId' | 'eventQueue'>>;
  private readonly eventQueue: EventQueue | null;
  private readonly events: SenderEvents;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  /** The last `welcome.reconnectSpreadMs` (0 before any welcome). */
  private reconnectSpread = 0;
  private socket: SocketLike | null = null;
  private currentState: ConnectionState = 'idle';
  private resumeStreamId: string | null = null;
  private welcomed = false;
  private everWelcomed = false;
  private sentBytes = 0;
  private reconnectCount = 0;
  private lastServerMessageMs = 0;
  private connectTimer: unknown = null;
  private reconnectTimer: unknown = null;
  private statusTimer: unknown = null;
  private pumpTimer: unknown = null;
  private watchdogTimer: unknown = null;
  private lastErrorText: string | null = null;
  private uploadOnly = false;
  private welcomeAtMs: number | null = null;

  constructor(options: SentinelSenderOptions) {
    assertObject('options', options);
    if (typeof options.url !== 'string' || !/^wss?:\/\//i.test(options.url)) {
      throw new TypeError(`options.url must be a ws: or wss: URL, got ${JSON.stringify(options.url)}`);
    }
    assertObject('options.hello', options.hello);
    if (typeof options.status !== 'function') throw new TypeError('options.status must be a function');
    const statusIntervalMs = options.statusIntervalMs ?? STATUS_INTERVAL_MS;
    const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    // 30 s: when a whole exam starts at once the server welcomes joins in turns (VIGIL_JOIN_CONCURRENCY),
    // and giving up sends this Sentinel to the back of that queue
    const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    const silenceTimeoutMs = options.silenceTimeoutMs ?? 30_000;
    assertIntegerInRange('options.statusIntervalMs', statusIntervalMs, 100);
    assertIntegerInRange('options.maxBufferedBytes', maxBufferedBytes, 64 * 1024);
    assertIntegerInRange('options.connectTimeoutMs', connectTimeoutMs, 100);
    assertIntegerInRange('options.silenceTimeoutMs', silenceTimeoutMs, 1_000);
    this.opts = {
      url: options.url,
      hello: options.hello,
      queue: options.queue,
      status: options.status,
      scheduler: options.scheduler,
      createSocket: options.createSocket ?? ((url) => new WebSocket(url)),
      statusIntervalMs,
      maxBufferedBytes,
      connectTimeoutMs,
      silenceTimeoutMs,
    };
    this.events = options.events ?? {};
    this.eventQueue = options.eventQueue ?? null;
    this.random = options.random ?? Math.random;
    this.backoff = new Backoff(options.backoff ?? {}, this.random);
    if (options.resumeStreamId !== undefined) {
      if (typeof options.resumeStreamId !== 'string' || !ID_PATTERN.test(options.resumeStreamId)) {
        throw new TypeError(`options.resumeStreamId must be a stream id (1..128 of A-Z a-z 0-9 . _ : -), got ${JSON.stringify(options.resumeStreamId)}`);
      }
      this.resumeStreamId = options.resumeStreamId;
    }
  }

  /** True in upload-only mode (capture has stopped; the backlog is being uploaded). */
  get uploadingOnly(): boolean {
    return this.uploadOnly;
  }

  /** True while a welcomed socket is open. */
  get connected(): boolean {
    return this.welcomed;
  }

  /** `scheduler.now()` of the last accepted `welcome` (ms), or null. */
  get lastWelcomeAtMs(): number | null {
    return this.welcomeAtMs;
  }

  /** Current connection state. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** The stream id from the last `welcome`, or null. */
  get streamId(): string | null {
    return this.resumeStreamId;
  }

  /** Media bytes handed to sockets, headers included, resends counted again. */
  get bytesSent(): number {
    return this.sentBytes;
  }

  /** Connection attempts after the first. */
  get reconnects(): number {
    return this.reconnectCount;
  }

  /** Last error text, or null. */
  get lastError(): string | null {
    return this.lastErrorText;
  }

  /**
   * Resumes this stream from the first `hello` on (an earlier page's stream, found in the
   * backlog store). Only before `start()`.
   * @throws TypeError on an invalid id; Error once started
   */
  resumeStream(streamId: string): void {
    if (typeof streamId !== 'string' || !ID_PATTERN.test(streamId)) {
      throw new TypeError(`streamId must be a stream id (1..128 of A-Z a-z 0-9 . _ : -), got ${JSON.stringify(streamId)}`);
    }
    if (this.currentState !== 'idle') throw new Error(`resumeStream() must come before start(); the sender is ${this.currentState}`);
    this.resumeStreamId = streamId;
  }

  /** Starts connecting. Idempotent while running. */
  start(): void {
    if (this.currentState !== 'idle') return;
    this.connect();
  }

  /**
   * Closes the socket and stops reconnecting. Idempotent. The queue is left as it is (the
   * backlog store keeps it for the next page).
   * @param code WebSocket close code: 1000 (default) or {@link CLOSE_GOING_AWAY} (page unload: the stream may resume)
   */
  stop(code = 1000): void {
    if (this.currentState === 'stopped') return;
    this.clearTimers();
    this.abandonSocket(code, code === CLOSE_GOING_AWAY ? 'page going away' : 'sentinel stopped');
    this.setState('stopped');
  }

  /**
   * Capture has stopped for good: upload what is queued, then end (state `ended`, `drained`).
   * With nothing queued it ends at once. Keeps a welcomed capture connection (the server takes
   * the backlog on it); otherwise connects with `hello {uploadOnly: true, streamId}`. No-op in
   * a final state.
   */
  drain(): void {
    if (FINAL_STATES.has(this.currentState)) return;
    this.uploadOnly = true;
    if (this.opts.queue.depth === 0) {
      this.finishDrain();
      return;
    }
    this.setState('uploading');
    if (this.welcomed) {
      this.pump();
      return;
    }
    if (this.socket === null && this.reconnectTimer === null) this.connect();
  }

  /** Sends whatever the queue holds that this socket has not had yet (call after pushing). */
  pump(): void {
    const socket = this.socket;
    if (!this.welcomed || socket === null || socket.readyState !== OPEN) return;
    const events = this.eventQueue;
    if (events !== null) {
      for (let e = events.peekUnsent(); e !== undefined; e = events.peekUnsent()) {
        try {
          socket.send(encodeControl(events.toMessage(e)));
        } catch (error) {
          this.reportError(`event ${e.kind} not sent: ${errorText(error)}`, false);
        }
        events.markSent();
      }
    }
    const queue = this.opts.queue;
    for (let msg = queue.peekUnsent(); msg !== undefined; msg = queue.peekUnsent()) {
      if (socket.bufferedAmount >= this.opts.maxBufferedBytes) {
        if (this.pumpTimer === null) {
          this.pumpTimer = this.opts.scheduler.setTimeout(() => {
            this.pumpTimer = null;
            this.pump();
          }, POLL_MS);
        }
        return;
      }
      if (msg.gaps !== undefined) {
        for (const gap of msg.gaps) socket.send(encodeControl({ type: 'gap', fromMs: gap.fromMs, toMs: gap.toMs, reason: gap.reason }));
      }
      socket.send(msg.data);
      queue.markSent();
      this.sentBytes += msg.data.byteLength;
    }
  }

  private connect(): void {
    this.clearTimers();
    this.welcomed = false;
    this.setState(this.uploadOnly ? 'uploading' : this.everWelcomed || this.reconnectCount > 0 ? 'reconnecting' : 'connecting');
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url);
    } catch (error) {
      this.reportError(`cannot open ${this.opts.url}: ${errorText(error)}`, false);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.onOpen(socket);
    socket.onmessage = (event) => this.onMessage(socket, event);
    socket.onclose = (event) => this.onClose(socket, event);
    socket.onerror = () => undefined; // a close event always follows
    this.connectTimer = this.opts.scheduler.setTimeout(() => {
      this.connectTimer = null;
      if (this.socket === socket && !this.welcomed) {
        this.reportError(`no welcome from the server within ${this.opts.connectTimeoutMs} ms`, false);
        this.dropConnection();
      }
    }, this.opts.connectTimeoutMs);
  }

  private onOpen(socket: SocketLike): void {
    if (socket !== this.socket) return;
    const hello: HelloMessage = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      ...this.opts.hello,
      ...(this.resumeStreamId !== null ? { streamId: this.resumeStreamId } : {}),
      ...(this.uploadOnly && this.resumeStreamId !== null ? { uploadOnly: true } : {}),
    };
    let text: string;
    try {
      text = encodeControl(hello);
    } catch (error) {
      // Our own configuration is invalid (e.g. a missing seat token): retrying cannot help.
      this.fail(`cannot send hello: ${errorText(error)}`);
      return;
    }
    socket.send(text);
  }

  private onMessage(socket: SocketLike, event: MessageEvent): void {
    if (socket !== this.socket) return;
    this.lastServerMessageMs = this.opts.scheduler.now();
    if (typeof event.data !== 'string') {
      this.reportError('the server sent a binary message; the Sentinel expects only JSON text from it', false);
      return;
    }
    let message;
    try {
      message = parseServerToSentinel(event.data);
    } catch (error) {
      this.reportError(`ignored a bad server message: ${errorText(error)}`, false);
      return;
    }
    switch (message.type) {
      case 'welcome':
        this.onWelcome(message);
        break;
      case 'ack':
        if (!this.welcomed) return;
        try {
          this.opts.queue.ack(message.sequence);
        } catch (error) {
          this.reportError(`ignored ack: ${errorText(error)}`, false);
          return;
        }
        this.emit(() => this.events.ack?.(message.sequence));
        if (this.uploadOnly && this.opts.queue.depth === 0) this.finishDrain();
        break;
      case 'event-ack':
        this.eventQueue?.ack(message.seq);
        break;
      case 'keyframe':
        this.emit(() => this.events.keyframe?.(message.reason));
        break;
      case 'set-fps':
        this.emit(() => this.events.setFps?.(message.fps, message.reason));
        break;
      case 'stop':
        this.onStop(message);
        break;
      case 'error':
        this.onServerError(message);
        break;
    }
  }

  /**
   * The server ended the stream for good: close normally; upload what is still queued with
   * upload-only connections (the server decides whether it takes it), else end.
   */
  private onStop(message: StopMessage): void {
    this.clearTimers();
    this.abandonSocket(1000, 'stream ended by the server');
    const wasUploading = this.uploadOnly;
    this.emit(() => this.events.ended?.(message.reason, message.message));
    if (wasUploading || this.opts.queue.depth === 0 || this.resumeStreamId === null) {
      this.setState('ended');
      return;
    }
    this.uploadOnly = true;
    this.backoff.reset();
    this.scheduleReconnect();
  }

  /** Every queued message is acknowledged in upload-only mode: close normally and end. */
  private finishDrain(): void {
    this.clearTimers();
    this.abandonSocket(1000, 'backlog uploaded');
    this.setState('ended');
    this.emit(() => this.events.drained?.());
  }

  private onWelcome(welcome: WelcomeMessage): void {
    if (this.welcomed) {
      this.reportError('ignored a second welcome on the same connection', false);
      return;
    }
    const queue = this.opts.queue;
    const requested = this.resumeStreamId;
    // A stream we asked to resume (this page's or an earlier page's) and got another one.
    const newStream = (this.everWelcomed || requested !== null) && welcome.streamId !== requested;
    const impossible = welcome.lastAckedSequence > queue.highestSequence;
    let resumed = requested !== null && welcome.streamId === requested;
    if (newStream || impossible) {
      // The server does not continue our stream: renumber after what it has and start over.
      const firstSequence = welcome.lastAckedSequence + 1;
      queue.reset(firstSequence);
      resumed = false;
      this.emit(() => this.events.streamReset?.(firstSequence, welcome));
    } else {
      if (welcome.lastAckedSequence < queue.lastAcked) {
        this.reportError(
          `the server has only up to #${welcome.lastAckedSequence} but acknowledged #${queue.lastAcked} before; ` +
            'those messages cannot be resent',
          false,
        );
      } else {
        queue.ack(welcome.lastAckedSequence);
      }
      queue.rewind();
    }
    this.resumeStreamId = welcome.streamId;
    this.reconnectSpread = welcome.reconnectSpreadMs ?? 0;
    this.eventQueue?.rewind();
    this.welcomed = true;
    this.everWelcomed = true;
    this.welcomeAtMs = this.opts.scheduler.now();
    this.backoff.reset();
    if (this.connectTimer !== null) {
      this.opts.scheduler.clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.setState(this.uploadOnly ? 'uploading' : 'connected');
    this.emit(() => this.events.welcome?.(welcome, resumed));
    this.sendStatus();
    this.scheduleStatus();
    this.scheduleWatchdog();
    if (this.uploadOnly && queue.depth === 0) {
      this.finishDrain();
      return;
    }
    this.pump();
  }

  private onServerError(message: ErrorMessage): void {
    const text = `server error ${message.code}: ${message.message}`;
    const refused = message.fatal && (message.code === 'auth-failed' || message.code === 'not-allowed');
    if (refused && !this.uploadOnly && this.resumeStreamId !== null && this.opts.queue.depth > 0) {
      // Capture refused while a backlog waits (the exam is over, its seat token expired):
      // stop capturing and try once more as an upload-only connection, which the server
      // accepts for a grace period after the exam's end.
      this.uploadOnly = true;
      this.reportError(text, false, message.code);
      this.emit(() => this.events.captureClosed?.(message.message));
      return; // the server closes the socket; onClose reconnects in upload-only mode
    }
    if (message.fatal && (message.code === 'auth-failed' || message.code === 'auth-required' || (message.code === 'not-allowed' && this.uploadOnly))) {
      // refused for good; in upload-only mode even the backlog upload (grace period over, seat revoked)
      this.fail(this.uploadOnly ? `${text} (${this.opts.queue.depth} queued messages could not be uploaded)` : text, message.code);
      return;
    }
    if (message.code === 'unknown-stream' || message.code === 'sequence-gap') {
      // Our stream cannot be continued: the next hello opens a new one.
      this.resumeStreamId = null;
    }
    this.reportError(text, false, message.code);
    // On a fatal error the server closes the socket; onClose schedules the reconnect.
  }

  private onClose(socket: SocketLike, event: CloseEvent): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.welcomed = false;
    if (FINAL_STATES.has(this.currentState)) return;
    const why = event.reason ? `${event.code} ${event.reason}` : `${event.code}`;
    this.reportError(`connection closed (${why})`, false);
    this.scheduleReconnect();
  }

  private dropConnection(): void {
    this.abandonSocket(4000, 'sentinel reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.clearTimers();
    this.welcomed = false;
    this.setState(this.uploadOnly ? 'uploading' : 'reconnecting');
    const delay = Math.max(this.backoff.next(), this.reconnectSpread > 0 ? this.random() * this.reconnectSpread : 0);
    this.reconnectTimer = this.opts.scheduler.setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnectCount++;
      this.connect();
    }, delay);
  }

  private scheduleStatus(): void {
    this.statusTimer = this.opts.scheduler.setTimeout(() => {
      this.statusTimer = null;
      if (!this.welcomed) return;
      this.sendStatus();
      this.scheduleStatus();
    }, this.opts.statusIntervalMs);
  }

  private sendStatus(): void {
    const socket = this.socket;
    if (socket === null || socket.readyState !== OPEN) return;
    try {
      const fields = this.opts.status();
      socket.send(
        encodeControl({
          type: 'status',
          ...fields,
          queueDepth: this.opts.queue.depth,
          queueBytes: this.opts.queue.bytes,
          bytesSent: this.sentBytes,
        }),
      );
    } catch (error) {
      this.reportError(`cannot send status: ${errorText(error)}`, false);
    }
  }

  private scheduleWatchdog(): void {
    const period = Math.min(5_000, this.opts.silenceTimeoutMs / 2);
    this.watchdogTimer = this.opts.scheduler.setTimeout(() => {
      this.watchdogTimer = null;
      if (!this.welcomed) return;
      const queue = this.opts.queue;
      const waiting = queue.depth > queue.unsentCount; // sent but unacknowledged
      const silentMs = this.opts.scheduler.now() - this.lastServerMessageMs;
      if (waiting && silentMs > this.opts.silenceTimeoutMs) {
        this.reportError(`no answer from the server for ${Math.round(silentMs / 1000)} s; reconnecting`, false);
        this.dropConnection();
        return;
      }
      this.scheduleWatchdog();
    }, period);
  }

  private fail(text: string, code?: ErrorMessage['code']): void {
    this.clearTimers();
    this.abandonSocket(1000, 'sentinel gave up');
    this.setState('failed');
    this.reportError(text, true, code);
  }

  /** Detaches and closes the current socket; no events from it are handled afterwards. */
  private abandonSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    if (socket === null) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch {
      // already closed
    }
  }

  private clearTimers(): void {
    const s = this.opts.scheduler;
    for (const key of ['connectTimer', 'reconnectTimer', 'statusTimer', 'pumpTimer', 'watchdogTimer'] as const) {
      if (this[key] !== null) {
        s.clearTimeout(this[key]);
        this[key] = null;
      }
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit(() => this.events.state?.(state));
  }

  private reportError(text: string, fatal: boolean, code?: ErrorMessage['code']): void {
    this.lastErrorText = text;
    this.emit(() => this.events.error?.(text, fatal, code));
  }

  private emit(call: () => void): void {
    try {
      call();
    } catch (error) {
      console.error('Sentinel sender listener failed', error);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
