import { DEFAULT_LIVE_EDGE_CONFIG, decideLiveEdge, liveDrift, liveEdgeTarget, planTrim, toRanges, type LiveEdgeInput } from './live-edge';

const base: LiveEdgeInput = {
  phase: 'live',
  ranges: [{ start: 10, end: 20 }],
  currentTime: 19.9,
  playbackRate: 1.25,
  userPaused: false,
  seeking: false,
  stalled: false,
  frameDuration: 0.2, // 5 fps
  newestFrameStart: 19.8,
  appendPending: false,
  forceLive: false,
};
const decide = (o: Partial<LiveEdgeInput>) => decideLiveEdge({ ...base, ...o });
const seek = (to: number, reason: string) => ({ type: 'seek', to: expect.closeTo(to, 9) as unknown as number, reason });

describe('decideLiveEdge', () => {
  it('waits while nothing is buffered or a seek is running', () => {
    expect(decide({ ranges: [] })).toEqual({ action: { type: 'none' }, phase: 'live' });
    expect(decide({ phase: 'start', seeking: true })).toEqual({ action: { type: 'none' }, phase: 'start' });
  });

  it('starts at buffered.start(0), then jumps to the newest frame', () => {
    const first = decide({ phase: 'start', currentTime: 0 });
    expect(first).toEqual({ action: { type: 'seek', to: 10, reason: 'start' }, phase: 'joined' });
    const second = decide({ phase: 'joined', currentTime: 10 });
    // 5 fps: seekLead (0.02 s) before the newest frame, so the element has media ahead of it
    expect(second).toEqual({ action: seek(19.78, 'live'), phase: 'live' });
  });

  it('holds the jump to the live edge until the join burst is appended', () => {
    expect(decide({ phase: 'joined', currentTime: 10, appendPending: true })).toEqual({ action: { type: 'none' }, phase: 'joined' });
  });

  it('aims at the start of the newest frame, inside the newest range', () => {
    expect(liveEdgeTarget([{ start: 0, end: 5 }, { start: 30, end: 30.2 }], 30)).toBeCloseTo(30.001, 9);
    // newest frame unknown or not in the newest range: the range's start
    expect(liveEdgeTarget([{ start: 0, end: 5 }, { start: 30, end: 31 }])).toBeCloseTo(30.001, 9);
    expect(liveEdgeTarget([{ start: 30, end: 31 }], 12)).toBeCloseTo(30.001, 9);
    expect(liveEdgeTarget([])).toBeNull();
  });

  it('with a lead, aims that far before the newest frame when the frame before it is buffered', () => {
    expect(liveEdgeTarget([{ start: 10, end: 20 }], 19.8, 0.02)).toBeCloseTo(19.78, 9);
    // the newest frame starts its range: nothing buffered before it, land on it
    expect(liveEdgeTarget([{ start: 0, end: 5 }, { start: 30, end: 30.2 }], 30, 0.02)).toBeCloseTo(30.001, 9);
    expect(liveEdgeTarget([{ start: 10, end: 20 }], 19.8, 0)).toBeCloseTo(19.801, 9);
  });

  it('plays at the catch-up rate, so the position waits at the end of the buffer for the next frame', () => {
    expect(decide({ playbackRate: 1 }).action).toEqual({ type: 'rate', rate: 1.25 });
    expect(decide({}).action).toEqual({ type: 'none' });
    expect(decide({ currentTime: 20 }).action).toEqual({ type: 'none' }); // waiting at the end
    expect(decide({ currentTime: 19.7 }).action).toEqual({ type: 'none' }); // a frame behind: caught up by the rate
  });

  it('at high frame rates steps only when the picture on screen is stepMinFrameDuration behind, showTimeoutMs after the append', () => {
    const feedback: Partial<LiveEdgeInput> = { feedback: true, shownFrameStart: 19.6, newestAppendedAgoMs: 150, lastSeekAgoMs: 5000 };
    // two frames behind: the rate catches up
    expect(decide(feedback).action).toEqual({ type: 'none' });
    // 0.6 s behind, 150 ms after the append: stuck; step
    expect(decide({ ...feedback, shownFrameStart: 19.2 }).action).toEqual(seek(19.78, 'frame'));
    // ...not before showTimeoutMs, nor within showTimeoutMs of the last seek
    expect(decide({ ...feedback, shownFrameStart: 19.2, newestAppendedAgoMs: 50 }).action).toEqual({ type: 'none' });
    expect(decide({ ...feedback, shownFrameStart: 19.2, lastSeekAgoMs: 50 }).action).toEqual({ type: 'none' });
    // judged by the picture, not the position: a waiting element may read far behind
    expect(decide({ ...feedback, shownFrameStart: 19.8, currentTime: 15 }).action).toEqual({ type: 'none' });
    // nothing presented yet (a join that does not start): step too
    expect(decide({ ...feedback, shownFrameStart: null }).action).toEqual(seek(19.78, 'frame'));
  });

  it('at high frame rates steps a stalled element whose newest frame is not on screen stallTimeoutMs after its append', () => {
    // one frame behind: the rate would catch up a playing element, but a stalled one does not play on (Chromium after a seek)
    const { stallTimeoutMs, showTimeoutMs } = DEFAULT_LIVE_EDGE_CONFIG;
    const stuck: Partial<LiveEdgeInput> = { feedback: true, stalled: true, shownFrameStart: 19.6, newestAppendedAgoMs: stallTimeoutMs, lastSeekAgoMs: 400 };
    expect(stallTimeoutMs).toBeLessThan(showTimeoutMs); // else this rule would add nothing to the show timeout's
    expect(decide(stuck).action).toEqual(seek(19.78, 'frame'));
    // waiting at the end of the buffer, a new frame is shown within a few ms: give it stallTimeoutMs
    expect(decide({ ...stuck, newestAppendedAgoMs: stallTimeoutMs - 1 }).action).toEqual({ type: 'none' });
    // playing: the rate catches up
    expect(decide({ ...stuck, stalled: false }).action).toEqual({ type: 'none' });
    // the newest frame is on screen: nothing to do
    expect(decide({ ...stuck, shownFrameStart: 19.8 }).action).toEqual({ type: 'none' });
    // within showTimeoutMs of the last seek: wait for it
    expect(decide({ ...stuck, lastSeekAgoMs: 60 }).action).toEqual({ type: 'none' });
    // a custom stallTimeoutMs
    expect(decideLiveEdge({ ...base, ...stuck }, { ...DEFAULT_LIVE_EDGE_CONFIG, stallTimeoutMs: stallTimeoutMs + 30 }).action).toEqual({ type: 'none' });
  });

  it('at low frame rates steps to each new frame that is not on screen, once per showTimeoutMs', () => {
    const lowFps: Partial<LiveEdgeInput> = { ranges: [{ start: 0, end: 30 }], frameDuration: 5, newestFrameStart: 25, currentTime: 24.9, feedback: true };
    expect(decide({ ...lowFps, shownFrameStart: 20, newestAppendedAgoMs: 0, lastSeekAgoMs: 5000 }).action).toEqual(seek(25.001, 'frame'));
    expect(decide({ ...lowFps, shownFrameStart: 20, newestAppendedAgoMs: 0, lastSeekAgoMs: null }).action).toEqual(seek(25.001, 'frame'));
    // just stepped: give it showTimeoutMs to show
    expect(decide({ ...lowFps, shownFrameStart: 20, newestAppendedAgoMs: 60, lastSeekAgoMs: 40 }).action).toEqual({ type: 'none' });
    expect(decide({ ...lowFps, shownFrameStart: 20, newestAppendedAgoMs: 160, lastSeekAgoMs: 140 }).action).toEqual(seek(25.001, 'frame'));
    // on screen: nothing to do, wherever the position reads
    expect(decide({ ...lowFps, shownFrameStart: 25, currentTime: 21, lastSeekAgoMs: 5000 }).action).toEqual({ type: 'none' });
    // nothing presented since the join: step
    expect(decide({ ...lowFps, shownFrameStart: null, lastSeekAgoMs: 500 }).action).toEqual(seek(25.001, 'frame'));
    // 1 fps
    expect(
      decide({ ranges: [{ start: 0, end: 11 }], frameDuration: 1, newestFrameStart: 10, currentTime: 10.2, shownFrameStart: 9, lastSeekAgoMs: 900, feedback: true }).action,
    ).toEqual(seek(10.001, 'frame'));
  });

  it('stops trusting presentation feedback after maxUnshownSteps steps with nothing presented (a video not rendered)', () => {
    const lowFps: Partial<LiveEdgeInput> = { ranges: [{ start: 0, end: 30 }], frameDuration: 5, newestFrameStart: 25, shownFrameStart: 20, lastSeekAgoMs: 5000, feedback: true };
    expect(decide({ ...lowFps, currentTime: 25.5, unshownSteps: 1 }).action).toEqual(seek(25.001, 'frame'));
    // two steps and still nothing presented: the position decides (inside the newest frame: nothing to do)
    expect(decide({ ...lowFps, currentTime: 25.5, unshownSteps: 2 }).action).toEqual({ type: 'none' });
    expect(decide({ ...lowFps, currentTime: 21, unshownSteps: 2 }).action).toEqual(seek(25.001, 'frame'));
  });

  it('without presentation feedback: at low fps steps a playing element behind the newest frame, seeks beyond maxDrift', () => {
    const lowFps: Partial<LiveEdgeInput> = { ranges: [{ start: 0, end: 30 }], frameDuration: 5, newestFrameStart: 25 };
    expect(decide({ ...lowFps, currentTime: 21 }).action).toEqual(seek(25.001, 'frame'));
    expect(decide({ ...lowFps, currentTime: 24.95 }).action).toEqual({ type: 'none' }); // within frameStepTolerance
    expect(decide({ ...lowFps, currentTime: 24.95, stalled: true }).action).toEqual(seek(25.001, 'frame')); // stalled: it may not resume into it
    expect(decide({ ...lowFps, currentTime: 29 }).action).toEqual({ type: 'none' });
    // 5 fps: 3.6 s behind the newest frame (> maxDrift 3 s) -> seek to it; 2.9 s: caught up by the rate
    expect(liveDrift(20, 16.2, 0.2)).toBeCloseTo(3.6, 9);
    expect(decide({ currentTime: 16.2 }).action).toEqual(seek(19.78, 'drift'));
    expect(decide({ currentTime: 16.9 }).action).toEqual({ type: 'none' });
  });

  it('jumps over a gap: a position outside the newest range would stall forever', () => {
    const ranges = [{ start: 0, end: 8 }, { start: 12, end: 14 }];
    expect(decide({ ranges, currentTime: 8, newestFrameStart: 13.8 }).action).toEqual(seek(13.78, 'gap'));
    expect(decide({ ranges: [{ start: 10, end: 20 }], currentTime: 3 }).action).toEqual(seek(19.78, 'gap'));
  });

  it('forceLive (tab visible again, Go live) seeks even when live', () => {
    expect(decide({ forceLive: true }).action).toEqual(seek(19.78, 'resume'));
    // seekLead 0: onto the newest frame
    expect(decideLiveEdge({ ...base, forceLive: true }, { ...DEFAULT_LIVE_EDGE_CONFIG, seekLead: 0 }).action).toEqual(seek(19.801, 'resume'));
  });

  it('leaves a user-paused view alone', () => {
    expect(decide({ currentTime: 2, ranges: [{ start: 0, end: 60 }], userPaused: true }).action).toEqual({ type: 'none' });
  });

  it('watchdog: a frame stuckTimeoutMs after its arrival still not on screen, with no seek meanwhile, gets a stuck seek, also while a seek runs', () => {
    const { stuckTimeoutMs } = DEFAULT_LIVE_EDGE_CONFIG;
    const frozen: Partial<LiveEdgeInput> = { feedback: true, shownFrameStart: 19.6, newestAppendedAgoMs: 10, waitingFrameAgoMs: stuckTimeoutMs, lastSeekAgoMs: stuckTimeoutMs };
    expect(decide(frozen).action).toEqual(seek(19.78, 'stuck'));
    // a seek that never completes holds every other rule: the watchdog seeks again
    expect(decide({ ...frozen, seeking: true }).action).toEqual(seek(19.78, 'stuck'));
    expect(decide({ ...frozen, seeking: true, lastSeekAgoMs: stuckTimeoutMs - 1 }).action).toEqual({ type: 'none' });
    // not before stuckTimeoutMs, and not with the newest frame on screen
    expect(decide({ ...frozen, waitingFrameAgoMs: stuckTimeoutMs - 1 }).action).toEqual({ type: 'none' });
    expect(decide({ ...frozen, waitingFrameAgoMs: null }).action).toEqual({ type: 'none' });
    // each stuck seek in a row doubles the wait, up to 8x
    expect(decide({ ...frozen, stuckSeeks: 1 }).action).toEqual({ type: 'none' });
    expect(decide({ ...frozen, stuckSeeks: 1, waitingFrameAgoMs: 2 * stuckTimeoutMs, lastSeekAgoMs: 2 * stuckTimeoutMs }).action).toEqual(seek(19.78, 'stuck'));
    expect(decide({ ...frozen, stuckSeeks: 9, waitingFrameAgoMs: 8 * stuckTimeoutMs - 1, lastSeekAgoMs: 8 * stuckTimeoutMs }).action).toEqual({ type: 'none' });
    expect(decide({ ...frozen, stuckSeeks: 9, waitingFrameAgoMs: 8 * stuckTimeoutMs, lastSeekAgoMs: 8 * stuckTimeoutMs }).action).toEqual(seek(19.78, 'stuck'));
    // low frame rates land on the newest frame
    expect(decide({ ...frozen, frameDuration: 5, newestFrameStart: 15, shownFrameStart: 10 }).action).toEqual(seek(15.001, 'stuck'));
    // only live, with trusted presentation feedback, and not while the user holds the view
    expect(decide({ ...frozen, phase: 'joined', appendPending: true }).action).toEqual({ type: 'none' });
    expect(decide({ ...frozen, feedback: false }).action).toEqual({ type: 'none' });
    expect(decide({ ...frozen, unshownSteps: DEFAULT_LIVE_EDGE_CONFIG.maxUnshownSteps }).action).toEqual({ type: 'none' }); // the video is not rendered
    expect(decide({ ...frozen, userPaused: true }).action).toEqual({ type: 'none' });
    // back from the background (frames arrived unshown meanwhile): the asked-for jump, not the watchdog
    expect(decide({ ...frozen, forceLive: true }).action).toEqual(seek(19.78, 'resume'));
  });

  it('honours a custom configuration', () => {
    const config = { ...DEFAULT_LIVE_EDGE_CONFIG, catchUpRate: 1.1, maxDrift: 1 };
    expect(decideLiveEdge({ ...base, currentTime: 17.9 }, config).action).toEqual(seek(19.78, 'drift'));
    expect(decideLiveEdge(base, config).action).toEqual({ type: 'rate', rate: 1.1 });
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
