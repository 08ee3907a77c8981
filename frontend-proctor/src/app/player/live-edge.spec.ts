import { DEFAULT_LIVE_EDGE_CONFIG, decideLiveEdge, liveDrift, liveEdgeTarget, planTrim, targetLag, toRanges, type LiveEdgeInput } from './live-edge';

const base: LiveEdgeInput = {
  phase: 'live',
  ranges: [{ start: 10, end: 20 }],
  currentTime: 19.5,
  playbackRate: 1,
  userPaused: false,
  seeking: false,
  stalled: false,
  frameDuration: 0.2, // 5 fps
  newestFrameStart: 19.8,
  appendPending: false,
  forceLive: false,
};
const decide = (o: Partial<LiveEdgeInput>) => decideLiveEdge({ ...base, ...o });

describe('decideLiveEdge', () => {
  it('waits while nothing is buffered or a seek is running', () => {
    expect(decide({ ranges: [] })).toEqual({ action: { type: 'none' }, phase: 'live' });
    expect(decide({ phase: 'start', seeking: true })).toEqual({ action: { type: 'none' }, phase: 'start' });
  });

  it('starts at buffered.start(0), then jumps to the live edge (end - target latency)', () => {
    const first = decide({ phase: 'start', currentTime: 0 });
    expect(first).toEqual({ action: { type: 'seek', to: 10, reason: 'start' }, phase: 'joined' });
    const second = decide({ phase: 'joined', currentTime: 10 });
    expect(second).toEqual({ action: { type: 'seek', to: 19.5, reason: 'live' }, phase: 'live' });
  });

  it('holds the jump to the live edge until the join burst is appended', () => {
    expect(decide({ phase: 'joined', currentTime: 10, appendPending: true })).toEqual({ action: { type: 'none' }, phase: 'joined' });
  });

  it('keeps the live-edge target inside the newest range (a single frame just after a gap)', () => {
    expect(liveEdgeTarget([{ start: 0, end: 5 }, { start: 30, end: 30.2 }])).toBe(30);
    expect(liveEdgeTarget([])).toBeNull();
  });

  it('does nothing at the target lag', () => {
    expect(decide({ currentTime: 19.5 }).action).toEqual({ type: 'none' });
    expect(decide({ currentTime: 20 }).action).toEqual({ type: 'none' }); // waiting at the end for the next frame
  });

  it('speeds up a little for small drift, and returns to 1 with hysteresis', () => {
    // lag 1.3 s at 5 fps: drift 0.8 s -> rate 1 + 0.5 * 0.8 = 1.4 -> clamped to 1.25
    expect(decide({ currentTime: 18.7 }).action).toEqual({ type: 'rate', rate: 1.25 });
    // drift 0.3 s -> 1.15
    expect(decide({ currentTime: 19.2 }).action).toEqual({ type: 'rate', rate: 1.15 });
    // drift 0.07 s (between tolerance/2 = 0.05 and tolerance = 0.1): keep the current rate
    expect(decide({ currentTime: 19.43, playbackRate: 1.15 }).action).toEqual({ type: 'none' });
    // back within tolerance/2: rate 1
    expect(decide({ currentTime: 19.47, playbackRate: 1.15 }).action).toEqual({ type: 'rate', rate: 1 });
  });

  it('at high frame rates holds one frame plus a cushion sized from the measured jitter', () => {
    // 5 fps, jitter 20 ms: lag 0.2 + max(0.05, 1.5 * 0.02) = 0.25 s
    expect(targetLag(0.2, 0.02)).toBeCloseTo(0.25, 9);
    // jitter 0.1 s: 0.2 + 0.15 = 0.35 s
    expect(targetLag(0.2, 0.1)).toBeCloseTo(0.35, 9);
    // never more than targetLatency (0.5 s), whatever the jitter
    expect(targetLag(0.2, 2)).toBe(0.5);
    // unknown jitter or frame rate: targetLatency; a low frame rate: one frame
    expect(targetLag(0.2, null)).toBe(0.5);
    expect(targetLag(null, 0.01)).toBe(0.5);
    expect(targetLag(5, 0.01)).toBe(5);
    // the live seek lands 0.25 s before the end, and a position there is on target
    expect(decide({ phase: 'joined', currentTime: 10, jitter: 0.02 }).action).toEqual({ type: 'seek', to: 19.75, reason: 'live' });
    expect(decide({ currentTime: 19.75, jitter: 0.02 }).action).toEqual({ type: 'none' });
    // 0.5 s behind (the old constant target) is now drift: caught up by a rate nudge
    expect(decide({ currentTime: 19.5, jitter: 0.02 }).action).toEqual({ type: 'rate', rate: 1.13 });
  });

  it('seeks to the live edge when drift exceeds maxDrift (3 s)', () => {
    // lag 3.4 s - allowed 0.5 s = drift 2.9 s: still a nudge
    expect(decide({ currentTime: 16.6 }).action).toEqual({ type: 'rate', rate: 1.25 });
    // lag 3.6 s: drift 3.1 s -> seek to end - 0.5
    expect(decide({ currentTime: 16.4 }).action).toEqual({ type: 'seek', to: 19.5, reason: 'drift' });
  });

  it('at 0.2 fps a position anywhere inside the newest 5 s frame is live, not drift', () => {
    const lowFps: Partial<LiveEdgeInput> = { ranges: [{ start: 0, end: 25 }], frameDuration: 5, newestFrameStart: 20 };
    // The next frame was just appended: the position is at its start, 5 s before the end.
    expect(decide({ ...lowFps, currentTime: 20 }).action).toEqual({ type: 'none' });
    expect(liveDrift(25, 20, 5)).toBe(0);
    expect(decide({ ...lowFps, currentTime: 24.9 }).action).toEqual({ type: 'none' });
    // Past the buffer end (Chromium's clock runs on while waiting): not a gap.
    expect(decide({ ...lowFps, currentTime: 25.3 }).action).toEqual({ type: 'none' });
  });

  it('at low fps steps to the newest frame once it is appended', () => {
    const lowFps: Partial<LiveEdgeInput> = { ranges: [{ start: 0, end: 30 }], frameDuration: 5, newestFrameStart: 25 };
    // Chromium stalled 1 s into the previous frame; the next one arrived: seek to its start (+1 ms).
    expect(decide({ ...lowFps, currentTime: 21 }).action).toEqual({ type: 'seek', to: 25.001, reason: 'frame' });
    // Within the tolerance: let playback run into it...
    expect(decide({ ...lowFps, currentTime: 24.8 }).action).toEqual({ type: 'none' });
    // ...unless the element is stalled: it would not resume with one frame of data.
    expect(decide({ ...lowFps, currentTime: 24.8, stalled: true }).action).toEqual({ type: 'seek', to: 25.001, reason: 'frame' });
    expect(decide({ ...lowFps, currentTime: 25.0005, stalled: true }).action).toEqual({ type: 'none' });
    // 1 fps: a position 0.5 s before the newest frame steps too.
    expect(
      decide({ ranges: [{ start: 0, end: 11 }], frameDuration: 1, newestFrameStart: 10, currentTime: 9.5 }).action,
    ).toEqual({ type: 'seek', to: 10.001, reason: 'frame' });
    // High fps (frame duration < target latency) never steps: the cushion absorbs jitter.
    expect(decide({ currentTime: 19.2, newestFrameStart: 19.8 }).action.type).toBe('rate');
  });

  it('jumps over a gap: a position outside the newest range would stall forever', () => {
    const ranges = [{ start: 0, end: 8 }, { start: 12, end: 14 }];
    expect(decide({ ranges, currentTime: 8, newestFrameStart: 13.8 }).action).toEqual({ type: 'seek', to: 13.5, reason: 'gap' });
    expect(decide({ ranges: [{ start: 10, end: 20 }], currentTime: 3 }).action).toEqual({ type: 'seek', to: 19.5, reason: 'gap' });
  });

  it('forceLive (tab visible again, Go live) seeks even without drift', () => {
    expect(decide({ currentTime: 19.5, forceLive: true }).action).toEqual({ type: 'seek', to: 19.5, reason: 'resume' });
  });

  it('leaves a user-paused view alone', () => {
    expect(decide({ currentTime: 2, ranges: [{ start: 0, end: 60 }], userPaused: true }).action).toEqual({ type: 'none' });
  });

  it('honours a custom configuration', () => {
    const config = { ...DEFAULT_LIVE_EDGE_CONFIG, targetLatency: 1, maxDrift: 1 };
    expect(decideLiveEdge({ ...base, currentTime: 17.9 }, config).action).toEqual({ type: 'seek', to: 19, reason: 'drift' });
  });
});

