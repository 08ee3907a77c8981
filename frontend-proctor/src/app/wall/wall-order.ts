/**
 * The exam wall's tiles (pure): which seats, in which order, with which badges. The wall
 * shows every seat of an exam (from {@link mergeSeatStatus}), so a proctor sees at a glance
 * who streams, who dropped out and whose recording fails.
 */
import type { SeatRow } from '../exams/seat-status';

/** Why a tile asks for attention, most urgent first. */
export type TileBadge = 'storage-failed' | 'disconnected' | 'never-connected';

/** Tile order: `attention` (badged tiles first, then by name) or `name`. */
export type WallSort = 'attention' | 'name';

/** Which tiles to show. */
export type WallFilter = 'all' | 'attention' | 'streaming';

/** One tile of the wall. */
export interface WallTile {
  readonly seatId: string;
  readonly studentId: string;
  readonly displayName: string;
  /** The stream to show (live or disconnected), or null: nothing to decode. */
  readonly streamId: string | null;
  /** A live stream with a connected Sentinel. */
  readonly live: boolean;
  /** Badges, most urgent first (empty: all well). */
  readonly badges: readonly TileBadge[];
}

const BADGE_RANK: Record<TileBadge, number> = { 'storage-failed': 0, disconnected: 1, 'never-connected': 2 };

/** A seat row as a tile. */
export function tileOf(row: SeatRow): WallTile {
  const badges: TileBadge[] = [];
  if (row.stream?.storage === 'storage-failed') badges.push('storage-failed');
  if (row.status === 'offline') badges.push('disconnected');
  if (row.status === 'never-connected') badges.push('never-connected');
  return {
    seatId: row.seat.id,
    studentId: row.seat.studentId,
    displayName: row.seat.displayName,
    streamId: row.streamId,
    live: row.status === 'streaming',
    badges,
  };
}

/**
 * The tiles to show, in order.
 * @param query case-insensitive part of a student id or name; empty for all
 */
export function wallTiles(rows: readonly SeatRow[], sort: WallSort, filter: WallFilter, query = ''): WallTile[] {
  const q = query.trim().toLowerCase();
  const byName = (a: WallTile, b: WallTile) =>
    a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' }) || a.studentId.localeCompare(b.studentId);
  const rank = (t: WallTile) => (t.badges.length === 0 ? 3 : BADGE_RANK[t.badges[0]!]);
  return rows
    .map(tileOf)
    .filter((t) => filter === 'all' || (filter === 'attention' ? t.badges.length > 0 : t.live))
    .filter((t) => !q || t.studentId.toLowerCase().includes(q) || t.displayName.toLowerCase().includes(q))
    .sort((a, b) => (sort === 'attention' ? rank(a) - rank(b) : 0) || byName(a, b));
}

/** Label of a badge for the tile and its tooltip. */
export function badgeLabel(badge: TileBadge): string {
  return { 'storage-failed': 'Recording failing', disconnected: 'Disconnected', 'never-connected': 'Never connected' }[badge];
}
