import { FixedHistogram, RollingWindow, mergeSnapshots } from './rolling-window';
import { RelayTotals, StreamStats, ViewerStats } from './relay-stats';

describe('RollingWindow', () => {
  it('keeps count, sum, min, max and average of the values within the window', () => {
    const w = new RollingWindow(60_000, 12); // 5 s buckets
    const t0 = 1_000_000;
    w.add(t0, 40);
    w.add(t0 + 1_000, 10);
    w.add(t0 + 20_000, 100);
    expect(w.read(t0 + 20_000)).toEqual({ count: 3, sum: 150, min: 10, max: 100, avg: 50, spanMs: 20_000 });
  });

  it('drops whole buckets as they leave the window', () => {
    const w = new RollingWindow(10_000, 10); // 1 s buckets
    w.add(0, 5);
    w.add(4_500, 7);
    expect(w.read(9_999).count).toBe(2);
    expect(w.read(10_000)).toMatchObject({ count: 1, min: 7, max: 7 }); // bucket [0, 1 s) left
    expect(w.read(13_999).count).toBe(1);
    expect(w.read(14_000)).toEqual({ count: 0, sum: 0, min: null, max: null, avg: null, spanMs: 9_000 });
  });

  it('reuses a slot of an earlier turn of the ring without mixing old values in', () => {
    const w = new RollingWindow(10_000, 10);
    w.add(3_200, 1_000);
    w.add(13_100, 1); // the same slot, one turn later
    expect(w.read(13_500)).toMatchObject({ count: 1, sum: 1, min: 1, max: 1 });
  });

  it('rates: per second over the span covered, at least 1 s; 0 when empty', () => {
    const w = new RollingWindow(10_000, 10);
    expect(w.ratePerSecond(5_000)).toBe(0);
    w.add(100_000, 1000);
    expect(w.ratePerSecond(100_000)).toBe(1000); // young: at least 1 s
    for (let t = 100_500; t < 120_000; t += 500) w.add(t, 1000); // 2 values/s of 1000
    expect(w.ratePerSecond(120_000)).toBeCloseTo(2000, -2);
    expect(w.countPerSecond(120_000)).toBeCloseTo(2, 1);
  });

  it('ignores non-finite values and survives a clock that steps back', () => {
    const w = new RollingWindow(10_000, 10);
    w.add(5_000, Number.NaN);
    w.add(5_000, Infinity);
    expect(w.read(5_000).count).toBe(0);
    w.add(5_000, 3);
    w.add(4_000, 4); // earlier bucket, still inside the window
    expect(w.read(5_000)).toMatchObject({ count: 2, min: 3, max: 4 });
  });

  it('refuses a nonsensical shape', () => {
    expect(() => new RollingWindow(0, 10)).toThrow(RangeError);
    expect(() => new RollingWindow(1000, 0)).toThrow(RangeError);
  });

  it('merges snapshots: min of mins, max of maxes, weighted average', () => {
    const a = new RollingWindow(60_000, 12);
    const b = new RollingWindow(60_000, 12);
    const empty = new RollingWindow(60_000, 12);
    a.add(0, 10);
    a.add(0, 20);
    b.add(0, 90);
    expect(mergeSnapshots([a.read(1000), b.read(1000), empty.read(1000)])).toMatchObject({ count: 3, sum: 120, min: 10, max: 90, avg: 40 });
    expect(mergeSnapshots([])).toMatchObject({ count: 0, min: null, max: null, avg: null });
  });
});

describe('FixedHistogram', () => {
  it('counts per upper bound, cumulative on read, with sum and count (+Inf)', () => {
    const h = new FixedHistogram([0.1, 0.5, 1]);
    for (const v of [0.05, 0.1, 0.3, 2, Number.NaN]) h.observe(v);
    expect(h.snapshot()).toEqual({ bounds: [0.1, 0.5, 1], cumulative: [2, 3, 3], sum: 2.45, count: 4 });
  });

  it('refuses bounds that do not ascend', () => {
    expect(() => new FixedHistogram([1, 1])).toThrow(RangeError);
  });
});

describe('StreamStats and ViewerStats', () => {
  it('bitrate and frame rate from live fragments; fragment age; backlog past the threshold', () => {
    const totals = new RelayTotals();
    const s = new StreamStats(totals, 10_000);
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 20; i++) s.fragmentReceived(t0 + i * 500, 12_500, t0 + i * 500 - 200, true); // 2 fps, 25 kB/s
    s.initReceived(800);
    const now = t0 + 10_000;
    expect(s.bitrateBps(now)).toBeGreaterThan(190_000);
    expect(s.bitrateBps(now)).toBeLessThanOrEqual(200_000);
    expect(s.fragmentsPerSecond(now)).toBeCloseTo(2, 0);
    expect(s.fragmentAge(now)).toMatchObject({ count: 20, min: 200, max: 200, avg: 200 });
    expect(s.drainingBacklog(now)).toBe(false);
    // a resent fragment (recording only) 45 s old: backlog, not in the rates
    s.fragmentReceived(now, 12_500, now - 45_000, false);
    expect(s.drainingBacklog(now + 1_000)).toBe(true);
    expect(s.drainingBacklog(now + 6_000)).toBe(false);
    expect(s).toMatchObject({ fragments: 21, backlogFragments: 1, lastBacklogAgeMs: 45_000 });
    expect(s.fragmentAge(now).max).toBe(45_000);
    expect(totals).toMatchObject({ fragmentsReceived: 21, ingestBytes: 21 * 12_500 + 800, backlogFragments: 1 });
    // no capture time: counted, no age
    s.fragmentReceived(now, 100, null, true);
    expect(s.fragmentAge(now).count).toBe(21);
  });

  it('ack latency into the window and the process histogram', () => {
    const totals = new RelayTotals();
    const s = new StreamStats(totals);
    s.acked(1_000, 1_004);
    s.acked(2_000, 2_030);
    s.acked(3_000, 2_999); // clock stepped back: 0, never negative
    expect(s.ackLatency(3_000)).toMatchObject({ count: 3, min: 0, max: 30 });
    expect(totals.ackSeconds.snapshot().count).toBe(3);
    expect(totals.ackSeconds.snapshot().sum).toBeCloseTo(0.034, 6);
  });

  it('viewer delivery latency and skipped segments, also in the totals', () => {
    const totals = new RelayTotals();
    const v = new ViewerStats(totals, { userId: 'u1', email: 'p@x', via: 'session' }, 0);
    v.delivered(10_000, 9_700);
    v.delivered(10_500, 9_900);
    v.skippedSegment();
    expect(v.deliveryLatency(11_000)).toMatchObject({ count: 2, min: 300, max: 600, avg: 450 });
    expect(v.skippedSegments).toBe(1);
    expect(totals.skippedSegments).toBe(1);
    expect(totals.viewerLatencySeconds.snapshot()).toMatchObject({ count: 2, cumulative: [0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2] });
  });
});
