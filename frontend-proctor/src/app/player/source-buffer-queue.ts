/**
 * SourceBufferQueue: serialises operations on one SourceBuffer.
 *
 * A SourceBuffer accepts one `appendBuffer()` or `remove()` at a time: while
 * `updating` is true, another call throws InvalidStateError (W3C Media Source
 * Extensions, https://www.w3.org/TR/media-source-2/: the "prepare append"
 * algorithm and the `remove()` steps). The queue starts the next operation on
 * `updateend` (fired at the end of the "buffer append" and "range removal"
 * algorithms). `changeType()` is synchronous, so it completes in place.
 *
 * When the SourceBuffer is full, `appendBuffer()` throws QuotaExceededError
 * (the "prepare append" algorithm, after the UA's "coded frame eviction"
 * failed). The queue then asks its owner for a range to evict, removes it and
 * retries the append once; if nothing can be evicted it drops the segment and
 * reports `bufferFullError` (non fatal: the owner waits for the next join
 * fragment).
 *
 * Errors are reported as events (`{ type, details, fatal }`), never thrown.
 * After a fatal error the queue stops; the owner rebuilds the MediaSource.
 *
 * The queue only needs the {@link SourceBufferLike} surface, so unit tests
 * drive it with a small fake; real MSE behaviour is covered by the Chromium
 * e2e test (e2e/player/player-mse.e2e.ts).
 */
import { errorMessage, playerError, type PlayerError } from './player-events';

/** The part of `TimeRanges` the player reads (WHATWG HTML `TimeRanges`). Times in seconds. */
export interface TimeRangesLike {
  readonly length: number;
  start(index: number): number;
  end(index: number): number;
}

/** The part of `SourceBuffer` the queue uses (W3C MSE SourceBuffer interface). */
export interface SourceBufferLike {
  readonly updating: boolean;
  readonly buffered: TimeRangesLike;
  appendBuffer(data: BufferSource): void;
  remove(start: number, end: number): void;
  changeType(type: string): void;
  addEventListener(type: 'updateend' | 'error', listener: () => void): void;
  removeEventListener(type: 'updateend' | 'error', listener: () => void): void;
}

/** A media time range, seconds. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** Events the queue reports; `T` is the caller's tag for an append (e.g. the segment). */
export type QueueEvent<T> =
  /** An append finished (`updateend` without `error`). */
  | { readonly type: 'appended'; readonly tag: T }
  /** A remove finished. Times in seconds. */
  | { readonly type: 'removed'; readonly start: number; readonly end: number }
  /** `changeType()` succeeded. */
  | { readonly type: 'typeChanged'; readonly mimeType: string }
  /** An append was given up (buffer full and nothing to evict). */
  | { readonly type: 'dropped'; readonly tag: T }
  /** Something failed; see `error.fatal`. */
  | { readonly type: 'error'; readonly error: PlayerError };

/** Options of {@link SourceBufferQueue}. */
export interface SourceBufferQueueOptions<T> {
  /** Receives every {@link QueueEvent}. Exceptions it throws are caught and ignored. */
  onEvent(event: QueueEvent<T>): void;
  /**
   * Called when an append hits QuotaExceededError: the range to remove before
   * retrying (seconds), or null if nothing can be evicted. Usually "everything
   * before the join fragment that the current playback position depends on".
   */
  evictionRange(): TimeRange | null;
}

type QueueOp<T> =
  | { readonly type: 'append'; readonly data: Uint8Array; readonly tag: T; readonly retried: boolean }
  | { readonly type: 'remove'; readonly start: number; readonly end: number }
  | { readonly type: 'changeType'; readonly mimeType: string }
  | { readonly type: 'exclusive'; readonly name: string; readonly run: () => void };

/** Serialised SourceBuffer operations, see the file comment. */
export class SourceBufferQueue<T = unknown> {
  private readonly ops: QueueOp<T>[] = [];
  private current: QueueOp<T> | null = null;
  /** The running append/remove fired `error` (MSE "append error" algorithm). */
  private currentFailed = false;
  private stopped = false;
  private destroyed = false;

  constructor(
    private readonly sb: SourceBufferLike,
    private readonly options: SourceBufferQueueOptions<T>,
  ) {
    sb.addEventListener('updateend', this.onUpdateEnd);
    sb.addEventListener('error', this.onError);
  }

  /** Number of operations waiting or running. */
  get length(): number {
    return this.ops.length + (this.current ? 1 : 0);
  }

  /** True after a fatal error or destroy(): further operations are ignored. */
  get isStopped(): boolean {
    return this.stopped || this.destroyed;
  }

  /** Queues `appendBuffer(data)`; `tag` comes back in the `appended` / `dropped` event. */
  append(data: Uint8Array, tag: T): void {
    this.enqueue({ type: 'append', data, tag, retried: false });
  }

  /** Queues `remove(start, end)`, seconds. Empty or negative ranges are skipped. */
  remove(start: number, end: number): void {
    this.enqueue({ type: 'remove', start, end });
  }

  /** Queues `changeType(mimeType)` (MSE; for a new codec string in a new init segment). */
  changeType(mimeType: string): void {
    this.enqueue({ type: 'changeType', mimeType });
  }

