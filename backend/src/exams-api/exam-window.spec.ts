import { streamsPastExamEnd } from './exam-window';

describe('streamsPastExamEnd', () => {
  const streams = [
    { streamId: 's1', examId: 'running' },
    { streamId: 's2', examId: 'over' },
    { streamId: 's3', examId: 'deleted' },
    { streamId: 's4', examId: 'ends-now' },
    { streamId: 's5', examId: 'over' },
  ];
  const ends = new Map([
    ['running', 2_000],
    ['over', 999],
    ['ends-now', 1_000],
  ]);

  it('picks streams whose exam ended at or before now, or no longer exists, in order', () => {
    expect(streamsPastExamEnd(streams, ends, 1_000).map((s) => s.streamId)).toEqual(['s2', 's3', 's4', 's5']);
  });

  it('picks nothing while every exam runs, and everything once all are over', () => {
    expect(streamsPastExamEnd(streams.slice(0, 1), ends, 1_999)).toEqual([]);
    expect(streamsPastExamEnd(streams, ends, 2_000)).toHaveLength(5);
    expect(streamsPastExamEnd([], ends, 5_000)).toEqual([]);
  });
});
