/**
 * Which fragments a wall tile decodes (pure). A tile is small and many run at once, so it
 * never lets decoding fall far behind: when the decoder's queue is longer than `maxQueue`
 * (frames not yet decoded), the tile drops fragments until the next join fragment (an IDR,
 * decodable on its own) and starts again there; a P frame whose reference was dropped would
 * decode into garbage (ITU-T H.264 §8.2.5). The bound must let a join burst through (on
 * subscribe the server sends the buffered segment at once: up to a GOP, 25 frames at 1 fps),
 * so it is a bound on real overload, not on a burst.
 */

/** Default most queued frames before a tile drops to the next join fragment. */
export const TILE_MAX_QUEUE = 64;
export interface TileGateState {
  /** Drop fragments until a join fragment arrives (start, after an overload or an error). */
  readonly waitingForJoin: boolean;
  /** Fragments dropped so far. */
  readonly dropped: number;
}

/** A gate that waits for the first join fragment. */
export const INITIAL_TILE_GATE: TileGateState = { waitingForJoin: true, dropped: 0 };

/**
 * Decides one fragment.
 * @param join the fragment starts with an IDR
 * @param queued frames queued in the decoder (`VideoDecoder.decodeQueueSize`)
 * @param maxQueue most queued frames before the tile drops to the next join fragment (>= 1)
 * @returns the new state and whether to decode this fragment
 */
export function tileGateStep(state: TileGateState, join: boolean, queued: number, maxQueue = TILE_MAX_QUEUE): [TileGateState, boolean] {
  if (join) return [{ ...state, waitingForJoin: false }, true];
  if (state.waitingForJoin) return [{ ...state, dropped: state.dropped + 1 }, false];
  if (queued > maxQueue) return [{ waitingForJoin: true, dropped: state.dropped + 1 }, false];
  return [state, true];
}
