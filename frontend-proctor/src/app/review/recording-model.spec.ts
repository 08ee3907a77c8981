import { T0, gapEntry, indexView, initEntry, segmentEntry } from '../../testing/recording-fixtures';
import {
  checkPosition,
  checkStall,
  isPlaybackStuck,
  isWallClockTargetFinal,
  STUCK_MS,
  emptyModel,
  mergeIndex,
  recordingMediaEnd,
  recordingSpan,
  stepFrame,
  wallClockAt,
  wallClockTarget,
  type Frame,
  type FrameStore,
  type RecordingModel,
} from './recording-model';

const init1 = initEntry(1);
const init2 = initEntry(43, 1920, 1080, T0 + 50_000);
/** 0–20 s, 20–40 s, gap 40–50 s (page reloaded), 50 s– (newest, open). Media time = seconds since T0. */
const segments = [
  segmentEntry(2, 0, 20),
  segmentEntry(22, 20, 20),
  segmentEntry(44, 50, null, { init: init2 }),
];
const gap = gapEntry(42, 40, 50);
const view = indexView(segments, { inits: [init1, init2], gaps: [gap] });

/** Frames of a segment at 1 fps: capture time 7 ms after the media second (a Sentinel's clock offset). */
function framesFor(sequence: number, startS: number, count: number): Frame[] {
  return Array.from({ length: count }, (_, k) => ({
    sequence: sequence + k,
    mediaStart: startS + k,
    mediaEnd: startS + k + 1,
    captureMs: T0 + (startS + k) * 1000 + 7,
    join: k === 0,
  }));
}

function store(...entries: [string, Frame[]][]): FrameStore {
  return new Map(entries.map(([file, frames]) => [file, { frames, bytes: frames.length * 100 }]));
}

describe('mergeIndex and placement', () => {
  it('places segments at their tfdt, ends contiguous ones at the next start and stops at a gap', () => {
    const m = mergeIndex(emptyModel('stream-1'), view);
    expect(m.segments.map((s) => [s.mediaStart, s.mediaEnd, s.offset])).toEqual([
      [0, 20, 0],
      [20, 40, 0],
      [50, null, 0],
    ]);
    expect(m.gaps).toEqual([gap]);
    expect(m.inits.get(init2.file)).toEqual(init2);
  });

  it('merges a later ?from= answer: the newest segment gets its end, new segments are appended, offsets stay', () => {
    const first = mergeIndex(emptyModel('stream-1'), view);
    const later = mergeIndex(first, indexView([segmentEntry(44, 50, 20, { init: init2 }), segmentEntry(64, 70, null, { init: init2 })], { inits: [init2], live: true }));
    expect(later.live).toBe(true);
    expect(later.segments.map((s) => s.file)).toEqual([...segments.map((s) => s.file), segmentEntry(64, 70, null).file]);
    expect(later.segments.map((s) => [s.mediaStart, s.mediaEnd])).toEqual([
      [0, 20],
      [20, 40],
      [50, 70],
      [70, null],
    ]);
    expect(later.gaps).toHaveLength(1);
  });

  it('places a segment whose tfdt went backwards after the previous one, by the wall clock', () => {
    const m = mergeIndex(
      emptyModel('s'),
      indexView([segmentEntry(2, 0, 20), segmentEntry(22, 20, 10), segmentEntry(40, 35, null, { mediaS: 0, init: init2 })], { inits: [init1, init2] }),
    );
    const last = m.segments[2]!;
    expect(last.offset).toBeCloseTo(35);
    expect(last.mediaStart).toBeCloseTo(35);
    expect(m.segments[1]!.mediaEnd).toBeCloseTo(30); // 10 s long, then a hole
  });
});

