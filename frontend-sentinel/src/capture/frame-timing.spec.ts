import fc from 'fast-check';
import { ArrivalIntervals, CaptureClock, freshFrameWaitMs, sampleCaptureTimeMs } from './frame-timing';

describe('CaptureClock', () => {
  // Measured in Chromium 156 (entire screen, MediaStreamTrackProcessor): VideoFrame.timestamp (µs)
  // and performance.now() when the read loop got the frame. requestVideoFrameCallback on a <video>
  // of the same track gave captureTime = timestamp / 1000 − 37283271.7 for these frames.
  const TRUE_OFFSET_MS = 37283271.7;
  const measured: [timestampUs: number, arrivalMs: number][] = [
    [37284138400, 931.1], // the first frame waited 64 ms for the first read()
    [37284267200, 1011.9],
    [37284385800, 1114.9],
    [37284483700, 1212.8],
    [37284585100, 1314.2],
  ];

  it('maps timestamps to the page clock within the fastest delivery delay, never after the arrival', () => {
    const clock = new CaptureClock();
    const got = measured.map(([ts, at]) => clock.captureTimeMs(ts, at));
    // the first frame alone: its arrival time (its delay is not known yet)
    expect(got[0]).toBeCloseTo(931.1, 6);
    got.forEach((t, i) => expect(t).toBeLessThanOrEqual(measured[i]![1] + 1e-6));
    // the second frame still came 16 ms late; once a fast delivery (0.8 ms) was seen: within 1 ms
    // of requestVideoFrameCallback's captureTime
    expect(got[1]! - (measured[1]![0] / 1000 - TRUE_OFFSET_MS)).toBeCloseTo(16.4, 1);
    for (let i = 2; i < measured.length; i++) {
      const truth = measured[i]![0] / 1000 - TRUE_OFFSET_MS;
      expect(got[i]! - truth).toBeGreaterThanOrEqual(0);
      expect(got[i]! - truth).toBeLessThan(1);
    }
  });

  it('takes the arrival time for a timestamp that is not a number', () => {
    expect(new CaptureClock().captureTimeMs(Number.NaN, 500)).toBe(500);
  });

  it('starts over when the timestamps jump back (a new origin), and after reset()', () => {
    const clock = new CaptureClock(1000);
    clock.captureTimeMs(5_000_000, 100); // offset 4900
    expect(clock.captureTimeMs(5_100_000, 200)).toBeCloseTo(200, 6);
    // timestamps restart at 0: 4.9 s "late" is not believable: the estimate restarts at this frame
    expect(clock.captureTimeMs(1_000, 300)).toBeCloseTo(300, 6);
    expect(clock.captureTimeMs(101_000, 399)).toBeCloseTo(399, 6);
    clock.reset();
    expect(clock.captureTimeMs(9_000_000, 450)).toBeCloseTo(450, 6);
  });

  it('believes a frame delivered seconds late (a busy page): it keeps the time it was captured', () => {
    const clock = new CaptureClock(1000);
    clock.captureTimeMs(10_000_000, 1000); // delivered at once: offset 9000
    // captured at 1100, delivered 1.6 s late: dated 1100, not 2700
    expect(clock.captureTimeMs(10_100_000, 2700)).toBeCloseTo(1100, 6);
    // the next frames come on time: the estimate never moved
    expect(clock.captureTimeMs(11_800_000, 2801)).toBeCloseTo(2800, 6);
  });

  it(`starts over when ${CaptureClock.LATE_RUN} frames in a row seem later than maxDelayMs (their origin moved back, timestamps still rising)`, () => {
    const clock = new CaptureClock(1000);
    clock.captureTimeMs(10_000_000, 1000); // offset 9000
    // 10 s later the timestamps' origin moved 5 s back: every frame seems 5 s late
    expect(clock.captureTimeMs(15_100_000, 11_100)).toBeCloseTo(6100, 6); // believed: one late frame
    expect(clock.captureTimeMs(15_200_000, 11_200)).toBeCloseTo(6200, 6); // two
    expect(clock.captureTimeMs(15_300_000, 11_300)).toBeCloseTo(11_300, 6); // three: the estimate restarts here
    expect(clock.captureTimeMs(15_400_000, 11_400)).toBeCloseTo(11_400, 6);
  });

  it('after one slow delivery (a busy page) still says when the frame was captured', () => {
    const clock = new CaptureClock();
    clock.captureTimeMs(10_000_000, 1000); // delivered at once: offset 9000
    // captured at 1100, delivered 300 ms late
    expect(clock.captureTimeMs(10_100_000, 1400)).toBeCloseTo(1100, 6);
  });

  it('property: never after the arrival, never before the true capture time, exact after an instant delivery', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: 1, max: 500, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true })), { minLength: 1, maxLength: 40 }),
        (offset, frames) => {
          const clock = new CaptureClock();
          let captured = 1000;
          let fastestSoFar = Infinity;
          for (const [gap, delay] of frames) {
            captured += gap;
            const got = clock.captureTimeMs((captured + offset) * 1000, captured + delay);
            fastestSoFar = Math.min(fastestSoFar, delay);
            expect(got).toBeLessThanOrEqual(captured + delay + 1e-6);
            expect(got).toBeGreaterThanOrEqual(captured - 1e-6);
            expect(got - captured).toBeLessThanOrEqual(fastestSoFar + 1e-6);
          }
        },
      ),
    );
  });
});

