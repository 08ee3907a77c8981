import { KeyframePolicy, type FrameContext } from './keyframe-policy';

const SECOND = 90_000;

function frame(seconds: number, over: Partial<FrameContext> = {}): FrameContext {
  return { mediaTime: Math.round(seconds * SECOND), duration: SECOND, fps: 1, width: 1920, height: 1080, ...over };
}

/** Runs frames through the policy like the pipeline does; returns [time s, reason] of each keyframe. */
function run(policy: KeyframePolicy, frames: FrameContext[]): Array<[number, string]> {
  const keys: Array<[number, string]> = [];
  for (const f of frames) {
    const reason = policy.decide(f);
    policy.noteSubmitted(f, reason !== null);
    if (reason !== null) keys.push([f.mediaTime / SECOND, reason]);
  }
  return keys;
}

describe('KeyframePolicy', () => {
  it('starts with a keyframe', () => {
    const p = new KeyframePolicy();
    expect(p.decide(frame(0))).toBe('start');
  });

  it('forces a keyframe at most every 25 s by default (1 fps)', () => {
    const p = new KeyframePolicy();
    const frames = Array.from({ length: 80 }, (_, i) => frame(i));
    expect(run(p, frames)).toEqual([
      [0, 'start'],
      [25, 'interval'],
      [50, 'interval'],
      [75, 'interval'],
    ]);
  });

  it('never lets the gap exceed the interval at 0.2 fps', () => {
    const p = new KeyframePolicy({ maxIntervalMs: 22_000 });
    const frames = Array.from({ length: 20 }, (_, i) => frame(i * 5, { duration: 5 * SECOND, fps: 0.2 }));
    const keys = run(p, frames).map(([t]) => t);
    expect(keys).toEqual([0, 20, 40, 60, 80]); // 25 would exceed 22
    for (let i = 1; i < keys.length; i++) expect(keys[i]! - keys[i - 1]!).toBeLessThanOrEqual(22);
  });

  it('accepts a configurable interval of 20..30 s', () => {
    const p = new KeyframePolicy({ maxIntervalMs: 30_000 });
    const keys = run(p, Array.from({ length: 61 }, (_, i) => frame(i))).map(([t]) => t);
    expect(keys).toEqual([0, 30, 60]);
  });

  it('honours a server request once, on the next frame', () => {
    const p = new KeyframePolicy();
    run(p, [frame(0), frame(1), frame(2)]);
    expect(p.request('request', 2.5 * SECOND)).toBe(true);
    expect(p.pending).toBe('request');
    expect(run(p, [frame(2.5), frame(3.5), frame(4.5)])).toEqual([[2.5, 'request']]);
    expect(p.pending).toBeNull();
  });

  it('coalesces requests arriving right after a keyframe', () => {
    const p = new KeyframePolicy({ requestCoalesceMs: 250 });
    run(p, [frame(0), frame(1)]);
    expect(p.request('request', 0.2 * SECOND)).toBe(false); // keyframe at 0 is 200 ms old
    expect(p.pending).toBeNull();
    expect(p.request('request', 0.3 * SECOND)).toBe(true);
  });

  it('never coalesces a restart request', () => {
    const p = new KeyframePolicy();
    run(p, [frame(0)]);
    expect(p.request('restart', 0)).toBe(true);
    expect(p.decide(frame(1))).toBe('restart');
  });

  it('starts a new segment on a frame-rate change', () => {
    const p = new KeyframePolicy();
    run(p, [frame(0), frame(1), frame(2)]);
    expect(run(p, [frame(2.3, { fps: 5, duration: 18_000 }), frame(2.5, { fps: 5, duration: 18_000 })])).toEqual([[2.3, 'fps-change']]);
  });

  it('makes a keyframe after a gap of more than two frame durations (skipped ticks), where an MSE player would drop delta frames', () => {
    const p = new KeyframePolicy();
    const at5 = (s: number) => frame(s, { fps: 5, duration: 18_000 });
    run(p, [at5(0), at5(0.2)]);
    // one tick skipped: 0.4 s = 2 durations, still contiguous for MSE; two skipped: 0.6 s, a gap
    expect(run(p, [at5(0.6), at5(0.8), at5(1.4), at5(1.6)])).toEqual([[1.4, 'timeline-gap']]);
  });

  it('starts a new segment on a resolution change', () => {
    const p = new KeyframePolicy();
    run(p, [frame(0), frame(1)]);
    expect(p.decide(frame(2, { width: 1280, height: 720 }))).toBe('resolution-change');
  });

  it('restarts the interval after an encoder-made keyframe', () => {
    const p = new KeyframePolicy();
    run(p, Array.from({ length: 10 }, (_, i) => frame(i)));
    p.noteKeyframeOutput(9 * SECOND);
    expect(p.lastKeyframeMediaTime).toBe(9 * SECOND);
    const keys = run(p, Array.from({ length: 30 }, (_, i) => frame(10 + i))).map(([t]) => t);
    expect(keys).toEqual([34]);
    p.noteKeyframeOutput(1); // older: ignored
    expect(p.lastKeyframeMediaTime).toBe(34 * SECOND);
  });

  it('reset() makes the next frame a start keyframe', () => {
    const p = new KeyframePolicy();
    run(p, [frame(0), frame(1)]);
    p.reset();
    expect(p.decide(frame(0))).toBe('start');
  });

  it('does not change state in decide()', () => {
    const p = new KeyframePolicy();
    expect(p.decide(frame(0))).toBe('start');
    expect(p.decide(frame(0))).toBe('start');
  });

  it('throws a TypeError on bad options and input', () => {
    expect(() => new KeyframePolicy({ maxIntervalMs: 10_000 })).toThrow('options.maxIntervalMs must be a finite number in [20000, 30000], got 10000');
    expect(() => new KeyframePolicy({ maxIntervalMs: 31_000 })).toThrow(TypeError);
    expect(() => new KeyframePolicy({ requestCoalesceMs: -1 })).toThrow(TypeError);
    expect(() => new KeyframePolicy(null as never)).toThrow('options must be an object');
    const p = new KeyframePolicy();
    expect(() => p.decide(null as never)).toThrow('ctx must be an object');
    expect(() => p.decide(frame(0, { mediaTime: -1 }))).toThrow('ctx.mediaTime must be an integer >= 0, got -1');
    expect(() => p.decide(frame(0, { duration: 0 }))).toThrow('ctx.duration must be an integer >= 1, got 0');
    expect(() => p.decide(frame(0, { fps: 9 }))).toThrow('ctx.fps must be a finite number in [0.2, 5], got 9');
    expect(() => p.decide(frame(0, { width: 0 }))).toThrow('ctx.width must be an integer >= 1, got 0');
    expect(() => p.noteSubmitted(frame(0), 'yes' as never)).toThrow('keyFrame must be a boolean, got "yes"');
    expect(() => p.request('admin' as never, 0)).toThrow("reason must be 'request' or 'restart', got \"admin\"");
    expect(() => p.request('request', 1.5)).toThrow('nowMediaTime must be an integer >= 0, got 1.5');
    expect(() => p.noteKeyframeOutput(-5)).toThrow(TypeError);
  });

  it('throws a RangeError when media time goes backwards', () => {
    const p = new KeyframePolicy();
    p.noteSubmitted(frame(1), true);
    expect(() => p.noteSubmitted(frame(1), false)).toThrow(RangeError);
  });
});
