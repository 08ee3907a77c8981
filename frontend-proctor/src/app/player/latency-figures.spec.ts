import { RecentValues, behindLiveEdgeMs, frameLatency, pictureAgeMs } from './latency-figures';

describe('frameLatency', () => {
  it('splits capture → screen into capture → portal and portal → screen', () => {
    expect(frameLatency({ captureMs: 1_000, arrivalMs: 1_045, shownMs: 1_128 })).toEqual({
      captureToScreenMs: 128,
      captureToPortalMs: 45,
      portalToScreenMs: 83,
    });
  });

  it('leaves out what a missing timestamp cannot tell', () => {
    expect(frameLatency({ captureMs: null, arrivalMs: 1_045, shownMs: 1_128 })).toEqual({
      captureToScreenMs: null,
      captureToPortalMs: null,
      portalToScreenMs: 83,
    });
    expect(frameLatency({ captureMs: 1_000, arrivalMs: null, shownMs: 1_128 })).toEqual({
      captureToScreenMs: 128,
      captureToPortalMs: null,
      portalToScreenMs: null,
    });
  });

  it('keeps a capture clock ahead of the portal visible (negative), never a negative portal share', () => {
    // the kiosk clock runs 30 ms ahead: capture → portal reads negative, as measured
    expect(frameLatency({ captureMs: 1_030, arrivalMs: 1_010, shownMs: 1_005 })).toEqual({
      captureToScreenMs: -25,
      captureToPortalMs: -20,
      portalToScreenMs: 0, // display estimated a moment before the arrival read: clamped
    });
  });
});

describe('pictureAgeMs', () => {
  it('is now − capture time of the frame on screen, growing until the next frame', () => {
    expect(pictureAgeMs(10_000, 10_130)).toBe(130);
    expect(pictureAgeMs(10_000, 14_900)).toBe(4_900);
    expect(pictureAgeMs(null, 10_000)).toBeNull();
    expect(pictureAgeMs(undefined, 10_000)).toBeNull();
  });
});

describe('behindLiveEdgeMs', () => {
  it('is the newest frame held − the frame on screen, in capture time', () => {
    expect(behindLiveEdgeMs(5_000, 5_000)).toBe(0);
    expect(behindLiveEdgeMs(5_000, 5_400)).toBe(400);
    expect(behindLiveEdgeMs(5_400, 5_000)).toBe(0); // a replayed older newest frame: at the edge
    expect(behindLiveEdgeMs(null, 5_000)).toBeNull();
    expect(behindLiveEdgeMs(5_000, undefined)).toBeNull();
  });
});

describe('RecentValues', () => {
  it('gives median and maximum of the last values, oldest forgotten first', () => {
    const r = new RecentValues(4);
    expect(r.summary()).toEqual({ count: 0, medianMs: null, maxMs: null });
    r.add(100);
    expect(r.summary()).toEqual({ count: 1, medianMs: 100, maxMs: 100 });
    r.add(300);
    r.add(200);
    expect(r.summary()).toEqual({ count: 3, medianMs: 200, maxMs: 300 });
    r.add(120);
    expect(r.summary()).toEqual({ count: 4, medianMs: 160, maxMs: 300 });
    r.add(110); // replaces 100
    r.add(130); // replaces 300
    expect(r.summary()).toEqual({ count: 4, medianMs: 125, maxMs: 200 });
    expect(r.size).toBe(4);
  });

  it('ignores null and non-finite values, and clears', () => {
    const r = new RecentValues(3);
    r.add(null);
    r.add(Number.NaN);
    r.add(Number.POSITIVE_INFINITY);
    expect(r.size).toBe(0);
    r.add(50);
    r.clear();
    expect(r.summary().count).toBe(0);
    expect(() => new RecentValues(0)).toThrow(RangeError);
  });
});
