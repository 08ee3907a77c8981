import { FakeScheduler } from '../testing/fake-scheduler';
import { FrameClock, type FrameTick } from './frame-clock';

function setup(fps?: number) {
  const scheduler = new FakeScheduler(10_000);
  const ticks: FrameTick[] = [];
  const clock = new FrameClock({ scheduler, onTick: (t) => ticks.push(t), ...(fps === undefined ? {} : { fps }) });
  return { scheduler, ticks, clock };
}

describe('FrameClock', () => {
  it('defaults to 1 fps and ticks at once on start, media time 0', () => {
    const { clock, ticks } = setup();
    expect(clock.fps).toBe(1);
    clock.start();
    expect(ticks).toHaveLength(1);
    expect(ticks[0]).toEqual({ index: 0, mediaTime: 0, duration: 90_000, clockTimeMs: 10_000, fps: 1, immediate: true, skipped: 0 });
  });

  it('ticks on a drift-free grid of 90000/fps ticks', () => {
    const { clock, ticks, scheduler } = setup(5);
    clock.start();
    scheduler.advance(1000);
    expect(ticks.map((t) => t.mediaTime)).toEqual([0, 18_000, 36_000, 54_000, 72_000, 90_000]);
    expect(ticks.every((t) => t.duration === 18_000)).toBe(true);
    expect(ticks[5]!.clockTimeMs).toBe(11_000);
  });

  it('keeps ticking at 0.2 fps (one frame per 5 s)', () => {
    const { clock, ticks, scheduler } = setup(0.2);
    clock.start();
    scheduler.advance(20_000);
    expect(ticks.map((t) => t.mediaTime)).toEqual([0, 450_000, 900_000, 1_350_000, 1_800_000]);
  });

  it('skips slots a late timer missed instead of bunching up', () => {
    const { clock, ticks, scheduler } = setup(5);
    clock.start();
    scheduler.jump(650); // main thread busy for 650 ms: slots at 200, 400, 600 ms are due
    scheduler.advance(0);
    expect(ticks.map((t) => t.mediaTime)).toEqual([0, 54_000]);
    expect(ticks[1]!.skipped).toBe(2);
    scheduler.advance(150); // next slot at 800 ms
    expect(ticks.map((t) => t.mediaTime)).toEqual([0, 54_000, 72_000]);
  });

  it('waits again when a timer fires early', () => {
    const scheduler = new FakeScheduler(0);
    const ticks: FrameTick[] = [];
    const early = {
      now: () => scheduler.now(),
      clearTimeout: (h: unknown) => scheduler.clearTimeout(h),
      setTimeout: (fn: () => void, ms: number) => scheduler.setTimeout(fn, ms * 0.9), // fires 10 % early
    };
    const clock = new FrameClock({ scheduler: early, onTick: (t) => ticks.push(t), fps: 1 });
    clock.start();
    scheduler.advance(990);
    expect(ticks).toHaveLength(1);
    scheduler.advance(10);
    expect(ticks.map((t) => t.mediaTime)).toEqual([0, 90_000]);
  });

  it('tickNow() ticks at once and re-anchors the grid', () => {
    const { clock, ticks, scheduler } = setup(1);
    clock.start();
    scheduler.advance(1300);
    const tick = clock.tickNow()!;
    expect(tick).toMatchObject({ mediaTime: 117_000, immediate: true });
    scheduler.advance(999);
    expect(ticks).toHaveLength(3);
    scheduler.advance(1);
    expect(ticks.map((t) => t.mediaTime)).toEqual([0, 90_000, 117_000, 207_000]);
  });

  it('keeps media time strictly increasing for back-to-back immediate ticks', () => {
    const { clock, ticks } = setup(1);
    clock.start();
    clock.tickNow();
    clock.tickNow();
    expect(ticks.map((t) => t.mediaTime)).toEqual([0, 1, 2]);
  });

  it('setFps() starts a new segment: immediate tick with the new duration', () => {
    const { clock, ticks, scheduler } = setup(1);
    clock.start();
    scheduler.advance(2500);
    expect(clock.setFps(5)).toBe(true);
    expect(ticks.at(-1)).toMatchObject({ mediaTime: 225_000, duration: 18_000, fps: 5, immediate: true });
    scheduler.advance(400);
    expect(ticks.slice(-3).map((t) => t.mediaTime)).toEqual([225_000, 243_000, 261_000]);
    expect(clock.setFps(5)).toBe(false);
  });

  it('setFps() while stopped only changes the rate', () => {
    const { clock, ticks } = setup(1);
    clock.setFps(2);
    expect(ticks).toHaveLength(0);
    clock.start();
    expect(ticks[0]!.duration).toBe(45_000);
  });

  it('stop() stops ticking; tickNow() is then a no-op; start() restarts at 0', () => {
    const { clock, ticks, scheduler } = setup(1);
    clock.start();
    clock.stop();
    clock.stop();
    scheduler.advance(5000);
    expect(ticks).toHaveLength(1);
    expect(clock.tickNow()).toBeNull();
    expect(scheduler.pendingTimers).toBe(0);
    clock.start();
    expect(ticks.at(-1)!.mediaTime).toBe(0);
    expect(clock.startTimeMs).toBe(15_000);
  });

  it('keeps running when the listener throws, reporting to onError', () => {
    const scheduler = new FakeScheduler(0);
    const errors: unknown[] = [];
    let calls = 0;
    const clock = new FrameClock({
      scheduler,
      onTick: () => {
        calls++;
        throw new Error('boom');
      },
      onError: (e) => errors.push(e),
    });
    clock.start();
    scheduler.advance(3000);
    expect(calls).toBe(4);
    expect(errors).toHaveLength(4);
  });

  it('throws a TypeError on bad options', () => {
    const scheduler = new FakeScheduler();
    expect(() => new FrameClock(null as never)).toThrow('options must be an object');
    expect(() => new FrameClock({ scheduler: {} as never, onTick: () => undefined })).toThrow('options.scheduler must be a Scheduler');
    expect(() => new FrameClock({ scheduler, onTick: 1 as never })).toThrow('options.onTick must be a function');
    expect(() => new FrameClock({ scheduler, onTick: () => undefined, fps: 6 })).toThrow('options.fps must be a finite number in [0.2, 5], got 6');
    const clock = new FrameClock({ scheduler, onTick: () => undefined });
    expect(() => clock.setFps(0)).toThrow('fps must be a finite number in [0.2, 5], got 0');
    expect(() => clock.setFps(NaN)).toThrow(TypeError);
  });
});
