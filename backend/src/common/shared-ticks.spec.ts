import { config as rxjsConfig } from 'rxjs';
import { sharedTicks } from './shared-ticks';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sharedTicks', () => {
  it('calls every subscriber of one period on the same tick, from one timer that stops with the last subscriber', async () => {
    // a spy that calls through: counts the real timers made and cleared
    const started = jest.spyOn(global, 'setInterval');
    const cleared = jest.spyOn(global, 'clearInterval');
    const calls: string[] = [];
    const subs = ['a', 'b', 'c'].map((name) => sharedTicks(15).subscribe(() => calls.push(name)));
    expect(started).toHaveBeenCalledTimes(1); // one timer for three subscribers
    await sleep(80);
    expect(calls.length).toBeGreaterThanOrEqual(6);
    // each tick calls a, b, c in a row: the calls come in whole rounds, in subscription order
    const rounds = calls.slice(0, calls.length - (calls.length % 3));
    for (let i = 0; i < rounds.length; i++) expect(rounds[i]).toBe(['a', 'b', 'c'][i % 3]);
    subs[0]!.unsubscribe();
    subs[1]!.unsubscribe();
    expect(cleared).not.toHaveBeenCalled();
    subs[2]!.unsubscribe();
    expect(cleared).toHaveBeenCalledTimes(1);
    started.mockRestore();
    cleared.mockRestore();
  });

  it('keeps ticking the others when one subscriber throws or leaves during a tick', async () => {
    const reported: unknown[] = [];
    const previous = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = (e) => reported.push(e);
    try {
      let kept = 0;
      const leaving = sharedTicks(10).subscribe(() => leaving.unsubscribe());
      const throwing = sharedTicks(10).subscribe(() => {
        throw new Error('one broken connection');
      });
      const counting = sharedTicks(10).subscribe(() => kept++);
      await sleep(60);
      expect(kept).toBeGreaterThanOrEqual(3);
      expect(leaving.closed).toBe(true);
      expect(reported.length).toBeGreaterThanOrEqual(1);
      throwing.unsubscribe();
      counting.unsubscribe();
      // RxJS reports a subscriber's error on a later timer, and reads the handler then
      await sleep(20);
    } finally {
      rxjsConfig.onUnhandledError = previous;
    }
  });

  it('gives each period its own timer', async () => {
    let fast = 0;
    let slow = 0;
    const a = sharedTicks(10).subscribe(() => fast++);
    const b = sharedTicks(200).subscribe(() => slow++);
    await sleep(100);
    a.unsubscribe();
    b.unsubscribe();
    expect(fast).toBeGreaterThanOrEqual(4);
    expect(slow).toBe(0);
  });

  it('refuses a period that is not a positive integer of milliseconds', () => {
    for (const bad of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sharedTicks(bad)).toThrow(new RangeError(`periodMs must be a positive integer of milliseconds, got ${bad}`));
    }
  });
});
