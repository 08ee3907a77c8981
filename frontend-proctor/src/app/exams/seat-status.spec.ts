import type { StreamSummary } from '@vigil/protocol';
import type { Seat } from '@vigil/api';
import { countByStatus, filterSeats, mergeSeatStatus, seatOpenAction, seatStatusLabel } from './seat-status';

const seat = (id: string, over: Partial<Seat> = {}): Seat => ({
  id,
  examId: 'exam-1',
  studentId: `S-${id}`,
  displayName: `Student ${id}`,
  createdAtMs: 1,
  updatedAtMs: 1,
  status: 'never-connected',
  lastSeenAtMs: null,
  liveStreamId: null,
  ...over,
});

const stream = (streamId: string, seatId: string, over: Partial<StreamSummary> = {}): StreamSummary => ({
  streamId,
  examId: 'exam-1',
  seatId,
  state: 'live',
  encoder: 'webcodecs',
  codec: 'avc1.42C01F',
  width: 1920,
  height: 1080,
  fps: 1,
  startedAtMs: 10_000,
  lastFragmentAtMs: 20_000,
  bytesReceived: 1,
  bitrateBps: 1,
  viewers: 0,
  ...over,
});

describe('mergeSeatStatus', () => {
  it("keeps the server's status until a stream list has arrived", () => {
    const seats = [seat('a', { status: 'streaming', liveStreamId: 'st-a', lastSeenAtMs: 5_000 }), seat('b')];
    const rows = mergeSeatStatus(seats, [], false);
    expect(rows.map((r) => [r.status, r.streamId, r.lastSeenAtMs])).toEqual([
      ['streaming', 'st-a', 5_000],
      ['never-connected', null, null],
    ]);
  });

  it('lets the live stream list decide once it is known', () => {
    const seats = [
      seat('a', { status: 'offline', lastSeenAtMs: 5_000 }), // the socket already says it is back
      seat('b', { status: 'streaming', liveStreamId: 'st-b', lastSeenAtMs: 30_000 }), // its stream is gone now
      seat('c', { status: 'never-connected' }),
      seat('d'), // a disconnected stream waiting for its Sentinel
    ];
    const streams = [
      stream('st-a-old', 'a', { state: 'disconnected', startedAtMs: 1_000, lastFragmentAtMs: 2_000 }),
      stream('st-a', 'a', { state: 'live', startedAtMs: 9_000 }),
      stream('st-d', 'd', { state: 'disconnected', lastFragmentAtMs: null, startedAtMs: 7_000 }),
      stream('st-x', 'c', { state: 'ended' }),
      stream('st-y', 'a', { examId: 'other-exam' }),
    ];
    const rows = mergeSeatStatus(seats, streams, true);
    expect(rows.map((r) => [r.seat.id, r.status, r.streamId, r.lastSeenAtMs])).toEqual([
      ['a', 'streaming', 'st-a', 20_000],
      ['b', 'offline', null, 30_000],
      ['c', 'never-connected', null, null],
      ['d', 'offline', 'st-d', 7_000],
    ]);
    expect(countByStatus(rows)).toEqual({ streaming: 1, offline: 2, 'never-connected': 1 });
  });
});

describe('seat actions and labels', () => {
  it('opens the stream, or says why not', () => {
    const [live, gone, never] = mergeSeatStatus(
      [seat('a'), seat('b', { lastSeenAtMs: 40_000, status: 'offline' }), seat('c')],
      [stream('st-a', 'a')],
      true,
    );
    expect(seatOpenAction(live!, 100_000)).toEqual({ kind: 'watch', streamId: 'st-a' });
    expect(seatOpenAction(gone!, 100_000)).toEqual({ kind: 'offline', message: 'Student b (S-b) is offline: last seen 60 s ago.' });
    expect(seatOpenAction(never!, 100_000)).toEqual({
      kind: 'offline',
      message: 'Student c (S-c) has never connected: there is nothing to watch yet.',
    });
    expect(seatStatusLabel('never-connected')).toBe('Never connected');
  });

  it('filters by student id or name', () => {
    const rows = mergeSeatStatus([seat('1', { displayName: 'Ada Lovelace' }), seat('2', { studentId: 'X-77' })], [], false);
    expect(filterSeats(rows, ' ada ').map((r) => r.seat.id)).toEqual(['1']);
    expect(filterSeats(rows, 'x-7').map((r) => r.seat.id)).toEqual(['2']);
    expect(filterSeats(rows, '')).toHaveLength(2);
  });
});
