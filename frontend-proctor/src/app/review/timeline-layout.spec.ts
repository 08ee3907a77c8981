import { T0, gapEntry, indexView, initEntry, segmentEntry } from '../../testing/recording-fixtures';
import { emptyModel, mergeIndex } from './recording-model';
import { exportParts, exportUrl, holeLabel, msAtX, percentAt, ticks, timelineView } from './timeline-layout';

const init1 = initEntry(1);
const init2 = initEntry(43, 1280, 720, T0 + 50_000);
const model = mergeIndex(
  emptyModel('stream-1'),
  indexView([segmentEntry(2, 0, 20), segmentEntry(22, 20, 20), segmentEntry(44, 50, 50, { init: init2 }), segmentEntry(94, 100, null, { init: init2 })], {
    inits: [init1, init2],
    gaps: [gapEntry(42, 40, 50)],
  }),
);

describe('timelineView', () => {
  const view = timelineView(model, new Map(), T0 + 200_000)!;

  it('spans the recording up to "now" and places recorded stretches and the gap in percent', () => {
    expect(view.span).toEqual({ fromMs: T0, toMs: T0 + 200_000 });
    expect(view.recorded.map((r) => [r.left, r.width])).toEqual([
      [0, 20],
      [25, 25],
    ]);
    expect(view.holes).toHaveLength(1);
    expect(view.holes[0]).toMatchObject({ left: 20, width: 5, hole: { reason: 'sentinel-restarted', source: 'sentinel' } });
    expect(view.holes[0]!.label).toMatch(/^Gap .*\(10 s\): the Sentinel page was reloaded or restarted$/);
  });

  it('marks init changes, saying when the picture size changed', () => {
    expect(view.inits).toHaveLength(1);
    expect(view.inits[0]).toMatchObject({ atMs: T0 + 50_000, left: 25, resized: true });
    expect(view.inits[0]!.label).toMatch(/^1920×1080 → 1280×720 \(avc1\.42C028\) at /);
  });

  it('is null for an empty recording', () => {
    expect(timelineView(emptyModel('x'), new Map())).toBeNull();
  });
});

describe('geometry and ticks', () => {
  const span = { fromMs: 1000, toMs: 3000 };
  it('maps pixels to wall clock and back, clamped', () => {
    expect(percentAt(2000, span)).toBe(50);
    expect(percentAt(0, span)).toBe(0);
    expect(msAtX(250, 1000, span)).toBe(1500);
    expect(msAtX(-5, 1000, span)).toBe(1000);
    expect(msAtX(5000, 1000, span)).toBe(3000);
  });

  it('puts ticks at round clock times, at most maxTicks', () => {
    const t = ticks({ fromMs: T0 + 1, toMs: T0 + 95_000 }, 10);
    expect(t.length).toBeLessThanOrEqual(10);
    expect(t.length).toBeGreaterThanOrEqual(4);
    const step = t[1]!.atMs - t[0]!.atMs;
    expect([10_000, 15_000]).toContain(step);
    for (const tick of t) expect(new Date(tick.atMs).getSeconds() % (step / 1000)).toBe(0);
  });
});

describe('exportParts', () => {
  it('is the selection itself within one init segment', () => {
    expect(exportParts(model, new Map(), T0 + 5_000, T0 + 30_000)).toEqual([{ fromMs: T0 + 5_000, toMs: T0 + 30_000, width: 1920, height: 1080 }]);
  });

  it('splits at init changes (one MP4 track holds one picture size)', () => {
    expect(exportParts(model, new Map(), T0 + 30_000, T0 + 60_000)).toEqual([
      { fromMs: T0 + 30_000, toMs: T0 + 40_000, width: 1920, height: 1080 },
      { fromMs: T0 + 50_000, toMs: T0 + 60_000, width: 1280, height: 720 },
    ]);
  });

  it('builds export.mp4 URLs in epoch ms', () => {
    expect(exportUrl('s/1', { fromMs: 10.4, toMs: 20.2 })).toBe('/api/recordings/s%2F1/export.mp4?from=10&to=21');
  });
});

describe('holeLabel', () => {
  it('says how long and why', () => {
    expect(holeLabel({ fromMs: T0, toMs: T0 + 4_500, reason: 'capture-stopped', source: 'sentinel' })).toMatch(/\(4\.5 s\): screen sharing stopped/);
    expect(holeLabel({ fromMs: T0, toMs: T0 + 600_000, reason: 'not-recorded', source: null })).toMatch(/\(10 min\): nothing was recorded$/);
  });
});