describe('wall clock <-> media time', () => {
  const m = mergeIndex(emptyModel('stream-1'), view);
  const frames = store([segments[0]!.file, framesFor(2, 0, 20)], [segments[2]!.file, framesFor(44, 50, 12)]);

  it('finds the frame captured at or just before a wall-clock moment (prft)', () => {
    const target = wallClockTarget(m, frames, T0 + 5_500);
    expect(target.kind).toBe('recorded');
    if (target.kind !== 'recorded') return;
    expect(target.frame?.captureMs).toBe(T0 + 5_007);
    expect(target.mediaTime).toBeGreaterThanOrEqual(5);
    expect(target.mediaTime).toBeLessThan(6);
    expect(wallClockAt(m, frames, target.mediaTime)).toBe(T0 + 5_007);
  });

  it('interpolates in a segment whose frames are not fetched yet', () => {
    const target = wallClockTarget(m, frames, T0 + 30_250);
    expect(target).toMatchObject({ kind: 'recorded', segment: 1 });
    if (target.kind === 'recorded') expect(target.mediaTime).toBeCloseTo(30.25);
    expect(wallClockAt(m, frames, 30.25)).toBeCloseTo(T0 + 30_250);
  });

  it('a moment in a gap goes to the next segment and names the gap', () => {
    const target = wallClockTarget(m, frames, T0 + 45_000);
    expect(target).toMatchObject({ kind: 'hole', segment: 2, hole: { reason: 'sentinel-restarted', fromMs: T0 + 40_000, toMs: T0 + 50_000 } });
    if (target.kind === 'hole') expect(target.mediaTime).toBeCloseTo(50);
  });

  it('before the recording: its start; after what is recorded: the newest frame', () => {
    expect(wallClockTarget(m, frames, T0 - 60_000)).toMatchObject({ kind: 'before', segment: 0 });
    const after = wallClockTarget(m, frames, T0 + 600_000);
    expect(after).toMatchObject({ kind: 'after', segment: 2 });
    if (after.kind === 'after') expect(after.mediaTime).toBeCloseTo(61);
    expect(wallClockTarget(emptyModel('x'), frames, T0)).toEqual({ kind: 'empty' });
  });

  it('a jump is final once the frames fetched go past the moment, or the segment was read whole', () => {
    const final = (ms: number, store: FrameStore = frames) => isWallClockTargetFinal(m, store, wallClockTarget(m, store, ms), ms);
    expect(final(T0 + 5_500)).toBe(true); // frames fetched past it
    expect(final(T0 + 55_500)).toBe(true); // in the newest segment, frames fetched past it
    expect(final(T0 + 45_000)).toBe(true); // a hole
    expect(final(T0 - 60_000)).toBe(true); // before the recording
    expect(final(T0 + 30_250)).toBe(false); // a segment not fetched yet: interpolated
    // the newest segment of a live recording read up to 61 s: frames captured since may be nearer
    expect(wallClockTarget(m, frames, T0 + 63_000).kind).toBe('after');
    expect(final(T0 + 63_000)).toBe(false);
    expect(final(T0 + 61_500)).toBe(false); // between the newest frame fetched and the next that may come
    const whole: FrameStore = new Map([...frames].map(([file, f]) => [file, { ...f, complete: true }]));
    expect(final(T0 + 63_000, whole)).toBe(true); // read whole
  });

  it('the newest segment ends with its last fetched frame', () => {
    expect(recordingMediaEnd(m, frames)).toBe(62);
    expect(recordingSpan(m, frames)).toEqual({ fromMs: T0, toMs: T0 + 62_007 });
    expect(recordingSpan(m, new Map())).toEqual({ fromMs: T0, toMs: T0 + 50_000 });
  });
});

describe('checkPosition (hole skipping)', () => {
  const ended: RecordingModel = mergeIndex(emptyModel('stream-1'), view);
  const frames = store([segments[2]!.file, framesFor(44, 50, 12)]);

  it('plays on inside a segment and across contiguous segments', () => {
    expect(checkPosition(ended, frames, 10)).toEqual({ kind: 'inside', segment: 0 });
    expect(checkPosition(ended, frames, 19.99)).toEqual({ kind: 'inside', segment: 0 });
    expect(checkPosition(ended, frames, 20)).toEqual({ kind: 'inside', segment: 1 });
  });

  it('jumps over a hole to the next segment, with the reason', () => {
    const check = checkPosition(ended, frames, 40.2);
    expect(check).toMatchObject({ kind: 'hole', segment: 2, hole: { reason: 'sentinel-restarted' } });
    if (check.kind === 'hole') expect(check.to).toBeCloseTo(50);
  });

  it('says "end" at the end of an ended recording, and never while live', () => {
    expect(checkPosition(ended, frames, 61.99)).toEqual({ kind: 'end' });
    expect(checkPosition(ended, frames, 61)).toEqual({ kind: 'inside', segment: 2 });
    expect(checkPosition({ ...ended, live: true }, frames, 80)).toEqual({ kind: 'inside', segment: 2 });
    expect(checkPosition(ended, frames, -3)).toMatchObject({ kind: 'before' });
  });
});

describe('stepFrame', () => {
  const m = mergeIndex(emptyModel('stream-1'), view);
  const frames = store([segments[0]!.file, framesFor(2, 0, 20)], [segments[1]!.file, framesFor(22, 20, 20)]);

  it('steps to the next and the previous frame, across segment boundaries', () => {
    expect(stepFrame(m, frames, 5.5, 1)).toBeCloseTo(6.001);
    expect(stepFrame(m, frames, 5.5, -1)).toBeCloseTo(4.001);
    expect(stepFrame(m, frames, 19.5, 1)).toBeCloseTo(20.001);
    expect(stepFrame(m, frames, 20.5, -1)).toBeCloseTo(19.001);
    expect(stepFrame(m, frames, 39.5, 1)).toBeCloseTo(50.001); // over the gap
  });

  it('stops at the ends', () => {
    expect(stepFrame(m, frames, 0.5, -1)).toBeNull();
    expect(stepFrame(m, frames, 55, 1)).toBeNull();
  });
});

