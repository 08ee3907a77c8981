import { PeriodicTask } from './periodic-task';
import { errorText } from './error-text';

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe('PeriodicTask', () => {
  it('runs on demand, and a call during a run shares it', async () => {
    let calls = 0;
    let release!: () => void;
    const task = new PeriodicTask(async (nowMs) => {
      calls++;
      await new Promise<void>((r) => (release = r));
      return nowMs;
    }, () => undefined);
    const first = task.run(1_000);
    const second = task.run(2_000);
    release();
    expect(await first).toBe(1_000);
    expect(await second).toBe(1_000); // the same run
    expect(calls).toBe(1);
    const third = task.run(3_000);
    release();
    expect(await third).toBe(3_000);
    expect(calls).toBe(2);
  });

  it('runs every period (and at once when asked), reports failed runs and goes on, and stops', async () => {
    const errors: string[] = [];
    let calls = 0;
    const task = new PeriodicTask(async () => {
      calls++;
      if (calls === 2) throw new Error('disk unplugged');
      return calls;
    }, (e) => errors.push(errorText(e)));
    task.start(20, true);
    task.start(20, true); // idempotent: no second timer, no second immediate run
    expect(calls).toBe(1);
    await until(() => calls >= 4);
    expect(errors).toEqual(['disk unplugged']);
    task.stop();
    await new Promise((r) => setTimeout(r, 30)); // a run in flight may still finish
    const stoppedAt = calls;
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(stoppedAt);
  });

  it('refuses a period that is not a positive number, and a failed run() rejects its caller', async () => {
    const task = new PeriodicTask(async () => {
      throw new Error('no database');
    }, () => undefined);
    expect(() => task.start(0)).toThrow(new RangeError('periodMs must be a positive number of milliseconds, got 0'));
    expect(() => task.start(Number.NaN)).toThrow(RangeError);
    await expect(task.run()).rejects.toThrow('no database');
    expect(errorText('plain')).toBe('plain');
  });
});
