/**
 * The live view's player, started before Angular (issue 10: page open → first frame ≤ 600 ms).
 *
 * On a live view's address (`/streams/:streamId`) main.ts loads this chunk alongside Angular.
 * It puts a `<video>` on an early stage (a dark layer over the page, `styles.scss`
 * `.vigil-early-stage`), runs an {@link MsePlayer} on it and feeds it the early subscription's
 * messages from the early socket (`early-start.ts`, {@link attachEarlyConsumer}) through the
 * same pipeline stages as the live view (`demuxChannel`, `gateMedia`). So the first frame is
 * on screen while Angular still boots, instead of after it (the player used to be created at
 * about 700–850 ms on a 2-core machine, its MediaSource opening some 90 ms later).
 *
 * The live view adopts it ({@link takeEarlyPlayer}): it moves the same `<video>` (with its
 * MediaSource and everything buffered) into its page and continues the pipeline where the
 * early one stopped ({@link PipelineResume}). A page that never adopts it (the router lands
 * elsewhere: the login page, another exam's stream) discards it ({@link discardEarlyPlayer}),
 * and so does a timer after {@link EARLY_CLAIM_TIMEOUT_MS}.
 *
 * Imports no Angular: it must not wait for Angular's code.
 */
import { Subject, type Subscription } from 'rxjs';
import { MsePlayer, type PlayerSnapshot } from '../player/mse-player';
import type { ServerToProctorMessage } from '@vigil/protocol';
import { decodeSocketFrame, demuxChannel, gateMedia, type PipelineResume, type SocketMessage } from '../player/media-pipeline';
import { EARLY_CLAIM_TIMEOUT_MS, MAX_HELD_MESSAGES, holdStep, type HoldState } from './early-hold';
import { attachEarlyConsumer, detachEarlyConsumer } from './early-start';
import { earlySubscription } from './early-routes';

/** Class of the early stage (styles.scss). */
const EARLY_STAGE_CLASS = 'vigil-early-stage';

/** What the adopting view wants to hear from the player (its {@link MsePlayer} options). */
export interface EarlyPlayerHooks {
  onSnapshot(snapshot: PlayerSnapshot): void;
  onRecover(): void;
}

/** The early player as the live view takes it over. */
export interface AdoptedPlayer {
  readonly player: MsePlayer;
  /** The `<video>` it plays in, still on the early stage: the view moves it into its page. */
  readonly video: HTMLVideoElement;
  /**
   * Where the view's pipeline continues (see `subscribeToStream`); null when it must subscribe
   * afresh (the early player recovered from an error, or had more messages than it keeps).
   */
  readonly resume: PipelineResume | null;
}

/** Why a subscription ends (libs/protocol `unsubscribeReasonSchema`). */
const UNSUBSCRIBE_REASONS: readonly unknown[] = ['requested', 'stream-ended', 'too-slow', 'error'];
const isCount = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * The early socket's text frames, without the protocol's schemas (zod and every message's
 * schema: about 110 kB of code to load and run before the first frame): of the messages
 * the server sends a proctor, the three of a subscription (`subscribed`, `unsubscribed`,
 * `error`) with their fields' types and ranges checked (the live view's pipeline checks every
 * message with libs/protocol `parseServerToProctor`); `streams` and anything else is refused,
 * which the early player ignores.
 * @throws Error for anything else
 */
export function parseSubscriptionText(text: string): ServerToProctorMessage {
  const m: unknown = JSON.parse(text);
  if (typeof m !== 'object' || m === null) throw new Error('not a JSON object');
  const o = m as Record<string, unknown>;
  switch (o['type']) {
    case 'subscribed':
      if (isText(o['streamId']) && isCount(o['channel'], 0xffffffff) && (o['codec'] === null || isText(o['codec'])) && isCount(o['width'], 65535) && isCount(o['height'], 65535)) {
        return { type: 'subscribed', streamId: o['streamId'], channel: o['channel'], codec: o['codec'] as string | null, width: o['width'], height: o['height'] };
      }
      break;
    case 'unsubscribed':
      if (isCount(o['channel'], 0xffffffff) && UNSUBSCRIBE_REASONS.includes(o['reason'])) {
        return { type: 'unsubscribed', channel: o['channel'], reason: o['reason'] as 'requested' };
      }
      break;
    case 'error':
      if (isText(o['code']) && isText(o['message']) && typeof o['fatal'] === 'boolean') {
        return { type: 'error', code: o['code'] as 'internal', message: o['message'], fatal: o['fatal'] };
      }
      break;
  }
  throw new Error(`not a subscription message: ${String(o['type'])}`);
}

