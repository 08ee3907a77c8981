/** A manual clock for tests: timers run only when `advance()` passes their due time. */
import type { Scheduler } from '../timing/frame-clock';

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

/** Deterministic {@link Scheduler}: time moves only through `advance()` / `advanceTo()`. */
export class FakeScheduler implements Scheduler {
  private time: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(startMs = 1000) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, due: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running due timers in due order (each at its due time). */
  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  /** Moves time to `target` ms, running due timers in due order. */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = Math.max(this.time, target);
  }

  /** Jumps the clock without running timers (a busy main thread, a late timer). */
  jump(ms: number): void {
    this.time += ms;
  }
}
