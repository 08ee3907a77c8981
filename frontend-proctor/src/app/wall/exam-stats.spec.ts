import type { ExamStatsView, StreamStatsView, WindowFigures } from '@vigil/api';
import { formatWindow } from '../core/format';
import { examFigures, isStale, streamFigures, STATS_POLL_MS, type StripFigure } from './exam-stats';

const none: WindowFigures = { count: 0, min: null, avg: null, max: null };
const win = (avg: number, max: number): WindowFigures => ({ count: 10, min: 1, avg, max });

function exam(over: Partial<ExamStatsView> = {}): ExamStatsView {
  return {
    examId: 'e1',
    atMs: 1_000,
    seatsExpected: 14,
    seatsConnected: 12,
    streams: { live: 12, disconnected: 1 },
    storageFailedStreamIds: [],
    backlogDrainingStreamIds: [],
    viewers: 12,
    ingestBitrateBps: 1_450_000,
    fragmentAgeMs: win(31.4, 80),
    ackLatencyMs: win(4, 12),
    deliveryLatencyMs: none,
    skippedSegments: 0,
    load: { level: 0, reasons: [], changedAtMs: null, eventLoopDelayMs: 3, egressQueuedBytes: 0, slowestAckMs: 5, shedStreamIds: [] },
    ...over,
  };
}

const byKey = (figures: StripFigure[]) => Object.fromEntries(figures.map((f) => [f.key, f]));

describe('examFigures', () => {
  it('names each figure and its value', () => {
    const f = byKey(examFigures(exam(), 1, (id) => id));
    expect(f['seats']).toMatchObject({ label: 'Seats connected', value: '12 / 14', state: 'warn' });
    expect(f['alerts']).toMatchObject({ value: '1', state: 'bad' });
    expect(f['ingest']).toMatchObject({ value: '1.4 Mbit/s' });
    expect(f['viewers']).toMatchObject({ value: '12' });
    expect(f['capture-to-server']).toMatchObject({ label: 'Capture → server', value: 'avg 31 ms · max 80 ms' });
    expect(f['capture-to-proctor']).toMatchObject({ value: '—' });
    expect(f['storage']).toMatchObject({ value: 'none', state: 'ok' });
    expect(f['backlog']).toMatchObject({ value: 'none', state: 'ok' });
  });

  it('is calm when every seat is connected and nothing is open', () => {
    const figures = examFigures(exam({ seatsConnected: 14 }), 0, (id) => id);
    expect(figures.every((x) => x.state === 'ok')).toBe(true);
    expect(byKey(examFigures(exam({ seatsExpected: 0, seatsConnected: 0 }), 0, (id) => id))['seats']).toMatchObject({ value: '0 / 0', state: 'ok' });
  });

  it("shows the server's load shedding when the server reports it", () => {
    expect(byKey(examFigures(exam(), 0, (id) => id))['load']).toMatchObject({ value: 'normal', state: 'ok' });
    const shedding = exam({
      load: { level: 2, reasons: ['egress'], changedAtMs: 900, eventLoopDelayMs: 12, egressQueuedBytes: 3 << 20, slowestAckMs: 40, shedStreamIds: ['s1', 's2'] },
    });
    const f = byKey(examFigures(shedding, 0, (id) => id))['load']!;
    expect(f).toMatchObject({ value: 'shedding level 2 (egress) · 2 of this exam slowed', state: 'warn' });
    expect(f.title).toContain('3.0 MiB queued');
    const older = { ...exam() } as Partial<ExamStatsView>;
    delete older.load;
    expect(byKey(examFigures(older as ExamStatsView, 0, (id) => id))['load']).toBeUndefined();
  });

  it('names the seats whose recording fails or which catch up', () => {
    const names: Record<string, string> = { s1: 'Ann', s2: 'Bob' };
    const f = byKey(examFigures(exam({ storageFailedStreamIds: ['s1'], backlogDrainingStreamIds: ['s1', 's2'] }), 0, (id) => names[id] ?? id));
    expect(f['storage']).toMatchObject({ value: '1: Ann', state: 'bad' });
    expect(f['backlog']).toMatchObject({ value: '2: Ann, Bob', state: 'warn' });
  });
});

describe('streamFigures', () => {
  const stream = (over: Partial<StreamStatsView> = {}): StreamStatsView => ({
    streamId: 's1',
    examId: 'e1',
    seatId: 'seat',
    state: 'live',
    atMs: 1_000,
    sentinelConnected: true,
    ingestBitrateBps: 120_000,
    fps: 1,
    requestedFps: 1,
    fragmentsReceived: 100,
    bytesReceived: 1_000_000,
    fragmentAgeMs: win(25, 40),
    ackLatencyMs: win(3, 9),
    backlog: { draining: false, thresholdMs: 5_000, fragments: 0, lastAtMs: null, lastAgeMs: null, sentinelQueueDepth: null },
    storage: { state: 'ok', error: null, writeFailures: 0, pendingWriteBytes: 0, lastReceivedSequence: 100, lastAckedSequence: 100 },
    viewerCount: 1,
    viewers: [],
    ...over,
  });

  it('gives rate, age, backlog, recording and viewers of one stream', () => {
    const f = byKey(streamFigures(stream()));
    expect(f['stream-state']).toMatchObject({ value: 'connected', state: 'ok' });
    expect(f['stream-rate']).toMatchObject({ value: '1 fps of 1 fps · 120 kbit/s', state: 'ok' });
    expect(f['stream-age']).toMatchObject({ value: 'avg 25 ms · max 40 ms' });
    expect(f['stream-backlog']).toMatchObject({ value: 'none', state: 'ok' });
    expect(f['stream-storage']).toMatchObject({ value: 'ok', state: 'ok' });
    expect(f['stream-viewers']).toMatchObject({ value: '1' });
  });

  it('flags a stream that catches up, fails to record, or runs far below its rate', () => {
    const f = byKey(
      streamFigures(
        stream({
          fps: 0.2,
          requestedFps: 5,
          backlog: { draining: true, thresholdMs: 5_000, fragments: 40, lastAtMs: 900, lastAgeMs: 42_000, sentinelQueueDepth: 37 },
          storage: { state: 'storage-failed', error: 'ENOSPC', writeFailures: 3, pendingWriteBytes: 1, lastReceivedSequence: 9, lastAckedSequence: 4 },
        }),
      ),
    );
    expect(f['stream-rate']!.state).toBe('warn');
    expect(f['stream-backlog']).toMatchObject({ value: 'catching up (37 queued, 42 s old)', state: 'warn' });
    expect(f['stream-storage']).toMatchObject({ value: 'failing (3 failed writes)', state: 'bad', title: 'ENOSPC' });
    expect(byKey(streamFigures(stream({ sentinelConnected: false, state: 'disconnected' })))['stream-state']).toMatchObject({ value: 'disconnected', state: 'warn' });
  });
});

describe('formatWindow and isStale', () => {
  it('formats a window and says when figures are old', () => {
    expect(formatWindow(win(1234, 5000))).toBe('avg 1.2 s · max 5.0 s');
    expect(formatWindow(none)).toBe('—');
    expect(formatWindow(null)).toBe('—');
    expect(isStale(null, 10_000)).toBe(true);
    expect(isStale(10_000, 10_000 + STATS_POLL_MS)).toBe(false);
    expect(isStale(10_000, 10_000 + 4 * STATS_POLL_MS + 2_001)).toBe(true);
  });
});