  /**
   * Queues a synchronous step that needs the SourceBuffer idle, in order with the appends
   * and removes: setting `SourceBuffer.timestampOffset` or `MediaSource.duration`, which
   * throw InvalidStateError while an append or remove runs (W3C MSE, the `timestampOffset`
   * and `duration` setters). `name` labels it in error messages. An exception it throws
   * becomes a non-fatal `internalException` error event; the queue goes on.
   */
  exclusive(name: string, run: () => void): void {
    this.enqueue({ type: 'exclusive', name, run });
  }

  /** Drops the operations that have not started yet. */
  clear(): void {
    this.ops.length = 0;
  }

  /** Stops and detaches from the SourceBuffer. Idempotent. Does not abort a running operation. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.ops.length = 0;
    this.sb.removeEventListener('updateend', this.onUpdateEnd);
    this.sb.removeEventListener('error', this.onError);
  }

  private enqueue(op: QueueOp<T>): void {
    if (this.isStopped) return;
    this.ops.push(op);
    this.pump();
  }

  /** Starts operations until one is asynchronous (append/remove) or the queue is empty. */
  private pump(): void {
    while (!this.current && !this.isStopped && this.ops.length > 0) {
      // Someone else's operation (should not happen: the queue owns the SourceBuffer); its updateend pumps again.
      if (this.sb.updating) return;
      const op = this.ops.shift()!;
      this.current = op;
      this.currentFailed = false;
      try {
        switch (op.type) {
          case 'append':
            // WebSocket payloads are views of ordinary ArrayBuffers, never SharedArrayBuffer.
            this.sb.appendBuffer(op.data as Uint8Array<ArrayBuffer>);
            return;
          case 'remove': {
            const start = Math.max(0, op.start);
            if (!(op.end > start)) {
              this.current = null; // nothing to remove (remove() would throw TypeError for end <= start)
              continue;
            }
            this.sb.remove(start, op.end);
            return;
          }
          case 'changeType':
            this.sb.changeType(op.mimeType);
            this.current = null;
            this.emit({ type: 'typeChanged', mimeType: op.mimeType });
            continue;
          case 'exclusive':
            this.current = null;
            op.run();
            continue;
        }
      } catch (err) {
        this.current = null;
        this.onThrow(op, err);
      }
    }
  }

  private onThrow(op: QueueOp<T>, err: unknown): void {
    const name = err instanceof Error || isDomExceptionLike(err) ? (err as { name: string }).name : '';
    if (op.type === 'append' && name === 'QuotaExceededError') {
      const range = op.retried ? null : safeCall(() => this.options.evictionRange());
      if (range && range.end > range.start) {
        this.emit({
          type: 'error',
          error: playerError(
            'mediaError',
            'bufferFullError',
            false,
            `SourceBuffer full: evicting ${range.start.toFixed(2)}-${range.end.toFixed(2)} s and retrying`,
          ),
        });
        this.ops.unshift({ type: 'remove', start: range.start, end: range.end }, { ...op, retried: true });
        return;
      }
      this.emit({
        type: 'error',
        error: playerError('mediaError', 'bufferFullError', false, 'SourceBuffer full and nothing to evict: segment dropped'),
      });
      this.emit({ type: 'dropped', tag: op.tag });
      return;
    }
    if (op.type === 'remove' && name === 'TypeError') {
      this.emit({ type: 'error', error: playerError('mediaError', 'bufferRemoveError', false, errorMessage(err)) });
      return;
    }
    if (op.type === 'exclusive') {
      this.emit({ type: 'error', error: playerError('otherError', 'internalException', false, `${op.name}: ${errorMessage(err)}`) });
      return;
    }
    const details = op.type === 'changeType' ? 'bufferAddCodecError' : op.type === 'remove' ? 'bufferRemoveError' : 'bufferAppendError';
    this.fail(playerError('mediaError', details, true, `${op.type}: ${errorMessage(err)}`));
  }

  private fail(error: PlayerError): void {
    this.stopped = true;
    this.ops.length = 0;
    this.emit({ type: 'error', error });
  }

  private readonly onError = (): void => {
    if (this.isStopped) return;
    this.currentFailed = true;
    const what = this.current?.type ?? 'operation';
    // MSE "append error" algorithm: it also ends the MediaSource with a decode error.
    this.fail(playerError('mediaError', 'bufferAppendError', true, `SourceBuffer fired 'error' during ${what}`));
  };

  private readonly onUpdateEnd = (): void => {
    const op = this.current;
    const failed = this.currentFailed;
    this.current = null;
    this.currentFailed = false;
    if (this.isStopped) return;
    if (op && !failed) {
      if (op.type === 'append') this.emit({ type: 'appended', tag: op.tag });
      else if (op.type === 'remove') this.emit({ type: 'removed', start: op.start, end: op.end });
    }
    this.pump();
  };

  private emit(event: QueueEvent<T>): void {
    try {
      this.options.onEvent(event);
    } catch {
      // One failing listener must not stall the queue (STYLE.md point 6).
    }
  }
}

function isDomExceptionLike(err: unknown): boolean {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string';
}

function safeCall<R>(fn: () => R): R | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
