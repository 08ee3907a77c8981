/**
 * A {@link Scheduler} whose timers run in a dedicated Worker.
 *
 * Chromium throttles timers of hidden or occluded pages (at most one wake-up per second, and
 * per minute after 5 minutes: "intensive wake-up throttling"). The Sentinel page usually sits
 * behind the exam window, so its 5 fps frame clock would stall. Dedicated-worker timers are not
 * throttled that way, and a worker's `message` event is not a timer task. Falls back to window
 * timers when a Worker cannot be started (e.g. a CSP without `worker-src blob:`).
 */
import { browserScheduler, type Scheduler } from './frame-clock';

/** Worker body: [0, id, ms] starts a timer that posts `id` back; [1, id] cancels it. */
const WORKER_SOURCE = `const timers = new Map();
onmessage = (e) => {
  const [op, id, ms] = e.data;
  if (op === 0) timers.set(id, setTimeout(() => { timers.delete(id); postMessage(id); }, ms));
  else { clearTimeout(timers.get(id)); timers.delete(id); }
};`;

interface Pending {
  fn: () => void;
  dueMs: number;
  fallback: ReturnType<typeof setTimeout> | null;
}

/** Worker-driven timers with `performance.now()` as the clock; see the module comment. */
export function workerScheduler(): Scheduler {
  const fallback = browserScheduler();
  let worker: Worker | null = null;
  let url: string | null = null;
  try {
    url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    worker = new Worker(url);
  } catch {
    if (url !== null) URL.revokeObjectURL(url);
    return fallback;
  }
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let broken = false;

  const run = (id: number) => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    p.fn();
  };
  worker.onmessage = (event: MessageEvent<number>) => run(event.data);
  worker.onerror = () => {
    // The worker could not start: move every pending timer to window timers.
    broken = true;
    worker?.terminate();
    for (const [id, p] of pending) {
      p.fallback = setTimeout(() => run(id), Math.max(0, p.dueMs - performance.now()));
    }
  };

  return {
    now: () => performance.now(),
    setTimeout(fn, ms) {
      const id = nextId++;
      const p: Pending = { fn, dueMs: performance.now() + ms, fallback: null };
      pending.set(id, p);
      if (broken) p.fallback = setTimeout(() => run(id), ms);
      else worker!.postMessage([0, id, ms]);
      return id;
    },
    clearTimeout(handle) {
      const id = handle as number;
      const p = pending.get(id);
      if (p === undefined) return;
      pending.delete(id);
      if (p.fallback !== null) clearTimeout(p.fallback);
      if (!broken) worker!.postMessage([1, id]);
    },
  };
}
