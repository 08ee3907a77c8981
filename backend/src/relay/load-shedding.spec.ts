import { DEFAULT_LOAD_SHEDDING, LoadShedder, loadCapFps, reconnectSpreadMs, type LoadSignals } from './load-shedding';
import { slowestNewAckMs } from '../relay-nest/load-shedding.service';
import { FixedHistogram } from '../stats/rolling-window';

const calm: LoadSignals = { eventLoopDelayMs: 5, egressQueuedBytes: 0, slowestAckMs: 3 };
const hot: LoadSignals = { eventLoopDelayMs: 450, egressQueuedBytes: 0, slowestAckMs: 3 };

describe('LoadShedder (pure)', () => {
  it('rises one level per 3 overloaded seconds in a row, up to 3, and names the signal', () => {
    const s = new LoadShedder();
    const levels: number[] = [];
    for (let t = 0; t < 12; t++) {
      s.tick(hot, t * 1000);
      levels.push(s.level);
    }
    expect(levels).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]);
    expect(s.state).toEqual({ level: 3, reasons: ['event-loop'], changedAtMs: 8000 });
  });

  it('does not rise on isolated spikes, and falls one level per 30 calm seconds', () => {
    const s = new LoadShedder();
    for (let t = 0; t < 20; t++) s.tick(t % 3 === 2 ? calm : hot, t); // never 3 in a row
    expect(s.level).toBe(0);
    for (let t = 0; t < 6; t++) s.tick(hot, t);
    expect(s.level).toBe(2);
    for (let t = 0; t < 29; t++) expect(s.tick(calm, t)).toBe(false);
    expect(s.tick(calm, 29)).toBe(true);
    expect(s.level).toBe(1);
    s.tick(hot, 30); // a spike resets the calm count
    for (let t = 0; t < 29; t++) s.tick(calm, t);
    expect(s.level).toBe(1);
    s.tick(calm, 99);
    expect(s.level).toBe(0);
  });

  it('counts egress and disk as overload too', () => {
    const s = new LoadShedder({ ...DEFAULT_LOAD_SHEDDING, raiseAfterTicks: 1 });
    s.tick({ ...calm, egressQueuedBytes: 300 * 2 ** 20 }, 1);
    expect(s.state.reasons).toEqual(['egress']);
    s.tick({ ...calm, slowestAckMs: 5000 }, 2);
    expect(s.state.reasons).toEqual(['disk']);
    expect(s.level).toBe(2);
  });

  it('refuses thresholds that are not positive numbers', () => {
    expect(() => new LoadShedder({ ...DEFAULT_LOAD_SHEDDING, maxAckMs: 0 })).toThrow(/maxAckMs must be a positive number/);
    expect(() => new LoadShedder({ ...DEFAULT_LOAD_SHEDDING, shedFps: Number.NaN })).toThrow(RangeError);
  });
});

describe('loadCapFps (pure)', () => {
  it('sheds unwatched streams first, then tile-only ones, then brings focused ones to their base rate', () => {
    const cap = (level: 0 | 1 | 2 | 3) => [loadCapFps(level, 'unwatched', 1, 0.2), loadCapFps(level, 'tile', 1, 0.2), loadCapFps(level, 'focus', 1, 0.2)];
    expect(cap(0)).toEqual([null, null, null]);
    expect(cap(1)).toEqual([0.2, null, null]);
    expect(cap(2)).toEqual([0.2, 0.2, null]);
    expect(cap(3)).toEqual([0.2, 0.2, 1]);
  });
});

describe('slowestNewAckMs (pure)', () => {
  it('is the upper bound of the highest bucket that gained acks since the last snapshot', () => {
    const h = new FixedHistogram([0.001, 0.01, 0.1, 1]);
    const empty = h.snapshot();
    expect(slowestNewAckMs(null, empty)).toBe(0);
    h.observe(0.5);
    h.observe(0.002);
    const a = h.snapshot();
    expect(slowestNewAckMs(empty, a)).toBe(1000);
    h.observe(0.0005);
    const b = h.snapshot();
    expect(slowestNewAckMs(a, b)).toBe(1); // the old slow ack does not count again
    h.observe(7); // above the last bound
    expect(slowestNewAckMs(b, h.snapshot())).toBe(2000);
    expect(slowestNewAckMs(h.snapshot(), h.snapshot())).toBe(0);
  });
});

describe('reconnectSpreadMs (pure)', () => {
  it('grows 20 ms per stream held, between 1 s and 60 s', () => {
    expect([0, 1, 50, 500, 2000, 3000, 1e6].map(reconnectSpreadMs)).toEqual([1000, 1000, 1000, 10_000, 40_000, 60_000, 60_000]);
  });
});
