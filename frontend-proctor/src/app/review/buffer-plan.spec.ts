import { T0, indexView, segmentEntry } from '../../testing/recording-fixtures';
import { joinAtOrBefore, planBuffer, staleAppended, type BufferPlanInput } from './buffer-plan';
import { emptyModel, mergeIndex, type FrameStore } from './recording-model';

/** Ten contiguous 10-second segments (media 0–100 s), the last one open (newest). */
const segs = Array.from({ length: 10 }, (_, i) => segmentEntry(2 + i * 10, i * 10, i === 9 ? null : 10));
const model = mergeIndex(emptyModel('stream-1'), indexView(segs));
const file = (i: number) => segs[i]!.file;
const none: FrameStore = new Map();

function plan(over: Partial<BufferPlanInput>) {
  return planBuffer({ model, frames: none, playhead: 0, rate: 1, appended: new Set(), growing: new Set(), buffered: [], window: { ahead: 15, maxAhead: 60, behind: 12 }, ...over });
}

describe('planBuffer', () => {
  it('fetches from the segment at the playhead through the window ahead, in order, and keeps some behind', () => {
    const p = plan({ playhead: 31 });
    // ahead 15 s of recorded media ends in segment 4; behind 12 s (19 s) keeps segment 1 on
    expect(p.fetch.map((s) => s.index)).toEqual([3, 4]);
    expect(p.keep).toEqual({ start: 10, end: 50 });
  });

  it('scales the window ahead with the playback rate, up to maxAhead', () => {
    expect(plan({ playhead: 31, rate: 2 }).fetch.map((s) => s.index)).toEqual([3, 4, 5, 6]);
    expect(plan({ playhead: 1, rate: 16 }).fetch.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('skips what is appended, but reads the growing newest segment again', () => {
    const appended = new Set([file(7), file(8), file(9)]);
    expect(plan({ playhead: 95, appended }).fetch.map((s) => s.index)).toEqual([]);
    expect(plan({ playhead: 95, appended, growing: new Set([file(9)]) }).fetch.map((s) => s.index)).toEqual([9]);
  });

  it('evicts buffered media outside the window in whole segments', () => {
    const appended = new Set([file(0), file(1), file(2), file(3), file(4), file(5), file(6)]);
    const p = plan({ playhead: 31, appended, buffered: [{ start: 0, end: 70 }] });
    expect(p.evict).toEqual([
      { start: 0, end: 10 },
      { start: 50, end: 70 },
    ]);
    expect(p.evictFiles).toEqual([file(0), file(5), file(6)]);
  });

  it('starts decoding at the join segment before a segment that does not start with an IDR', () => {
    const noJoin = mergeIndex(emptyModel('s'), indexView([segmentEntry(2, 0, 10), segmentEntry(12, 10, 10, { join: false }), segmentEntry(22, 20, 10)]));
    expect(joinAtOrBefore(noJoin.segments, 1)).toBe(0);
    expect(planBuffer({ model: noJoin, frames: none, playhead: 15, rate: 1, appended: new Set(), growing: new Set(), buffered: [], window: { ahead: 1, maxAhead: 1, behind: 0 } }).fetch.map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it('a playhead in a hole plans from the segment after it', () => {
    const holey = mergeIndex(emptyModel('s'), indexView([segmentEntry(2, 0, 10), segmentEntry(30, 40, 10), segmentEntry(50, 50, 10)]));
    const p = planBuffer({ model: holey, frames: none, playhead: 20, rate: 1, appended: new Set(), growing: new Set(), buffered: [], window: { ahead: 5, maxAhead: 5, behind: 0 } });
    expect(p.fetch.map((s) => s.index)).toEqual([1, 2]);
  });

  it('plans nothing for an empty recording', () => {
    expect(planBuffer({ model: emptyModel('s'), frames: none, playhead: 0, rate: 1, appended: new Set(), growing: new Set(), buffered: [] }).fetch).toEqual([]);
  });
});

describe('staleAppended', () => {
  it('names appended files whose first frame is not buffered', () => {
    const frames: FrameStore = new Map([
      [file(0), { bytes: 1, frames: [{ sequence: 2, mediaStart: 0, mediaEnd: 1, captureMs: T0, join: true }] }],
      [file(1), { bytes: 1, frames: [{ sequence: 12, mediaStart: 10, mediaEnd: 11, captureMs: T0 + 10_000, join: true }] }],
    ]);
    expect(staleAppended(model, frames, new Set([file(0), file(1), file(2)]), [{ start: 0, end: 9.5 }])).toEqual([file(1)]);
  });
});
