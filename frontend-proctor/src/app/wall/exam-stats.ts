/**
 * The exam dashboard strip above the wall (issue 11 part 3), as figures for the template
 * (pure): from `GET /api/exams/:examId/stats` (ExamStatsView) and the wall's open alerts; and
 * the hovered or focused tile's stream from `GET /api/streams/:streamId/stats`. Each figure is
 * named for what it measures, with its window.
 */
import type { ExamStatsView, StreamStatsView } from '@vigil/api';
import { formatBitrate, formatDuration, formatFps, formatWindow } from '../core/format';

/** How a figure looks: ordinary, worth a look, or a problem. */
export type FigureState = 'ok' | 'warn' | 'bad';

/** One figure of the strip. */
export interface StripFigure {
  /** Stable key (`data-figure` in the page, for tests). */
  readonly key: string;
  readonly label: string;
  readonly value: string;
  /** What it measures (tooltip). */
  readonly title: string;
  readonly state: FigureState;
}

/** How often the strip asks the server again while the tab is visible, ms. */
export const STATS_POLL_MS = 3000;

/**
 * The strip's figures. `alertsOpen`: the wall's open (unacknowledged) alerts. `names`: stream id
 * → the seat's name, for the streams named in a figure (storage failing, backlog draining).
 */
export function examFigures(stats: ExamStatsView, alertsOpen: number, names: (streamId: string) => string): StripFigure[] {
  const missing = stats.seatsExpected - stats.seatsConnected;
  const failing = stats.storageFailedStreamIds;
  const draining = stats.backlogDrainingStreamIds;
  const list = (ids: readonly string[]) => ids.map(names).join(', ');
  return [
    {
      key: 'seats',
      label: 'Seats connected',
      value: `${stats.seatsConnected} / ${stats.seatsExpected}`,
      title: 'Seats whose Sentinel is connected and streaming, of the seats in the exam',
      state: stats.seatsExpected > 0 && missing > 0 ? 'warn' : 'ok',
    },
    {
      key: 'alerts',
      label: 'Alerts open',
      value: String(alertsOpen),
      title: 'Alerts raised by the server and not acknowledged yet (listed below)',
      state: alertsOpen > 0 ? 'bad' : 'ok',
    },
    {
      key: 'ingest',
      label: 'Ingest',
      value: formatBitrate(stats.ingestBitrateBps),
      title: "Bitrate of every stream of the exam arriving at the server, over the last 10 s",
      state: 'ok',
    },
    {
      key: 'viewers',
      label: 'Viewers',
      value: String(stats.viewers),
      title: "Proctors' subscriptions to the exam's streams (each tile on screen and each focused view counts)",
      state: 'ok',
    },
    {
      key: 'capture-to-server',
      label: 'Capture → server',
      value: formatWindow(stats.fragmentAgeMs),
      title: "Server receive time minus the frame's capture time (prft), over every stream in the last minute (includes the kiosk clocks' offset)",
      state: 'ok',
    },
    {
      key: 'capture-to-proctor',
      label: 'Capture → sent to proctors',
      value: formatWindow(stats.deliveryLatencyMs),
      title: "Handed to a proctor's socket minus capture time (prft), over every viewer in the last minute; the network and the player's buffer come on top",
      state: 'ok',
    },
    {
      key: 'ack',
      label: 'Saved (ack)',
      value: formatWindow(stats.ackLatencyMs),
      title: 'Receive → acknowledged to the Sentinel once durable on disk (fdatasync), over the last minute',
      state: 'ok',
    },
    {
      key: 'storage',
      label: 'Recording failing',
      value: failing.length === 0 ? 'none' : `${failing.length}: ${list(failing)}`,
      title: 'Streams whose recording writes fail now (still relayed live; the server retries, the Sentinel keeps what is not saved)',
      state: failing.length > 0 ? 'bad' : 'ok',
    },
    {
      key: 'backlog',
      label: 'Catching up',
      value: draining.length === 0 ? 'none' : `${draining.length}: ${list(draining)}`,
      title: 'Streams whose Sentinel is uploading a backlog of old frames (after a reconnect or a storage outage)',
      state: draining.length > 0 ? 'warn' : 'ok',
    },
    ...loadFigure(stats),
  ];
}

