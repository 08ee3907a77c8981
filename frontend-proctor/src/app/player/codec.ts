/**
 * MIME types and init-segment transitions for the SourceBuffer.
 *
 * The codec string comes from the init segment's `avcC` (`parseInitSegment(bytes).codec`,
 * e.g. `avc1.42C028`), never hard-coded (DESIGN.md "Encoding").
 */

/** What the player needs to know about the format of an init segment. */
export interface TrackFormat {
  /** RFC 6381 codec string, e.g. `avc1.42C028`. */
  readonly codec: string;
  /** Coded picture size, pixels. */
  readonly width: number;
  readonly height: number;
}

/** The `addSourceBuffer()` / `changeType()` type for an H.264 fMP4 track: `video/mp4; codecs="avc1.42C028"`. */
export function mimeTypeFor(format: Pick<TrackFormat, 'codec'>): string {
  return `video/mp4; codecs="${format.codec}"`;
}

/**
 * How to take a new init segment:
 * - `create`: no SourceBuffer yet: `addSourceBuffer(mimeTypeFor(next))`, then append.
 * - `append`: same codec and size: append it (W3C MSE "initialization segment received" algorithm).
 * - `changeType`: codec or size changed and `SourceBuffer.changeType()` exists (MSE SourceBuffer `changeType()`):
 *   call it with the new type so the decoder is reconfigured, then append.
 * - `recreate`: changed, but the browser has no `changeType()`: rebuild the MediaSource.
 */
export type InitPlan = 'create' | 'append' | 'changeType' | 'recreate';

/** Decides {@link InitPlan}. Pure. */
export function planInitSegment(current: TrackFormat | null, next: TrackFormat, changeTypeSupported: boolean): InitPlan {
  if (!current) return 'create';
  if (current.codec === next.codec && current.width === next.width && current.height === next.height) return 'append';
  return changeTypeSupported ? 'changeType' : 'recreate';
}
