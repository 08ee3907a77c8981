import { SourceBufferQueue, type QueueEvent, type SourceBufferLike, type TimeRange } from './source-buffer-queue';

/**
 * A minimal fake SourceBuffer: records calls, stays `updating` until the test
 * calls `finish()` (which fires `updateend`, optionally after `error`), and
 * throws what the test queued in `throwNext`.
 */
class FakeSourceBuffer implements SourceBufferLike {
  updating = false;
  readonly buffered = { length: 0, start: () => 0, end: () => 0 };
  readonly calls: string[] = [];
  readonly throwNext: unknown[] = [];
  private listeners: Record<string, Array<() => void>> = { updateend: [], error: [] };

  appendBuffer(data: BufferSource): void {
    this.maybeThrow();
    this.calls.push(`append:${(data as Uint8Array)[0]}`);
    this.updating = true;
  }
  remove(start: number, end: number): void {
    this.maybeThrow();
    this.calls.push(`remove:${start}-${end}`);
    this.updating = true;
  }
  changeType(type: string): void {
    this.maybeThrow();
    this.calls.push(`changeType:${type}`);
  }
  addEventListener(type: 'updateend' | 'error', l: () => void): void {
    this.listeners[type]!.push(l);
  }
  removeEventListener(type: 'updateend' | 'error', l: () => void): void {
    this.listeners[type] = this.listeners[type]!.filter((x) => x !== l);
  }
  /** Completes the running operation (MSE: updating=false, then `error` if failed, then `updateend`). */
  finish(failed = false): void {
    if (!this.updating) throw new Error('nothing is running');
    this.updating = false;
    if (failed) this.listeners['error']!.forEach((l) => l());
    this.listeners['updateend']!.forEach((l) => l());
  }
  listenerCount(): number {
    return this.listeners['updateend']!.length + this.listeners['error']!.length;
  }
  private maybeThrow(): void {
    if (this.throwNext.length > 0) throw this.throwNext.shift();
  }
}

const bytes = (tag: number) => new Uint8Array([tag]);
const domError = (name: string) => Object.assign(new Error(`${name} (fake)`), { name });

function setup(evict: () => TimeRange | null = () => null) {
  const sb = new FakeSourceBuffer();
  const events: QueueEvent<string>[] = [];
  const queue = new SourceBufferQueue<string>(sb, { onEvent: (e) => events.push(e), evictionRange: evict });
  const summary = () =>
    events.map((e) => (e.type === 'error' ? `error:${e.error.details}:${e.error.fatal ? 'fatal' : 'recovered'}` : e.type === 'appended' || e.type === 'dropped' ? `${e.type}:${e.tag}` : e.type));
  return { sb, queue, events, summary };
}