/** The server's load shedding, when the server reports it (older servers do not). */
function loadFigure(stats: ExamStatsView): StripFigure[] {
  const load = (stats as Partial<ExamStatsView>).load;
  if (!load) return [];
  const shed = load.shedStreamIds.length;
  return [
    {
      key: 'load',
      label: 'Server load',
      value: load.level === 0 ? 'normal' : `shedding level ${load.level}${load.reasons.length ? ` (${load.reasons.join(', ')})` : ''} · ${shed} of this exam slowed`,
      title:
        `Load shedding of the server (level 0 normal; 1 unwatched streams at 0.2 fps; 2 also streams watched as tiles; 3 also focused streams at their base rate). ` +
        `Last second: event-loop delay p99 ${formatDuration(load.eventLoopDelayMs)}, ${formatBytes(load.egressQueuedBytes)} queued to viewers, slowest ack ${formatDuration(load.slowestAckMs)}`,
      state: load.level === 0 ? 'ok' : load.level >= 3 ? 'bad' : 'warn',
    },
  ];
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${Math.round(bytes / (1 << 10))} KiB`;
  return `${bytes} B`;
}

/** The hovered or focused tile's stream, one line of figures. */
export function streamFigures(stats: StreamStatsView): StripFigure[] {
  const b = stats.backlog;
  return [
    {
      key: 'stream-state',
      label: 'Sentinel',
      value: stats.sentinelConnected ? 'connected' : stats.state,
      title: 'Whether the Sentinel is connected now',
      state: stats.sentinelConnected ? 'ok' : 'warn',
    },
    {
      key: 'stream-rate',
      label: 'Rate',
      value: `${formatFps(stats.fps)} of ${formatFps(stats.requestedFps)} · ${formatBitrate(stats.ingestBitrateBps)}`,
      title: 'Frames per second and bitrate arriving over the last 10 s, of the rate asked of the Sentinel',
      state: stats.sentinelConnected && stats.requestedFps > 0 && stats.fps < stats.requestedFps * 0.5 ? 'warn' : 'ok',
    },
    {
      key: 'stream-age',
      label: 'Capture → server',
      value: formatWindow(stats.fragmentAgeMs),
      title: "Server receive time minus the frame's capture time (prft), last minute",
      state: 'ok',
    },
    {
      key: 'stream-backlog',
      label: 'Backlog',
      value: b.draining
        ? `catching up (${b.sentinelQueueDepth ?? '?'} queued${b.lastAgeMs !== null ? `, ${formatDuration(b.lastAgeMs)} old` : ''})`
        : b.sentinelQueueDepth
          ? `${b.sentinelQueueDepth} unsaved on the Sentinel`
          : 'none',
      title: `Old frames being uploaded (older than ${formatDuration(b.thresholdMs)} on arrival), and the Sentinel's unacknowledged messages`,
      state: b.draining ? 'warn' : 'ok',
    },
    {
      key: 'stream-storage',
      label: 'Recording',
      value: stats.storage.state === 'ok' ? 'ok' : `failing (${stats.storage.writeFailures} failed writes)`,
      title: stats.storage.error ?? 'Recording writes on the server',
      state: stats.storage.state === 'ok' ? 'ok' : 'bad',
    },
    {
      key: 'stream-viewers',
      label: 'Viewers',
      value: String(stats.viewerCount),
      title: stats.viewers.map((v) => `${v.email ?? v.userId ?? '?'} (${v.state})`).join(', ') || 'Nobody watches this stream',
      state: 'ok',
    },
  ];
}

/** Whether figures taken at `atMs` (the server's clock) are too old to show as current at `nowMs`. */
export function isStale(atMs: number | null, nowMs: number, pollMs = STATS_POLL_MS): boolean {
  return atMs === null || nowMs - atMs > 3 * pollMs + 2000;
}
