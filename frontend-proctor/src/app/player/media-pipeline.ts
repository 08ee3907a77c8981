/**
 * The media pipeline: proctor WebSocket messages in, init segments and fragments ready
 * for a SourceBuffer out. Pure RxJS stages, each testable on its own with
 * plain arrays (`from([...]).pipe(stage, toArray())`):
 *
 *   raw WebSocket data ──decodeSocketData (socket-decode.ts)──▶ SocketMessage
 *     ──demuxChannel(streamId)──▶ subscribed / unsubscribed / RawMediaMessage / error
 *     ──gateMedia()──▶ parsed InitSegment / ParsedFragment (decodable order only)
 *     ──▶ SourceBufferQueue (see source-buffer-queue.ts)
 *
 * `subscribeToStream()` ties the stages to a transport and sends the
 * `subscribe` / `unsubscribe` messages.
 */
import { Observable, OperatorFunction, Subscription, concat, concatMap, defer, from, skip, tap } from 'rxjs';
// the media messages' module alone: this file is in the early player's code (core/early-player.ts), which loads without the control messages' schemas
import { MediaFlags, MediaKind, decodeMediaMessage, type MediaHeader } from '@vigil/protocol/media';
import type { ProctorMessage, ServerToProctorMessage } from '@vigil/protocol';
import { parseFragment, parseInitSegment, type FragmentInfo, type InitSegmentInfo } from '@vigil/fmp4';
import { errorMessage, playerError, type PlayerError } from './player-events';

// ---------------------------------------------------------------------------
// Stage 1: WebSocket data -> SocketMessage

/** One decoded proctor WebSocket message. */
export type SocketMessage =
  /** A JSON text frame, validated by `parseServerToProctor`. */
  | { readonly type: 'text'; readonly message: ServerToProctorMessage }
  /** A binary frame: 16-byte media header + payload (a subarray, no copy). */
  | { readonly type: 'media'; readonly header: MediaHeader; readonly payload: Uint8Array }
  /** A frame that does not follow @vigil/protocol. */
  | { readonly type: 'invalid'; readonly error: PlayerError };

/**
 * Decodes one WebSocket message (`MessageEvent.data` with `binaryType = 'arraybuffer'`), its
 * text frames read by `parseText` (which throws on what it refuses): `decodeSocketData`
 * (socket-decode.ts) with libs/protocol's `parseServerToProctor`, the early player with its
 * lighter reader (`core/early-player.ts`). Never throws: malformed input becomes
 * `{ type: 'invalid' }`.
 */
export function decodeSocketFrame(
  data: string | ArrayBuffer | ArrayBufferView,
  parseText: (text: string) => ServerToProctorMessage,
): SocketMessage {
  try {
    if (typeof data === 'string') {
      return { type: 'text', message: parseText(data) };
    }
    const bytes =
      data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const { header, payload } = decodeMediaMessage(bytes, { direction: 'server-to-proctor' });
    return { type: 'media', header, payload };
  } catch (err) {
    return { type: 'invalid', error: playerError('networkError', 'badMessage', false, errorMessage(err)) };
  }
}

// ---------------------------------------------------------------------------
// Stage 2: demultiplex one subscription channel

/** Media bytes of one subscription, as they came off the wire. */
export interface RawMediaMessage {
  readonly kind: 'init' | 'fragment';
  /** The init segment or fragment bytes (fMP4), unchanged. */
  readonly bytes: Uint8Array;
  /** Per-stream sequence number (init segments and fragments share it), >= 1. */
  readonly sequence: number;
  /** JOIN flag: the fragment starts with an IDR frame (a decoder can start here). */
  readonly join: boolean;
  /** REPLAY flag: sent from the server's memory buffer on subscribe, not live. */
  readonly replay: boolean;
}

/** `subscribed` for our stream: the channel the media arrives on. */
export interface SubscribedEvent {
  readonly kind: 'subscribed';
  readonly streamId: string;
  readonly channel: number;
  /** Codec string of the stream's current init segment; null when none exists yet. */
  readonly codec: string | null;
  /** Pixels; 0 when not known yet. */
  readonly width: number;
  readonly height: number;
}

