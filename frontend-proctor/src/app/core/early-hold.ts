/**
 * Which proctor-socket messages belong to the subscription sent before the live view existed
 * (pure). `early-start.ts` subscribes to the address's stream as soon as the socket opens;
 * until the live view claims that subscription, {@link ProctorConnection} holds its messages
 * (the `subscribed` answer, an `error`, the init segment and fragments on its channel), so the
 * view starts from them instead of subscribing again. Bounded: the oldest are dropped past
 * {@link MAX_HELD_MESSAGES}, and the connection gives the subscription up if nobody claims it.
 */
import type { SocketMessage } from '../player/media-pipeline';

/** The early subscription: its stream, and its channel once the server said `subscribed`. */
export interface HoldState {
  readonly streamId: string;
  readonly channel: number | null;
}

/** Most messages held for an unclaimed subscription (a join segment at 5 fps for 10 s is ~60). */
export const MAX_HELD_MESSAGES = 300;

/** How long an early subscription waits for the live view before it is given up, ms. */
export const EARLY_CLAIM_TIMEOUT_MS = 10_000;

/**
 * Whether `msg` belongs to the early subscription, and the state after it: `subscribed` for
 * its stream (gives the channel), media and `unsubscribed` on that channel, and an `error`
 * before the answer (the server refused the subscription, e.g. an unknown stream).
 */
export function holdStep(state: HoldState, msg: SocketMessage): [HoldState, boolean] {
  switch (msg.type) {
    case 'media':
      return [state, state.channel !== null && msg.header.channel === state.channel];
    case 'invalid':
      return [state, false];
    case 'text': {
      const m = msg.message;
      if (m.type === 'subscribed') return m.streamId === state.streamId ? [{ ...state, channel: m.channel }, true] : [state, false];
      if (m.type === 'unsubscribed') return m.channel === state.channel ? [{ ...state, channel: null }, true] : [state, false];
      if (m.type === 'error') return [state, state.channel === null];
      return [state, false];
    }
  }
}

/** Appends `msg` to `held`, dropping the oldest past {@link MAX_HELD_MESSAGES}. */
export function holdMessage(held: SocketMessage[], msg: SocketMessage): void {
  held.push(msg);
  if (held.length > MAX_HELD_MESSAGES) held.splice(0, held.length - MAX_HELD_MESSAGES);
}