describe('CaptureClock with late deliveries', () => {
  it('property: a few frames up to 5 s late among prompt ones are dated within the fastest delivery of their capture, never after their arrival', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.array(
          fc.tuple(fc.double({ min: 1, max: 500, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), fc.boolean(), fc.double({ min: 1000, max: 5000, noNaN: true })),
          { minLength: 1, maxLength: 40 },
        ),
        (offset, frames) => {
          const clock = new CaptureClock(1000);
          let captured = 1000;
          let lastLate = false;
          let fastestSoFar = Infinity;
          for (const [gap, prompt, late, lateBy] of frames) {
            captured += gap;
            const isLate: boolean = late && !lastLate; // never two late ones in a row
            lastLate = isLate;
            const delay = isLate ? lateBy : prompt;
            const got = clock.captureTimeMs((captured + offset) * 1000, captured + delay);
            fastestSoFar = Math.min(fastestSoFar, delay);
            expect(got).toBeLessThanOrEqual(captured + delay + 1e-6);
            expect(got).toBeGreaterThanOrEqual(captured - 1e-6);
            // a late frame moves nothing: the estimate stays that of the fastest delivery
            expect(got - captured).toBeLessThanOrEqual(fastestSoFar + 1e-6);
          }
        },
      ),
    );
  });
});

describe('ArrivalIntervals', () => {
  it('is the median of the last intervals; null before two frames', () => {
    const a = new ArrivalIntervals(5);
    expect(a.medianMs).toBeNull();
    a.add(0);
    expect(a.medianMs).toBeNull();
    for (const t of [100, 165, 281, 381, 481]) a.add(t); // 100, 65, 116, 100, 100
    expect(a.medianMs).toBe(100);
    for (const t of [2481, 4481, 6481]) a.add(t); // the screen slowed down: 2 s apart
    expect(a.medianMs).toBe(2000);
    a.reset();
    expect(a.medianMs).toBeNull();
  });

  it('ignores a clock going backwards', () => {
    const a = new ArrivalIntervals();
    a.add(100);
    a.add(50);
    a.add(150);
    expect(a.medianMs).toBe(100);
  });
});

describe('freshFrameWaitMs', () => {
  const streaming = { nowMs: 1040, latestArrivalMs: 1000, intervalMs: 100, maxWaitMs: 150 };

  it('waits for the next frame while frames stream: until it is due, plus slack', () => {
    expect(freshFrameWaitMs(streaming)).toBe(85); // due at 1100, + 25 ms slack
    expect(freshFrameWaitMs({ ...streaming, nowMs: 1021, maxWaitMs: 100 })).toBe(100); // due in 104 ms: capped
  });

  it('samples at once a fresh frame, a still screen, a slow screen, or nothing', () => {
    expect(freshFrameWaitMs({ ...streaming, nowMs: 1015 })).toBe(0); // 15 ms old: fresh enough
    expect(freshFrameWaitMs({ ...streaming, nowMs: 1130 })).toBe(0); // overdue: the screen stopped changing
    expect(freshFrameWaitMs({ ...streaming, intervalMs: 400 })).toBe(0); // frames come too rarely to wait for
    expect(freshFrameWaitMs({ ...streaming, intervalMs: null })).toBe(0);
    expect(freshFrameWaitMs({ ...streaming, latestArrivalMs: null })).toBe(0);
    expect(freshFrameWaitMs({ ...streaming, maxWaitMs: 0 })).toBe(0);
  });
});

describe('sampleCaptureTimeMs', () => {
  const base = { tickMs: 5000, nowMs: 5060, frameCaptureMs: 5040, repeated: false, previousMs: 4000 };

  it("is the frame's capture time for a new frame", () => {
    expect(sampleCaptureTimeMs(base)).toBe(5040);
    expect(sampleCaptureTimeMs({ ...base, frameCaptureMs: 4930 })).toBe(4930); // captured before the tick
  });

  it('is the tick for a repeated frame (a still screen) or an unknown capture time', () => {
    expect(sampleCaptureTimeMs({ ...base, repeated: true })).toBe(5000);
    expect(sampleCaptureTimeMs({ ...base, frameCaptureMs: null })).toBe(5000);
  });

  it('is never after now and always after the previous sample', () => {
    expect(sampleCaptureTimeMs({ ...base, frameCaptureMs: 5100 })).toBe(5060);
    expect(sampleCaptureTimeMs({ ...base, frameCaptureMs: 3990 })).toBe(5000);
    expect(sampleCaptureTimeMs({ ...base, frameCaptureMs: 3990, tickMs: 3900, nowMs: 3995, previousMs: 4000 })).toBeCloseTo(4000.001, 6);
    expect(sampleCaptureTimeMs({ ...base, previousMs: null })).toBe(5040);
  });
});