/** The server ended our subscription. */
export interface UnsubscribedEvent {
  readonly kind: 'unsubscribed';
  readonly channel: number;
  readonly reason: 'requested' | 'stream-ended' | 'too-slow' | 'error';
}

/** An error event travelling down the pipeline. */
export interface ErrorEvent {
  readonly kind: 'error';
  readonly error: PlayerError;
}

/** Output of {@link demuxChannel}. */
export type ChannelEvent = SubscribedEvent | UnsubscribedEvent | RawMediaMessage | ErrorEvent;

/** State of {@link demuxStep}: the channel of our subscription, null before `subscribed`. */
export interface DemuxState {
  readonly channel: number | null;
}

/**
 * Pure reducer behind {@link demuxChannel}. Media on other channels (other
 * viewers' subscriptions in the same portal) and `streams` lists are ignored.
 */
export function demuxStep(state: DemuxState, msg: SocketMessage, streamId: string): [DemuxState, ChannelEvent[]] {
  switch (msg.type) {
    case 'invalid':
      return [state, [{ kind: 'error', error: msg.error }]];
    case 'media': {
      if (state.channel === null || msg.header.channel !== state.channel) return [state, []];
      const seg: RawMediaMessage = {
        kind: msg.header.kind === MediaKind.InitSegment ? 'init' : 'fragment',
        bytes: msg.payload,
        sequence: msg.header.sequence,
        join: (msg.header.flags & MediaFlags.Join) !== 0,
        replay: (msg.header.flags & MediaFlags.Replay) !== 0,
      };
      return [state, [seg]];
    }
    case 'text': {
      const m = msg.message;
      switch (m.type) {
        case 'subscribed':
          if (m.streamId !== streamId) return [state, []];
          return [
            { channel: m.channel },
            [{ kind: 'subscribed', streamId: m.streamId, channel: m.channel, codec: m.codec, width: m.width, height: m.height }],
          ];
        case 'unsubscribed':
          if (m.channel !== state.channel) return [state, []];
          return [{ channel: null }, [{ kind: 'unsubscribed', channel: m.channel, reason: m.reason }]];
        case 'error':
          return [
            state,
            [{ kind: 'error', error: playerError('networkError', 'serverError', false, `${m.code}: ${m.message}`) }],
          ];
        default:
          return [state, []];
      }
    }
  }
}

/** Stage 2 operator: keeps the events of the subscription to `streamId`. */
export function demuxChannel(streamId: string): OperatorFunction<SocketMessage, ChannelEvent> {
  return stateful<DemuxState, SocketMessage, ChannelEvent>(() => ({ channel: null }), (s, m) => demuxStep(s, m, streamId));
}

// ---------------------------------------------------------------------------
// Stage 3: parse and gate init segments and fragments so the SourceBuffer only sees decodable input

/** A parsed init segment (ISO/IEC 14496-12 `ftyp` + `moov`). */
export interface InitSegment extends RawMediaMessage {
  readonly kind: 'init';
  readonly info: InitSegmentInfo;
}

/** A parsed fragment (`prft` + `moof` + `mdat`). */
export interface ParsedFragment extends RawMediaMessage {
  readonly kind: 'fragment';
  readonly info: FragmentInfo;
}

/** A fragment the gate did not pass on, and why. */
export interface DroppedEvent {
  readonly kind: 'dropped';
  readonly sequence: number;
  readonly reason: 'no-init' | 'waiting-for-join' | 'duplicate' | 'unparseable';
}

/** Output of {@link gateMedia}. */
export type MediaEvent = SubscribedEvent | UnsubscribedEvent | ErrorEvent | InitSegment | ParsedFragment | DroppedEvent;