class EarlyPlayer {
  readonly stage: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly player: MsePlayer;
  private hooks: EarlyPlayerHooks | null = null;
  private hold: HoldState;
  private replay: SocketMessage[] = [];
  private delivered = 0;
  /** The replay no longer matches what the player had (too many messages, a recovery). */
  private broken = false;
  private readonly input = new Subject<SocketMessage>();
  private readonly pipeline: Subscription;
  private readonly timer: ReturnType<typeof setTimeout>;
  /** Called once when no first frame is to be waited for any more (see {@link earlyFirstFrame}). */
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly streamId: string,
    doc: Document,
  ) {
    this.hold = { streamId, channel: null };
    this.stage = doc.createElement('div');
    this.stage.className = EARLY_STAGE_CLASS;
    this.stage.dataset['testid'] = 'early-stage';
    this.video = doc.createElement('video');
    this.stage.append(this.video);
    doc.body.append(this.stage);
    this.player = new MsePlayer(this.video, {
      onSnapshot: (s) => this.hooks?.onSnapshot(s),
      onRecover: () => {
        this.broken = true; // the player wants an init segment and a join fragment again
        this.hooks?.onRecover();
      },
    });
    this.pipeline = this.input.pipe(demuxChannel(streamId), gateMedia()).subscribe((ev) => {
      this.delivered++;
      this.player.handle(ev);
      // refused (an unknown stream, another exam's) or ended: no picture is coming, Angular need not wait
      if (ev.kind === 'error' || ev.kind === 'unsubscribed') this.release();
    });
    if (typeof this.video.requestVideoFrameCallback === 'function') this.video.requestVideoFrameCallback(() => this.release());
    this.timer = setTimeout(() => {
      if (current === this) discardEarlyPlayer();
    }, EARLY_CLAIM_TIMEOUT_MS);
  }

  /** One raw message of the early socket: the early subscription's go to the pipeline. */
  consume(data: string | ArrayBuffer): void {
    try {
      const msg = decodeSocketFrame(data, parseSubscriptionText);
      const [state, ours] = holdStep(this.hold, msg);
      this.hold = state;
      if (!ours) return;
      if (this.replay.length < MAX_HELD_MESSAGES) this.replay.push(msg);
      else this.broken = true;
      this.input.next(msg);
    } catch {
      this.broken = true; // not expected (the stages and the player report errors as events): the view starts afresh
    }
  }

  /** Resolves when its first frame is on screen, or when none is to be waited for (see {@link earlyFirstFrame}). */
  whenShownOrSettled(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No first frame to wait for any more: shown, refused, handed over or discarded. */
  release(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Stops feeding; the player and its `<video>` go to the caller. */
  handOver(hooks: EarlyPlayerHooks): AdoptedPlayer {
    this.release();
    clearTimeout(this.timer);
    detachEarlyConsumer();
    this.pipeline.unsubscribe();
    this.hooks = hooks; // the player's callbacks keep this object alive: it lets go of the messages
    const resume = this.broken ? null : { replay: this.replay, delivered: this.delivered };
    this.replay = [];
    return { player: this.player, video: this.video, resume };
  }

  destroy(): void {
    this.release();
    clearTimeout(this.timer);
    detachEarlyConsumer();
    this.pipeline.unsubscribe();
    this.player.destroy();
    this.video.removeAttribute('src');
    this.stage.remove();
  }
}

let current: EarlyPlayer | null = null;
/** The page has decided (adopted, discarded, or went on without one): a player loading late must not start. */
let settled = false;

/**
 * Starts the early player for `streamId` on the early socket (main.ts, on a live view's
 * address, once). Does nothing without MediaSource or without an early socket.
 * @returns whether it started
 */
export function startEarlyPlayer(streamId: string, doc: Document = document): boolean {
  if (settled || current || typeof MediaSource === 'undefined' || !doc.body) return false;
  const early = new EarlyPlayer(streamId, doc);
  current = early;
  const attached = attachEarlyConsumer(
    (data) => early.consume(data),
    () => {
      if (current === early) discardEarlyPlayer(); // refused (no session) or dropped before the live view came: no picture to show
    },
  );
  if (!attached) {
    discardEarlyPlayer();
    return false;
  }
  return true;
}

/**
 * The early player of `streamId`, once: from now on the caller owns its player, its `<video>`
 * (still on the early stage: the caller moves it into its page, and the stage goes) and the
 * early subscription (through `ProctorConnection.claimEarly`, with the returned resume point).
 * Null when there is none for this stream (a different stream's is discarded).
 */
export function takeEarlyPlayer(streamId: string, hooks: EarlyPlayerHooks): AdoptedPlayer | null {
  settled = true;
  const early = current;
  if (!early) return null;
  if (early.streamId !== streamId) {
    discardEarlyPlayer();
    return null;
  }
  current = null;
  const adopted = early.handOver(hooks);
  early.stage.remove(); // the caller has moved the video already, or does so now: the stage is empty either way
  return adopted;
}

/**
 * Resolves when the early player has put its first frame on screen (`requestVideoFrameCallback`),
 * or no frame is coming (the server refused or ended the subscription, the socket closed, the
 * player was discarded), or after `maxMs`; at once without an early player. main.ts boots
 * Angular after it, so the picture does not share this machine's cores with Angular's start.
 */
export function earlyFirstFrame(maxMs: number): Promise<void> {
  const early = current;
  if (!early) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    void early.whenShownOrSettled().then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Stops and removes the early player, if any (the page shown is not its live view). Idempotent. */
export function discardEarlyPlayer(): void {
  settled = true;
  const early = current;
  current = null;
  early?.destroy();
}

/**
 * After a navigation: discards the early player unless the page now shown is its live view
 * (whose component adopts it); with none started yet, none starts any more. bootstrap.ts's
 * router hook.
 */
export function keepEarlyPlayerFor(pathname: string, search: string): void {
  if (!current || earlySubscription(pathname, search) !== current.streamId) discardEarlyPlayer();
}
