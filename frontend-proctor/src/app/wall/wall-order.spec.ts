import type { StreamSummary } from '@vigil/protocol';
import type { Seat } from '@vigil/api';
import type { SeatRow } from '../exams/seat-status';
import { badgeLabel, tileOf, wallTiles } from './wall-order';

function row(studentId: string, displayName: string, status: SeatRow['status'], storage?: 'ok' | 'storage-failed'): SeatRow {
  const seat = { id: `seat-${studentId}`, examId: 'e', studentId, displayName } as Seat;
  const stream = status === 'never-connected' ? null : ({ streamId: `s-${studentId}`, storage } as StreamSummary);
  return { seat, status, lastSeenAtMs: null, streamId: stream?.streamId ?? null, stream };
}

const rows = [
  row('4', 'Dana', 'streaming'),
  row('1', 'alan', 'offline'),
  row('2', 'Bea', 'streaming', 'storage-failed'),
  row('3', 'Cy', 'never-connected'),
  row('5', 'Ada', 'streaming'),
];

describe('wall tiles', () => {
  it('badges a seat by what needs attention, most urgent first', () => {
    expect(tileOf(rows[2]!)).toMatchObject({ streamId: 's-2', live: true, badges: ['storage-failed'] });
    expect(tileOf(rows[1]!)).toMatchObject({ live: false, badges: ['disconnected'] });
    expect(tileOf(rows[3]!)).toMatchObject({ streamId: null, badges: ['never-connected'] });
    expect(tileOf(rows[0]!).badges).toEqual([]);
    expect(badgeLabel('storage-failed')).toBe('Recording failing');
  });

  it('sorts attention first (storage, disconnected, never connected), then by name without case', () => {
    expect(wallTiles(rows, 'attention', 'all').map((t) => t.displayName)).toEqual(['Bea', 'alan', 'Cy', 'Ada', 'Dana']);
    expect(wallTiles(rows, 'name', 'all').map((t) => t.displayName)).toEqual(['Ada', 'alan', 'Bea', 'Cy', 'Dana']);
  });

  it('puts seats with an open alert first, badged', () => {
    const tiles = wallTiles(rows, 'attention', 'all', '', new Map([['seat-5', 1]]));
    expect(tiles[0]).toMatchObject({ displayName: 'Ada', badges: ['alert'] });
    expect(badgeLabel('alert')).toBe('Alert');
  });

  it('filters by attention, streaming and a query on id or name', () => {
    expect(wallTiles(rows, 'name', 'attention').map((t) => t.studentId)).toEqual(['1', '2', '3']);
    expect(wallTiles(rows, 'name', 'streaming').map((t) => t.studentId)).toEqual(['5', '2', '4']);
    expect(wallTiles(rows, 'name', 'all', ' DA ').map((t) => t.studentId)).toEqual(['5', '4']);
    expect(wallTiles(rows, 'name', 'all', '3').map((t) => t.displayName)).toEqual(['Cy']);
  });
});