/** State of {@link gateStep}. */
export interface GateState {
  /** An init segment has been passed on for the current subscription. */
  readonly haveInit: boolean;
  /** Drop fragments until the next join fragment (after an init segment, a gap or a bad fragment). */
  readonly waitingForJoin: boolean;
  /** Sequence number of the last segment passed on, or null. */
  readonly lastSequence: number | null;
}

/** Initial {@link GateState}. */
export const INITIAL_GATE_STATE: GateState = { haveInit: false, waitingForJoin: true, lastSequence: null };

/**
 * Pure reducer behind {@link gateMedia}.
 *
 * - `subscribed` resets the state: the server starts again with an init segment.
 * - Init segments are parsed (`parseInitSegment`); after one, only a join
 *   fragment may follow (the server sends the latest join fragment next; a
 *   new init segment on a resolution change is followed by an IDR).
 * - A fragment whose sequence number is not `last + 1` lost a frame that later
 *   frames reference (H.264 P frames), so the gate reports `sequenceGap` and
 *   waits for the next join fragment (DESIGN.md "Join flow", step 5).
 * - A fragment that does not parse is dropped the same way.
 */
export function gateStep(state: GateState, ev: ChannelEvent): [GateState, MediaEvent[]] {
  if (ev.kind === 'subscribed') return [INITIAL_GATE_STATE, [ev]];
  if (ev.kind === 'unsubscribed' || ev.kind === 'error') return [state, [ev]];

  if (state.lastSequence !== null && ev.sequence <= state.lastSequence) {
    return [state, [{ kind: 'dropped', sequence: ev.sequence, reason: 'duplicate' }]];
  }

  if (ev.kind === 'init') {
    let info: InitSegmentInfo;
    try {
      info = parseInitSegment(ev.bytes);
    } catch (err) {
      const error = playerError('muxError', 'initParsingError', false, `init segment ${ev.sequence}: ${errorMessage(err)}`);
      // Fragments after a broken init segment cannot be decoded with the previous one.
      return [{ haveInit: false, waitingForJoin: true, lastSequence: ev.sequence }, [{ kind: 'error', error }]];
    }
    const init: InitSegment = { ...ev, kind: 'init', info };
    return [{ haveInit: true, waitingForJoin: true, lastSequence: ev.sequence }, [init]];
  }

  if (!state.haveInit) return [state, [{ kind: 'dropped', sequence: ev.sequence, reason: 'no-init' }]];

  let info: FragmentInfo;
  try {
    info = parseFragment(ev.bytes);
  } catch (err) {
    const error = playerError('muxError', 'fragParsingError', false, `fragment ${ev.sequence}: ${errorMessage(err)}`);
    return [
      { ...state, waitingForJoin: true, lastSequence: ev.sequence },
      [{ kind: 'error', error }, { kind: 'dropped', sequence: ev.sequence, reason: 'unparseable' }],
    ];
  }
  const join = ev.join || info.isSync;
  const out: MediaEvent[] = [];
  let waitingForJoin = state.waitingForJoin;
  if (!waitingForJoin && state.lastSequence !== null && ev.sequence !== state.lastSequence + 1) {
    waitingForJoin = true;
    out.push({
      kind: 'error',
      error: playerError(
        'networkError',
        'sequenceGap',
        false,
        `sequence ${state.lastSequence} -> ${ev.sequence}: waiting for the next join fragment`,
      ),
    });
  }
  if (waitingForJoin && !join) {
    out.push({ kind: 'dropped', sequence: ev.sequence, reason: 'waiting-for-join' });
    return [{ ...state, waitingForJoin: true, lastSequence: ev.sequence }, out];
  }
  out.push({ ...ev, kind: 'fragment', join, info });
  return [{ haveInit: true, waitingForJoin: false, lastSequence: ev.sequence }, out];
}

/** Stage 3 operator, see {@link gateStep}. */
export function gateMedia(): OperatorFunction<ChannelEvent, MediaEvent> {
  return stateful(() => INITIAL_GATE_STATE, gateStep);
}

// ---------------------------------------------------------------------------
// Subscription: transport + stages