describe('planTrim', () => {
  const ranges = [{ start: 0, end: 100 }];

  it('removes whole GOPs: up to the last join fragment at least keepBehind before the position', () => {
    expect(planTrim({ ranges, currentTime: 95, joinTimes: [0, 25, 50, 75], keepBehind: 30 })).toEqual({ start: 0, end: 50 });
  });

  it('removes nothing when no join fragment is old enough', () => {
    expect(planTrim({ ranges, currentTime: 40, joinTimes: [0, 25], keepBehind: 30 })).toBeNull();
    expect(planTrim({ ranges: [], currentTime: 40, joinTimes: [], keepBehind: 30 })).toBeNull();
  });

  it('skips removals shorter than minRemove', () => {
    expect(planTrim({ ranges: [{ start: 49.5, end: 100 }], currentTime: 95, joinTimes: [50], keepBehind: 30 })).toBeNull();
  });

  it('removes whole ranges that end before the cut-off (old data before a gap)', () => {
    const gapped = [{ start: 0, end: 20 }, { start: 60, end: 100 }];
    expect(planTrim({ ranges: gapped, currentTime: 80, joinTimes: [0, 60], keepBehind: 30 })).toEqual({ start: 0, end: 20 });
    // Once the join fragment after the gap is old enough, the cut goes up to it.
    expect(planTrim({ ranges: gapped, currentTime: 99, joinTimes: [0, 60], keepBehind: 30 })).toEqual({ start: 0, end: 60 });
  });

  it('with keepBehind 0 (QuotaExceededError) frees everything before the current GOP', () => {
    expect(planTrim({ ranges, currentTime: 95, joinTimes: [0, 25, 50, 75], keepBehind: 0, minRemove: 0.001 })).toEqual({ start: 0, end: 75 });
  });
});

describe('toRanges', () => {
  it('copies TimeRanges into plain ranges', () => {
    const tr = { length: 2, start: (i: number) => [1, 5][i]!, end: (i: number) => [2, 9][i]! };
    expect(toRanges(tr)).toEqual([{ start: 1, end: 2 }, { start: 5, end: 9 }]);
  });
});
