import type { RecordingMeta } from '@vigil/api';
import { recordingsBySeat } from './seat-recordings';

const meta = (streamId: string, examId: string, seatId: string, createdAtMs: number): RecordingMeta => ({
  streamId,
  examId,
  seatId,
  encoder: 'webcodecs',
  userAgent: 'test',
  createdAtMs,
});

describe('recordingsBySeat', () => {
  it("groups the exam's recordings by seat, newest first, and leaves other exams out", () => {
    const m = recordingsBySeat([meta('a1', 'E', 'S1', 100), meta('b', 'F', 'S1', 300), meta('a2', 'E', 'S1', 200), meta('c', 'E', 'S2', 50)], 'E');
    expect([...m.keys()].sort()).toEqual(['S1', 'S2']);
    expect(m.get('S1')!.map((r) => r.streamId)).toEqual(['a2', 'a1']);
    expect(m.get('S2')!.map((r) => r.streamId)).toEqual(['c']);
  });
});