describe('checkStall (Chromium stalls inside the last frame before a hole)', () => {
  const ended: RecordingModel = mergeIndex(emptyModel('stream-1'), view);
  const frames = store([segments[1]!.file, framesFor(22, 20, 20)], [segments[2]!.file, framesFor(44, 50, 12)]);
  const buffered = [
    { start: 20, end: 40.004 },
    { start: 50, end: 62.004 },
  ];

  it('a stall on the last frame before a hole jumps over the hole', () => {
    const check = checkStall(ended, frames, 39.71, buffered, true);
    expect(check).toMatchObject({ kind: 'hole', segment: 2, hole: { reason: 'sentinel-restarted' } });
  });

  it('a stall on the last frame of an ended recording is its end', () => {
    expect(checkStall(ended, frames, 61.4, buffered, true)).toEqual({ kind: 'end' });
  });

  it('waits when frames are still ahead, when not stalled, and where the next segment is only not fetched yet', () => {
    expect(checkStall(ended, frames, 35, buffered, true)).toEqual({ kind: 'inside', segment: 1 });
    expect(checkStall(ended, frames, 39.71, buffered, false)).toEqual({ kind: 'inside', segment: 1 });
    const partial = [{ start: 20, end: 30.004 }];
    expect(checkStall(ended, frames, 29.5, partial, true)).toEqual({ kind: 'inside', segment: 1 });
  });
  // The index ends a segment closed by a gap by the wall clock; capture times (prft) and
  // media time (tfdt) need not agree to the frame: here the frames end 0.2 s before it.
  const short = framesFor(22, 20, 20).map((f, k) => (k === 19 ? { ...f, mediaEnd: 39.8 } : f));
  const shortBuffered = [
    { start: 20, end: 39.804 },
    { start: 50, end: 62.004 },
  ];

  it('a segment read whole ends at its last frame, not at the index wall-clock estimate', () => {
    const whole: FrameStore = new Map([[segments[1]!.file, { frames: short, bytes: 2000, complete: true }]]);
    const check = checkStall(ended, whole, 39.805, shortBuffered, true);
    expect(check).toMatchObject({ kind: 'hole', segment: 2, hole: { reason: 'sentinel-restarted' } });
    expect(checkPosition(ended, whole, 39.79)).toMatchObject({ kind: 'hole', segment: 2 });
  });

  it('a segment read only in part keeps the index end (its last frames may still come)', () => {
    const part: FrameStore = new Map([[segments[1]!.file, { frames: short, bytes: 2000 }]]);
    expect(checkStall(ended, part, 39.805, shortBuffered, true)).toEqual({ kind: 'inside', segment: 1 });
  });
});

describe('isPlaybackStuck (the review player\'s watchdog)', () => {
  const buffered = [{ start: 10, end: 20 }];
  const base = { seeking: false, stalled: true, t: 12, buffered, sinceProgressMs: STUCK_MS };

  it('a stalled element or a seek that does not complete, with media buffered ahead, STUCK_MS without progress', () => {
    expect(isPlaybackStuck(base)).toBe(true);
    expect(isPlaybackStuck({ ...base, stalled: false, seeking: true })).toBe(true);
    expect(isPlaybackStuck({ ...base, sinceProgressMs: STUCK_MS - 1 })).toBe(false);
  });

  it('not while playing on, nor while waiting for a fetch (nothing buffered ahead of the position)', () => {
    expect(isPlaybackStuck({ ...base, stalled: false })).toBe(false);
    expect(isPlaybackStuck({ ...base, t: 19.95 })).toBe(false);
    expect(isPlaybackStuck({ ...base, t: 25 })).toBe(false);
    expect(isPlaybackStuck({ ...base, t: 8, seeking: true })).toBe(false);
    expect(isPlaybackStuck({ ...base, t: 19.85 })).toBe(true);
  });

  it('doubles the wait for each watchdog seek in a row, up to 8x', () => {
    expect(isPlaybackStuck({ ...base, stuckInRow: 1 })).toBe(false);
    expect(isPlaybackStuck({ ...base, stuckInRow: 1, sinceProgressMs: 2 * STUCK_MS })).toBe(true);
    expect(isPlaybackStuck({ ...base, stuckInRow: 7, sinceProgressMs: 8 * STUCK_MS - 1 })).toBe(false);
    expect(isPlaybackStuck({ ...base, stuckInRow: 7, sinceProgressMs: 8 * STUCK_MS })).toBe(true);
  });

  it('honours its thresholds', () => {
    expect(isPlaybackStuck({ ...base, sinceProgressMs: 500 }, 500)).toBe(true);
    expect(isPlaybackStuck({ ...base, t: 19 }, STUCK_MS, 2)).toBe(false);
  });
});
