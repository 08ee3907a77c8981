/**
 * Holds the most recent captured frame and closes every frame it lets go of.
 *
 * `VideoFrame`s pin decoder/capture memory until `close()` (W3C WebCodecs §9.4, "close"), and
 * Chromium stops delivering frames once too many are open; so a newer frame replaces the held one
 * and the old one is closed at once. Generic over anything closable so it is testable without
 * a browser.
 */

/** Anything with a `close()` that releases it, such as a `VideoFrame`. */
export interface Closable {
  close(): void;
}

/** A one-frame buffer: the newest frame wins; the replaced one is closed. */
export class LatestFrameSlot<T extends Closable> {
  private frame: T | null = null;
  private receivedAt = 0;
  private received = 0;
  private replaced = 0;

  /** The held frame (borrowed: do not close it, clone it synchronously if you need it later). */
  get current(): T | null {
    return this.frame;
  }

  /** Capture-clock time (ms) when the held frame arrived; 0 when empty. */
  get receivedAtMs(): number {
    return this.frame === null ? 0 : this.receivedAt;
  }

  /** Frames put in since creation. */
  get receivedCount(): number {
    return this.received;
  }

  /** Frames closed because a newer one replaced them before they were cleared. */
  get replacedCount(): number {
    return this.replaced;
  }

  /**
   * Holds `frame` (arrived at `atMs`, capture-clock ms) and closes the previous one.
   * @throws TypeError when `frame` has no close() method
   */
  put(frame: T, atMs: number): void {
    if (typeof frame !== 'object' || frame === null || typeof frame.close !== 'function') {
      throw new TypeError('frame must be a closable object such as a VideoFrame');
    }
    if (typeof atMs !== 'number' || !Number.isFinite(atMs)) throw new TypeError(`atMs must be a finite number, got ${String(atMs)}`);
    const old = this.frame;
    this.frame = frame;
    this.receivedAt = atMs;
    this.received++;
    if (old !== null && old !== frame) {
      this.replaced++;
      safeClose(old);
    }
  }

  /** Closes and forgets the held frame. Idempotent. */
  clear(): void {
    const old = this.frame;
    this.frame = null;
    if (old !== null) safeClose(old);
  }
}

function safeClose(frame: Closable): void {
  try {
    frame.close();
  } catch {
    // already closed (e.g. the track ended): nothing left to release
  }
}
