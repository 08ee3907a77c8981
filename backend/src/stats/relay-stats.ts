import { FixedHistogram, RollingWindow, type WindowSnapshot } from './rolling-window';

/**
 * Live statistics the relay core keeps while it works (pure: no I/O, no timers; every
 * update takes the time from its caller). One {@link RelayTotals} per process (Prometheus
 * counters and histograms), one {@link StreamStats} per stream, one {@link ViewerStats} per
 * subscription. Updates are O(1) and allocate nothing: they run once per fragment (and once
 * per fragment and viewer).
 */

/** Window of the ingest rate (bitrate, fragments per second), ms. */
export const INGEST_WINDOW_MS = 10_000;
/** Window of the latency figures (fragment age, ack latency, delivery latency), ms. */
export const LATENCY_WINDOW_MS = 60_000;
/** A fragment older than this at arrival (server receive time − `prft` capture time) is backlog, ms (default). */
export const DEFAULT_BACKLOG_AGE_MS = 10_000;
/** The stream counts as draining a backlog while an old fragment arrived within this long, ms. */
export const BACKLOG_RECENT_MS = 5_000;

/** Upper bounds of the ack-latency histogram, seconds (receive → durable → ack). */
export const ACK_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Upper bounds of the viewer-latency histogram, seconds (capture → sent to the viewer). */
export const VIEWER_LATENCY_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];

/** Process-wide totals across every stream and viewer (what `/metrics` exposes). */
export class RelayTotals {
  /** Fragments accepted from Sentinels (live and resent for the recording; duplicates not counted). */
  fragmentsReceived = 0;
  /** Bytes of accepted media messages (init segments and fragments, headers included). */
  ingestBytes = 0;
  /** Fragments that arrived older than the backlog threshold. */
  backlogFragments = 0;
  /** Segments viewers skipped under the slow-viewer policy. */
  skippedSegments = 0;
  /** Receive → ack (after the write is durable), seconds. */
  readonly ackSeconds = new FixedHistogram(ACK_SECONDS_BUCKETS);
  /** Capture (`prft`) → sent to a viewer, seconds (live fragments only). */
  readonly viewerLatencySeconds = new FixedHistogram(VIEWER_LATENCY_SECONDS_BUCKETS);
}

/** Per-stream figures (ingest side). */
export class StreamStats {
  /** Bytes per live fragment over {@link INGEST_WINDOW_MS}: bitrate (sum) and frame rate (count). */
  private readonly ingest = new RollingWindow(INGEST_WINDOW_MS, 10);
  /** Fragment age at arrival (receive − capture), ms, over {@link LATENCY_WINDOW_MS}. */
  private readonly age = new RollingWindow(LATENCY_WINDOW_MS, 12);
  /** Receive → ack, ms, over {@link LATENCY_WINDOW_MS}. */
  private readonly ack = new RollingWindow(LATENCY_WINDOW_MS, 12);
  /** Fragments accepted (live and resent). */
  fragments = 0;
  /** Fragments that arrived older than the backlog threshold. */
  backlogFragments = 0;
  /** When the newest backlog fragment arrived (ms), or null. */
  lastBacklogAtMs: number | null = null;
  /** Age of the newest backlog fragment at arrival, ms, or null. */
  lastBacklogAgeMs: number | null = null;

  constructor(
    readonly totals: RelayTotals = new RelayTotals(),
    readonly backlogAgeMs: number = DEFAULT_BACKLOG_AGE_MS,
  ) {}

  /** An init segment was accepted (counts for the byte total; the bitrate is over fragments, as the stream summary's). */
  initReceived(bytes: number): void {
    this.totals.ingestBytes += bytes;
  }

  /**
   * A fragment was accepted at `atMs` (server clock). `live`: relayed (not a resend for the
   * recording only); only live fragments count for the bitrate and the fragment rate.
   */
  fragmentReceived(atMs: number, bytes: number, captureTimeMs: number | null, live: boolean): void {
    this.fragments++;
    this.totals.fragmentsReceived++;
    this.totals.ingestBytes += bytes;
    if (live) this.ingest.add(atMs, bytes);
    if (captureTimeMs === null) return;
    const age = atMs - captureTimeMs;
    this.age.add(atMs, age);
    if (age > this.backlogAgeMs) {
      this.backlogFragments++;
      this.totals.backlogFragments++;
      this.lastBacklogAtMs = atMs;
      this.lastBacklogAgeMs = age;
    }
  }

  /** A unit received at `receivedAtMs` became durable and its ack goes out at `nowMs`. */
  acked(receivedAtMs: number, nowMs: number): void {
    const ms = Math.max(0, nowMs - receivedAtMs);
    this.ack.add(nowMs, ms);
    this.totals.ackSeconds.observe(ms / 1000);
  }

  /** Ingest bitrate over the last {@link INGEST_WINDOW_MS}, bits per second. */
  bitrateBps(nowMs: number): number {
    return Math.round(this.ingest.ratePerSecond(nowMs) * 8);
  }

  /** Live fragments arriving per second over the last {@link INGEST_WINDOW_MS} (the frame rate as received). */
  fragmentsPerSecond(nowMs: number): number {
    return this.ingest.countPerSecond(nowMs);
  }

  fragmentAge(nowMs: number): WindowSnapshot {
    return this.age.read(nowMs);
  }

  ackLatency(nowMs: number): WindowSnapshot {
    return this.ack.read(nowMs);
  }

  /** Whether an old fragment (a resent backlog) arrived within {@link BACKLOG_RECENT_MS}. */
  drainingBacklog(nowMs: number): boolean {
    return this.lastBacklogAtMs !== null && nowMs - this.lastBacklogAtMs <= BACKLOG_RECENT_MS;
  }
}

/** Who watches through one subscription. */
export interface Watcher {
  userId: string;
  /** E-mail of the user (for an API key: its admin's). */
  email: string;
  via: 'session' | 'api-key';
}

/** Per-viewer figures (delivery side). */
export class ViewerStats {
  /** Capture (`prft`) → handed to the socket, ms, over {@link LATENCY_WINDOW_MS}, live fragments only. */
  private readonly latency = new RollingWindow(LATENCY_WINDOW_MS, 12);
  /** Segments not delivered (the slow-viewer policy skipped to a later join fragment). */
  skippedSegments = 0;

  constructor(
    readonly totals: RelayTotals,
    readonly watcher: Watcher | null,
    readonly subscribedAtMs: number,
  ) {}

  /** A live fragment captured at `captureTimeMs` was handed to the socket at `nowMs`. */
  delivered(nowMs: number, captureTimeMs: number): void {
    const ms = nowMs - captureTimeMs;
    this.latency.add(nowMs, ms);
    this.totals.viewerLatencySeconds.observe(ms / 1000);
  }

  /** One more segment was skipped. */
  skippedSegment(): void {
    this.skippedSegments++;
    this.totals.skippedSegments++;
  }

  deliveryLatency(nowMs: number): WindowSnapshot {
    return this.latency.read(nowMs);
  }
}
