/** A live stream as the exam-window check needs it. */
export interface StreamOfExam {
  streamId: string;
  examId: string;
}

/**
 * The streams whose exam window is over at `nowMs`: the exam's end (`endsAtMs`, ms since
 * the Unix epoch) is at or before `nowMs`, or the exam no longer exists. Pure; the order
 * of `streams` is kept.
 * @param examEnds exam id -> end of its window, ms since the Unix epoch
 */
export function streamsPastExamEnd(streams: readonly StreamOfExam[], examEnds: ReadonlyMap<string, number>, nowMs: number): StreamOfExam[] {
  return streams.filter((s) => {
    const endsAtMs = examEnds.get(s.examId);
    return endsAtMs === undefined || endsAtMs <= nowMs;
  });
}