/** What the pipeline needs from the proctor WebSocket (ProctorConnection implements it). */
export interface ProctorTransport {
  /** Every decoded message, in arrival order (hot). */
  readonly messages$: Observable<SocketMessage>;
  /** Emits each time the socket is open: at once if it already is, and after every reconnect. */
  readonly opened$: Observable<void>;
  /** Sends a JSON message; silently dropped while the socket is closed. */
  send(message: ProctorMessage): void;
  /**
   * The messages of a subscription to `streamId` made on the current socket before the
   * caller existed (the portal subscribes to a live view's stream while its code loads), once;
   * null when there is none. The caller then owns that subscription.
   */
  claimEarly?(streamId: string): readonly SocketMessage[] | null;
}

/**
 * Where a pipeline that already ran on the early subscription's first messages stopped (the
 * early player's, before Angular booted: `core/early-player.ts`): {@link subscribeToStream}
 * runs the stages again over `replay` (the same messages, so the same state: the stages are
 * pure) and passes on only the events after the first `delivered`.
 */
export interface PipelineResume {
  /** The early subscription's messages the earlier pipeline had, in order. */
  readonly replay: readonly SocketMessage[];
  /** How many media events it passed on. */
  readonly delivered: number;
}

/**
 * Subscribes to one stream: sends `subscribe` on every (re)connect, runs the
 * pipeline, and sends `unsubscribe` for the current channel on teardown.
 * @param view `focus` (a large view: the server raises the stream to its focus frame rate)
 *   or `tile` (one of many on the exam wall); see libs/protocol `subscribe.view`
 * @param resume a focused view taking over the early subscription from the early player: its
 *   events continue where that player's stopped (see {@link PipelineResume}); ignored when
 *   there is no early subscription to take over (then the view subscribes afresh)
 */
export function subscribeToStream(
  transport: ProctorTransport,
  streamId: string,
  view: 'focus' | 'tile' = 'focus',
  resume?: PipelineResume,
): Observable<MediaEvent> {
  return new Observable<MediaEvent>((subscriber) => {
    let channel: number | null = null;
    // A focused view takes over the early subscription: its held messages first, then the live
    // ones (synchronously one after the other: nothing arrives in between), and no second
    // `subscribe` on the socket it was made on (the first open below).
    const early = view === 'focus' ? (transport.claimEarly?.(streamId) ?? null) : null;
    let subscribedAlready = early !== null;
    // resuming: the early player's messages again (the same state), their events not passed on twice
    const before = early && resume ? [...resume.replay, ...early] : early;
    const passedOn = early && resume ? resume.delivered : 0;
    const subs = new Subscription();
    subs.add(
      (before ? concat(from(before), transport.messages$) : transport.messages$)
        .pipe(
          demuxChannel(streamId),
          gateMedia(),
          tap((ev) => {
            // the channel of the replayed `subscribed` too: teardown unsubscribes it
            if (ev.kind === 'subscribed') channel = ev.channel;
            else if (ev.kind === 'unsubscribed') channel = null;
          }),
          skip(passedOn),
        )
        .subscribe({
          next: (ev) => subscriber.next(ev),
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
    );
    subs.add(
      transport.opened$.subscribe(() => {
        if (subscribedAlready) {
          subscribedAlready = false;
          return;
        }
        channel = null; // channels do not survive a reconnect
        transport.send({ type: 'subscribe', streamId, ...(view === 'tile' ? { view } : {}) });
      }),
    );
    return () => {
      subs.unsubscribe();
      if (channel !== null) transport.send({ type: 'unsubscribe', channel });
    };
  });
}

// ---------------------------------------------------------------------------

/** An operator around a pure reducer `(state, input) -> [state, outputs]`; state is per subscription. */
export function stateful<S, I, O>(init: () => S, step: (state: S, input: I) => [S, O[]]): OperatorFunction<I, O> {
  return (source) =>
    defer(() => {
      let state = init();
      return source.pipe(
        concatMap((input) => {
          const [next, out] = step(state, input);
          state = next;
          return out;
        }),
      );
    });
}
