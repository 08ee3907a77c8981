import { stallAfterMs, TILE_FIRST_FRAME_INTERVAL_MS, TILE_RESYNC_BACKOFF_MAX_MS, TILE_STALL_MIN_MS, TileWatchdog } from './tile-watchdog';

/** The stall time at 1 fps (6 s). */
const STALL = TILE_STALL_MIN_MS;

describe('stallAfterMs', () => {
  it('is three frame intervals, at least 6 s (longer than one frame at 0.2 fps)', () => {
    expect(STALL).toBe(6000);
    expect(stallAfterMs(1000)).toBe(STALL);
    expect(stallAfterMs(200)).toBe(STALL);
    expect(stallAfterMs(5000)).toBe(15_000);
  });

  it('assumes the slowest rate before the first frame, and for a nonsense interval', () => {
    expect(stallAfterMs(null)).toBe(3 * TILE_FIRST_FRAME_INTERVAL_MS);
    expect(stallAfterMs(0)).toBe(3 * TILE_FIRST_FRAME_INTERVAL_MS);
    expect(stallAfterMs(-1000)).toBe(3 * TILE_FIRST_FRAME_INTERVAL_MS);
  });
});

describe('TileWatchdog', () => {
  it('stays live while frames come at the stream rate, and never asks to join again', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    for (let t = 1000; t <= 60_000; t += 1000) {
      w.painted(t, 1000, t);
      expect(w.check(t + 999)).toEqual({ state: 'live' });
    }
    expect(w.tries).toBe(0);
  });

  it('is stalled after 6 s without a frame at 1 fps and joins again at once', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    w.painted(1000, 1000, 1000);
    expect(w.check(1000 + STALL - 1)).toEqual({ state: 'live' });
    expect(w.check(1000 + STALL)).toEqual({ state: 'stalled', forMs: STALL, resync: true });
    expect(w.tries).toBe(1);
  });

  it('takes one 5 s gap, as when the stream is lowered to 0.2 fps, for no stall', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    w.painted(1000, 1000, 1000);
    expect(w.check(6000)).toEqual({ state: 'live' });
    w.painted(6000, 5000, 6000);
    expect(w.check(20_999)).toEqual({ state: 'live' });
    expect(w.check(21_000)).toMatchObject({ state: 'stalled', resync: true });
  });

  it('gives the first frame after subscribing 15 s (rate unknown yet)', () => {
    const w = new TileWatchdog(10_000);
    w.subscribed(10_000);
    expect(w.check(24_999)).toEqual({ state: 'live' });
    expect(w.check(25_000)).toEqual({ state: 'stalled', forMs: 15_000, resync: true });
  });

  it('backs off while no frame comes: 5, 10, 20, 40 s after the tries (at least a stall time after each subscription), then every 60 s', () => {
    const resyncs: number[] = [];
    const v = new TileWatchdog(0);
    v.subscribed(0);
    v.painted(0, 1000, 0);
    for (let t = 0; t <= 300_000; t += 100) {
      const s = v.check(t);
      if (s.state === 'stalled' && s.resync) {
        resyncs.push(t);
        v.subscribed(t); // the join queue was free
      }
    }
    expect(resyncs.slice(0, 6)).toEqual([6000, 12_000, 22_000, 42_000, 82_000, 142_000]);
    expect(resyncs[6]! - resyncs[5]!).toBe(TILE_RESYNC_BACKOFF_MAX_MS);
    expect(v.tries).toBe(resyncs.length);
  });

  it('reports how long the picture has been still on every check, joining again only when due', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    w.painted(0, 1000, 0);
    expect(w.check(6000)).toEqual({ state: 'stalled', forMs: 6000, resync: true });
    w.subscribed(6000);
    expect(w.check(7000)).toEqual({ state: 'stalled', forMs: 7000, resync: false });
    expect(w.check(11_999)).toEqual({ state: 'stalled', forMs: 11_999, resync: false });
    expect(w.check(12_000)).toEqual({ state: 'stalled', forMs: 12_000, resync: true });
  });

  it('a painted frame ends the stall and resets the back-off', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    w.painted(0, 1000, 0);
    w.check(6000);
    w.subscribed(6000);
    w.check(12_000);
    w.subscribed(12_000);
    expect(w.tries).toBe(2);
    w.painted(13_000, 1000, 13_000);
    expect(w.tries).toBe(0);
    expect(w.check(18_999)).toEqual({ state: 'live' });
    expect(w.check(19_000)).toEqual({ state: 'stalled', forMs: 6000, resync: true });
    w.subscribed(19_000);
    expect(w.check(24_999)).toMatchObject({ resync: false });
    expect(w.check(25_000)).toMatchObject({ resync: true });
  });

  it('does not join again while waiting for its turn in the join queue, nor sooner than a stall time after its turn came', () => {
    const w = new TileWatchdog(0);
    w.painted(1000, 1000, 1000);
    expect(w.check(7000)).toEqual({ state: 'stalled', forMs: 6000, resync: false }); // not subscribed: queued
    w.subscribed(20_000);
    expect(w.check(25_999)).toEqual({ state: 'stalled', forMs: 24_999, resync: false });
    expect(w.check(26_000)).toEqual({ state: 'stalled', forMs: 25_000, resync: true });
    // the resubscription waits in the queue again: no second try until it starts and a stall time passed
    expect(w.check(40_000)).toMatchObject({ resync: false });
    w.subscribed(40_000);
    expect(w.check(45_999)).toMatchObject({ resync: false });
    expect(w.check(46_000)).toMatchObject({ resync: true });
    expect(w.tries).toBe(2);
  });

  it('does not count a frame captured before the newest one painted (a resubscription replays the buffered frames)', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    w.painted(1000, 1000, 900);
    w.painted(2000, 1000, 1900);
    expect(w.check(8000)).toMatchObject({ state: 'stalled', resync: true });
    w.subscribed(8000);
    expect(w.painted(8100, 1000, 900)).toBe(false); // the same frames again
    expect(w.painted(8150, 1000, 1900)).toBe(false);
    expect(w.check(8200)).toEqual({ state: 'stalled', forMs: 6200, resync: false });
    expect(w.tries).toBe(1);
    expect(w.painted(9000, 1000, 8900)).toBe(true); // a new one
    expect(w.check(9100)).toEqual({ state: 'live' });
    expect(w.tries).toBe(0);
  });

  it('counts every frame without a capture time', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    w.painted(5000, 1000, null);
    w.painted(10_000, 1000, null);
    expect(w.check(15_999)).toEqual({ state: 'live' });
  });

  it('keeps the last known frame interval when a frame comes without one', () => {
    const w = new TileWatchdog(0);
    w.subscribed(0);
    w.painted(0, 5000, 0);
    w.painted(5000, null, 5000);
    expect(w.check(19_999)).toEqual({ state: 'live' });
    expect(w.check(20_000)).toMatchObject({ state: 'stalled' });
  });
});
