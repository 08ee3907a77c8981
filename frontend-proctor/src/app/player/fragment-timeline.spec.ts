import { FragmentTimeline } from './fragment-timeline';

const TS = 90000;
const frag = (i: number, duration = 18000, captureTimeMs: number | null = 1000 + i * 200) => ({
  baseMediaDecodeTime: i * duration,
  duration,
  captureTimeMs,
});

describe('FragmentTimeline', () => {
  it('converts 90 kHz ticks to seconds and finds the frame on screen', () => {
    const t = new FragmentTimeline();
    for (let i = 0; i < 5; i++) t.add(frag(i), 10 + i, i === 0, TS);
    expect(t.at(0)).toMatchObject({ sequence: 10, start: 0, end: 0.2 });
    expect(t.at(0.45)).toMatchObject({ sequence: 12, captureTimeMs: 1400 });
    expect(t.at(0.6)).toMatchObject({ sequence: 13 }); // exactly at a frame start
    expect(t.at(5)).toMatchObject({ sequence: 14 }); // past the end: the newest frame stays on screen
    expect(t.at(-1)).toBeNull();
  });

  it('finds the next frame after the one on screen', () => {
    const t = new FragmentTimeline();
    expect(t.firstAfter(-Infinity)).toBeNull();
    for (let i = 0; i < 5; i++) t.add(frag(i), 10 + i, i === 0, TS);
    expect(t.firstAfter(-Infinity)).toMatchObject({ sequence: 10 });
    expect(t.firstAfter(0)).toMatchObject({ sequence: 11 }); // the frame at 0 is on screen: the next one
    expect(t.firstAfter(0.45)).toMatchObject({ sequence: 13 });
    expect(t.firstAfter(0.8)).toBeNull(); // the newest frame is on screen
  });

  it('keeps when each fragment came off the socket, and whether it was replayed at the join', () => {
    const t = new FragmentTimeline();
    t.add(frag(0), 1, true, TS, 1_050, true);
    t.add(frag(1), 2, false, TS);
    expect(t.at(0)).toMatchObject({ captureTimeMs: 1000, arrivalMs: 1_050, replay: true });
    expect(t.at(0.25)).toMatchObject({ arrivalMs: null, replay: false });
  });

  it('estimates fps from fragment durations', () => {
    const t = new FragmentTimeline();
    expect(t.fps()).toBeNull();
    for (let i = 0; i < 3; i++) t.add(frag(i, 450000), i + 1, false, TS); // 5 s per frame
    expect(t.fps()).toBeCloseTo(0.2);
    t.add({ baseMediaDecodeTime: 1350000, duration: 18000, captureTimeMs: null }, 4, true, TS);
    expect(t.fps(1)).toBeCloseTo(5);
  });

  it('replaces overlapping entries (replay after a resubscribe) and lists join times', () => {
    const t = new FragmentTimeline();
    for (let i = 0; i < 6; i++) t.add(frag(i), i + 1, i % 3 === 0, TS);
    expect(t.joinTimes()).toEqual([0, 0.6]);
    t.add(frag(3), 40, true, TS);
    expect(t.size).toBe(4);
    expect(t.newest).toMatchObject({ sequence: 40 });
  });

  it('prunes removed fragments and stays bounded', () => {
    const t = new FragmentTimeline(10);
    for (let i = 0; i < 25; i++) t.add(frag(i), i + 1, false, TS);
    expect(t.size).toBe(10);
    t.pruneBefore(4.0); // frames 15..19 end at or before 4.0 s
    expect(t.at(4.0)).toMatchObject({ sequence: 21 });
    expect(t.size).toBe(5);
    t.clear();
    expect(t.newest).toBeNull();
  });
});
