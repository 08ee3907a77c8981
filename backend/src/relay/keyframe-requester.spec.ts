import type { KeyframeReason } from '@vigil/protocol';
import { KEYFRAME_ANSWER_TIMEOUT_MS, KeyframeRequester, type KeyframeTimers } from './keyframe-requester';

/** Timers driven by the test: `fire()` runs the callbacks that are due at `now`. */
class TestTimers implements KeyframeTimers {
  private readonly due = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now = 0;
  set(fn: () => void, delayMs: number): unknown {
    const id = this.next++;
    this.due.set(id, { at: this.now + delayMs, fn });
    return id;
  }
  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }
  get size(): number {
    return this.due.size;
  }
  advance(toMs: number): void {
    this.now = toMs;
    for (const [id, t] of [...this.due]) {
      if (t.at <= toMs) {
        this.due.delete(id);
        t.fn();
      }
    }
  }
}

describe('KeyframeRequester', () => {
  /** A request answered by its IDR at 0, then another at 100 ms: deferred to 1000 by the rate limit. */
  function deferAfterAnswered(requester: KeyframeRequester): void {
    requester.request('viewer-join', 0);
    requester.handleJoinFragment();
    expect(requester.request('viewer-join', 100)).toBe(false);
  }

  /** A requester whose Sentinel is connected while `link.connected` (the test may flip it). */
  function setup(connected = true) {
    const sent: KeyframeReason[] = [];
    const timers = new TestTimers();
    const link = { connected };
    const requester = new KeyframeRequester(
      1000,
      (reason) => {
        if (link.connected) sent.push(reason);
        return link.connected;
      },
      timers,
    );
    return { sent, requester, timers, link };
  }

  it('coalesces many joiners into one request until a join fragment arrives (or the answer timeout)', () => {
    const { sent, requester } = setup();
    expect(requester.request('viewer-join', 0)).toBe(true);
    expect(requester.request('viewer-join', 10)).toBe(false);
    expect(requester.request('viewer-join', 4999)).toBe(false);
    expect(sent).toEqual(['viewer-join']);
    requester.handleJoinFragment();
    expect(requester.isPending).toBe(false);
    expect(requester.request('viewer-join', 5001)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('asks again when a request stayed unanswered for 5 s (a Sentinel that missed it), and only then', () => {
    const { sent, requester } = setup();
    expect(requester.request('viewer-join', 0)).toBe(true);
    expect(requester.request('viewer-join', KEYFRAME_ANSWER_TIMEOUT_MS - 1)).toBe(false);
    expect(sent).toHaveLength(1);
    expect(requester.request('viewer-join', KEYFRAME_ANSWER_TIMEOUT_MS)).toBe(true);
    expect(requester.isPending).toBe(true);
    expect(requester.request('viewer-join', KEYFRAME_ANSWER_TIMEOUT_MS + 10)).toBe(false); // the new one absorbs again
    expect(sent).toEqual(['viewer-join', 'viewer-join']);
    requester.handleJoinFragment();
    expect(requester.isPending).toBe(false);
  });

  it('an unanswered request past the timeout is still held to the minimum interval when that is longer', () => {
    const sent: KeyframeReason[] = [];
    const timers = new TestTimers();
    const requester = new KeyframeRequester(10_000, (r) => (sent.push(r), true), timers, 2000);
    requester.request('viewer-join', 0);
    expect(requester.request('viewer-join', 3000)).toBe(false); // unanswered, but within 10 s of the last one: deferred
    expect(requester.isDeferred).toBe(true);
    timers.advance(10_000);
    expect(sent).toHaveLength(2);
    expect(() => new KeyframeRequester(0, () => true, timers, 0)).toThrow(TypeError);
  });

  it('never sends two requests within the minimum interval', () => {
    const { sent, requester } = setup();
    requester.request('admin', 0);
    requester.handleJoinFragment();
    expect(requester.request('admin', 999)).toBe(false);
    expect(requester.request('admin', 1000)).toBe(true);
    expect(sent).toEqual(['admin', 'admin']);
  });

  it('sends a request that came within the interval once the interval has passed (a viewer joining just after another is not left to the next scheduled IDR)', () => {
    const { sent, requester, timers } = setup();
    requester.request('viewer-join', 0);
    requester.handleJoinFragment(); // the first viewer's IDR arrived
    timers.advance(300);
    expect(requester.request('viewer-join', 300)).toBe(false);
    expect(requester.request('viewer-join', 400)).toBe(false); // absorbed by the deferred one
    expect(requester.isDeferred).toBe(true);
    timers.advance(999);
    expect(sent).toEqual(['viewer-join']);
    timers.advance(1000);
    expect(sent).toEqual(['viewer-join', 'viewer-join']);
    expect(requester.isPending).toBe(true);
    expect(requester.isDeferred).toBe(false);
    // and the rate limit counts from the deferred send
    requester.handleJoinFragment();
    expect(requester.request('viewer-join', 1999)).toBe(false);
    timers.advance(2000);
    expect(sent).toHaveLength(3);
  });

  it('drops a deferred request when a join fragment arrives first (the scheduled IDR serves the waiter)', () => {
    const { sent, requester, timers } = setup();
    requester.request('viewer-join', 0);
    requester.handleJoinFragment();
    requester.request('viewer-join', 500);
    requester.handleJoinFragment();
    expect(timers.size).toBe(0);
    timers.advance(5000);
    expect(sent).toEqual(['viewer-join']);
  });

  it('an admin request within the interval is deferred and carries its reason', () => {
    const { sent, requester, timers } = setup();
    deferAfterAnswered(requester);
    requester.request('admin', 200);
    timers.advance(1000);
    expect(sent).toEqual(['viewer-join', 'admin']);
  });

  it('forgets a deferred request on reset (Sentinel reconnected, stream ended)', () => {
    const { sent, requester, timers } = setup();
    deferAfterAnswered(requester);
    requester.reset();
    expect(timers.size).toBe(0);
    timers.advance(5000);
    expect(sent).toEqual(['viewer-join']);
  });

  it('a deferred request finding no Sentinel sends nothing and leaves the requester ready', () => {
    const { sent, requester, timers, link } = setup();
    deferAfterAnswered(requester);
    link.connected = false;
    timers.advance(1000);
    expect(sent).toEqual(['viewer-join']);
    expect(requester.isPending).toBe(false);
    link.connected = true;
    expect(requester.request('viewer-join', 1500)).toBe(true);
  });

  it('sends nothing without a Sentinel and stays ready for one', () => {
    const { sent, requester } = setup(false);
    expect(requester.request('viewer-join', 0)).toBe(false);
    expect(requester.isPending).toBe(false);
    expect(sent).toEqual([]);
  });

  it('forgets a request lost with a dropped connection', () => {
    const { sent, requester } = setup();
    requester.request('viewer-join', 0);
    requester.reset();
    expect(requester.request('viewer-join', 1)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('rejects a negative interval', () => {
    expect(() => new KeyframeRequester(-1, () => true)).toThrow(TypeError);
  });
});