describe('SourceBufferQueue', () => {
  it('runs one append at a time and starts the next on updateend', () => {
    const { sb, queue, summary } = setup();
    queue.append(bytes(1), 'a');
    queue.append(bytes(2), 'b');
    queue.append(bytes(3), 'c');
    expect(sb.calls).toEqual(['append:1']);
    expect(queue.length).toBe(3);
    sb.finish();
    expect(sb.calls).toEqual(['append:1', 'append:2']);
    sb.finish();
    sb.finish();
    expect(sb.calls).toEqual(['append:1', 'append:2', 'append:3']);
    expect(summary()).toEqual(['appended:a', 'appended:b', 'appended:c']);
    expect(queue.length).toBe(0);
  });

  it('orders removes and synchronous changeType with appends', () => {
    const { sb, queue, summary } = setup();
    queue.append(bytes(1), 'init');
    queue.remove(0, 10);
    queue.changeType('video/mp4; codecs="avc1.42C028"');
    queue.append(bytes(2), 'init2');
    sb.finish(); // append 1
    expect(sb.calls).toEqual(['append:1', 'remove:0-10']);
    sb.finish(); // remove -> changeType runs at once, then append 2 starts
    expect(sb.calls).toEqual(['append:1', 'remove:0-10', 'changeType:video/mp4; codecs="avc1.42C028"', 'append:2']);
    sb.finish();
    expect(summary()).toEqual(['appended:init', 'removed', 'typeChanged', 'appended:init2']);
  });

  it('skips empty removes (remove() would throw TypeError) and clamps negative starts to 0', () => {
    const { sb, queue } = setup();
    queue.remove(5, 5);
    queue.remove(-3, 2);
    expect(sb.calls).toEqual(['remove:0-2']);
  });

  it('on QuotaExceededError evicts the range its owner names, then retries the append once', () => {
    const { sb, queue, summary } = setup(() => ({ start: 0, end: 20 }));
    sb.throwNext.push(domError('QuotaExceededError'));
    queue.append(bytes(7), 'frag');
    expect(sb.calls).toEqual(['remove:0-20']);
    sb.finish();
    expect(sb.calls).toEqual(['remove:0-20', 'append:7']);
    sb.finish();
    expect(summary()).toEqual(['error:bufferFullError:recovered', 'removed', 'appended:frag']);
  });

  it('drops the segment (non fatal) when nothing can be evicted or the retry fails again', () => {
    const none = setup(() => null);
    none.sb.throwNext.push(domError('QuotaExceededError'));
    none.queue.append(bytes(1), 'x');
    none.queue.append(bytes(2), 'y');
    expect(none.summary()).toEqual(['error:bufferFullError:recovered', 'dropped:x']);
    expect(none.sb.calls).toEqual(['append:2']); // the queue goes on

    const twice = setup(() => ({ start: 0, end: 5 }));
    twice.sb.throwNext.push(domError('QuotaExceededError'));
    twice.queue.append(bytes(1), 'x');
    twice.sb.throwNext.push(domError('QuotaExceededError'));
    twice.sb.finish(); // remove done; the retry throws again
    expect(twice.summary()).toEqual(['error:bufferFullError:recovered', 'removed', 'error:bufferFullError:recovered', 'dropped:x']);
  });

  it('reports a SourceBuffer `error` during an append as fatal and stops', () => {
    const { sb, queue, summary } = setup();
    queue.append(bytes(1), 'a');
    queue.append(bytes(2), 'b');
    sb.finish(true);
    expect(summary()).toEqual(['error:bufferAppendError:fatal']);
    expect(queue.isStopped).toBe(true);
    queue.append(bytes(3), 'c');
    expect(sb.calls).toEqual(['append:1']);
  });

  it('reports InvalidStateError from appendBuffer (MediaSource closed) as fatal', () => {
    const { sb, queue, events } = setup();
    sb.throwNext.push(domError('InvalidStateError'));
    queue.append(bytes(1), 'a');
    expect(events).toEqual([{ type: 'error', error: expect.objectContaining({ type: 'mediaError', details: 'bufferAppendError', fatal: true }) }]);
  });

  it('reports a failing changeType as a fatal bufferAddCodecError', () => {
    const { sb, queue, summary } = setup();
    sb.throwNext.push(domError('NotSupportedError'));
    queue.changeType('video/mp4; codecs="hev1"');
    expect(summary()).toEqual(['error:bufferAddCodecError:fatal']);
  });

  it('keeps working when the event listener throws', () => {
    const sb = new FakeSourceBuffer();
    const queue = new SourceBufferQueue<string>(sb, {
      onEvent: () => {
        throw new Error('listener bug');
      },
      evictionRange: () => null,
    });
    queue.append(bytes(1), 'a');
    queue.append(bytes(2), 'b');
    sb.finish();
    expect(sb.calls).toEqual(['append:1', 'append:2']);
  });

  it('waits while the SourceBuffer is busy with an operation it did not start', () => {
    const { sb, queue } = setup();
    sb.updating = true;
    queue.append(bytes(1), 'a');
    expect(sb.calls).toEqual([]);
    sb.finish();
    expect(sb.calls).toEqual(['append:1']);
  });

  it('destroy() is idempotent, drops pending operations and detaches its listeners', () => {
    const { sb, queue } = setup();
    queue.append(bytes(1), 'a');
    queue.append(bytes(2), 'b');
    queue.destroy();
    queue.destroy();
    expect(sb.listenerCount()).toBe(0);
    sb.finish();
    expect(sb.calls).toEqual(['append:1']);
  });

  it('runs exclusive steps only while the SourceBuffer is idle, in order, and reports their exceptions', () => {
    const { sb, queue, summary } = setup();
    queue.append(bytes(1), 'a');
    queue.exclusive('timestampOffset = 5', () => sb.calls.push(`offset while updating=${sb.updating}`));
    queue.exclusive('duration = -1', () => {
      throw domError('TypeError');
    });
    queue.append(bytes(2), 'b');
    expect(sb.calls).toEqual(['append:1']);
    sb.finish();
    expect(sb.calls).toEqual(['append:1', 'offset while updating=false', 'append:2']);
    sb.finish();
    expect(summary()).toEqual(['appended:a', 'error:internalException:recovered', 'appended:b']);
    expect(queue.isStopped).toBe(false);
  });
});
