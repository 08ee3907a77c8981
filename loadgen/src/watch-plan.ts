/**
 * Which synthetic proctor watches which Sentinel's stream (pure).
 *
 * - `spread`: streams dealt round-robin over the proctors. With at least as many Sentinels as
 *   proctors every stream has one viewer and each proctor watches ⌈N/M⌉ or ⌊N/M⌋ streams;
 *   with more proctors than Sentinels each proctor watches one stream and each stream has
 *   ⌈M/N⌉ or ⌊M/N⌋ viewers.
 * - `one`: every proctor watches the first Sentinel's stream (fan-out of one stream).
 */

/** `--watch`. */
export type WatchMode = 'spread' | 'one';

/** `--view`: `subscribe.view` of @vigil/protocol (`focus` raises the stream to the server's focus frame rate). */
export type ViewMode = 'tile' | 'focus';

/**
 * The proctors (0-based indexes) that watch Sentinel `sentinel` (0-based) of `sentinels`
 * (the most that will run, ramp included) when there are `proctors` proctors.
 */
export function watchersOf(sentinel: number, sentinels: number, proctors: number, mode: WatchMode): number[] {
  if (proctors <= 0 || sentinel < 0 || sentinel >= sentinels) return [];
  if (mode === 'one') return sentinel === 0 ? Array.from({ length: proctors }, (_, p) => p) : [];
  if (proctors <= sentinels) return [sentinel % proctors];
  const out: number[] = [];
  for (let p = sentinel; p < proctors; p += sentinels) out.push(p);
  return out;
}
