/**
 * The exam wall's tiles (pure): which seats, in which order, with which badges. The wall
 * shows every seat of an exam (from {@link mergeSeatStatus}), so a proctor sees at a glance
 * who streams, who dropped out and whose recording fails.
 */
import type { SeatRow } from '../exams/seat-status';

/** Why a tile asks for attention, most urgent first: `alert` = an alert not yet acknowledged. */
export type TileBadge = 'alert' | 'storage-failed' | 'disconnected' | 'never-connected';

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

const BADGE_RANK: Record<TileBadge, number> = { alert: 0, 'storage-failed': 1, disconnected: 2, 'never-connected': 3 };

/**
 * A seat row as a tile.
 * @param openAlerts alerts of the seat not yet acknowledged
 */
export function tileOf(row: SeatRow, openAlerts = 0): WallTile {
  const badges: TileBadge[] = [];
  if (openAlerts > 0) badges.push('alert');
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
 * @param openAlerts alerts not yet acknowledged, by seat id
 */
export function wallTiles(rows: readonly SeatRow[], sort: WallSort, filter: WallFilter, query = '', openAlerts: ReadonlyMap<string, number> = new Map()): WallTile[] {
  const q = query.trim().toLowerCase();
  const byName = (a: WallTile, b: WallTile) =>
    a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' }) || a.studentId.localeCompare(b.studentId);
  const rank = (t: WallTile) => (t.badges.length === 0 ? 4 : BADGE_RANK[t.badges[0]!]);
  return rows
    .map((r) => tileOf(r, openAlerts.get(r.seat.id) ?? 0))
    .filter((t) => filter === 'all' || (filter === 'attention' ? t.badges.length > 0 : t.live))
    .filter((t) => !q || t.studentId.toLowerCase().includes(q) || t.displayName.toLowerCase().includes(q))
    .sort((a, b) => (sort === 'attention' ? rank(a) - rank(b) : 0) || byName(a, b));
}

/** Label of a badge for the tile and its tooltip. */
export function badgeLabel(badge: TileBadge): string {
  return { alert: 'Alert', 'storage-failed': 'Recording failing', disconnected: 'Disconnected', 'never-connected': 'Never connected' }[badge];
}
