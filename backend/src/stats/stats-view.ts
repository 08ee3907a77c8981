import type { ExamStatsView, StreamStatsView, ViewerStatsView, WindowFigures } from '@vigil/api';
import type { LiveStream } from '../relay/live-stream';
import type { Viewer } from '../relay/viewer';
import { mergeSnapshots, type WindowSnapshot } from './rolling-window';

/**
 * The answers of the statistics routes, built from the relay's live objects at one moment
 * (pure: the caller supplies the time and, for an exam, its seat ids).
 */

/** A window's figures for the API: whole milliseconds (average to 0.1). */
export function figures(s: WindowSnapshot): WindowFigures {
  return {
    count: s.count,
    min: s.min === null ? null : Math.round(s.min),
    avg: s.avg === null ? null : Math.round(s.avg * 10) / 10,
    max: s.max === null ? null : Math.round(s.max),
  };
}

export function viewerStats(viewer: Viewer, nowMs: number): ViewerStatsView {
  const w = viewer.stats.watcher;
  return {
    userId: w?.userId ?? null,
    email: w?.email ?? null,
    via: w?.via ?? null,
    state: viewer.state,
    subscribedAtMs: viewer.stats.subscribedAtMs,
    deliveryLatencyMs: figures(viewer.stats.deliveryLatency(nowMs)),
    skippedSegments: viewer.stats.skippedSegments,
    skippedFragments: viewer.skippedFragments,
    bufferedBytes: viewer.bufferedBytes,
  };
}

/** The Sentinel's last reported queue depth (`status.queueDepth`), or null. */
function sentinelQueueDepth(stream: LiveStream): number | null {
  return stream.lastStatus?.queueDepth ?? null;
}

export function streamStats(stream: LiveStream, nowMs: number): StreamStatsView {
  const s = stream.stats;
  const viewers = [...stream.watchers].map((v) => viewerStats(v, nowMs));
  return {
    streamId: stream.streamId,
    examId: stream.identity.examId,
    seatId: stream.identity.seatId,
    state: stream.state,
    atMs: nowMs,
    sentinelConnected: stream.hasSentinel,
    ingestBitrateBps: s.bitrateBps(nowMs),
    fps: Math.round(s.fragmentsPerSecond(nowMs) * 100) / 100,
    requestedFps: stream.fps,
    fragmentsReceived: s.fragments,
    bytesReceived: stream.bytesReceived,
    fragmentAgeMs: figures(s.fragmentAge(nowMs)),
    ackLatencyMs: figures(s.ackLatency(nowMs)),
    backlog: {
      draining: s.drainingBacklog(nowMs),
      thresholdMs: s.backlogAgeMs,
      fragments: s.backlogFragments,
      lastAtMs: s.lastBacklogAtMs,
      lastAgeMs: s.lastBacklogAgeMs === null ? null : Math.round(s.lastBacklogAgeMs),
      sentinelQueueDepth: sentinelQueueDepth(stream),
    },
    storage: {
      state: stream.storage,
      error: stream.storageError,
      writeFailures: stream.writeFailures,
      pendingWriteBytes: stream.pendingWriteQueueBytes,
      lastReceivedSequence: stream.lastReceivedSequence,
      lastAckedSequence: stream.lastAckedSequence,
    },
    viewerCount: viewers.length,
    viewers,
  };
}

/**
 * An exam's figures over its streams in the relay.
 * @param seatIds the exam's seats (the seat list): what "expected" means
 */
export function examStats(examId: string, streams: readonly LiveStream[], seatIds: ReadonlySet<string>, nowMs: number): Omit<ExamStatsView, 'load'> {
  const connected = new Set<string>();
  const counts = { live: 0, disconnected: 0 };
  const storageFailed: string[] = [];
  const draining: string[] = [];
  const ages: WindowSnapshot[] = [];
  const acks: WindowSnapshot[] = [];
  const deliveries: WindowSnapshot[] = [];
  let viewers = 0;
  let bitrate = 0;
  let skippedSegments = 0;
  for (const stream of streams) {
    if (stream.identity.examId !== examId || stream.state === 'ended') continue;
    counts[stream.state]++;
    if (stream.hasSentinel && seatIds.has(stream.identity.seatId)) connected.add(stream.identity.seatId);
    if (stream.storage === 'storage-failed') storageFailed.push(stream.streamId);
    if (stream.stats.drainingBacklog(nowMs)) draining.push(stream.streamId);
    bitrate += stream.stats.bitrateBps(nowMs);
    ages.push(stream.stats.fragmentAge(nowMs));
    acks.push(stream.stats.ackLatency(nowMs));
    for (const viewer of stream.watchers) {
      viewers++;
      skippedSegments += viewer.stats.skippedSegments;
      deliveries.push(viewer.stats.deliveryLatency(nowMs));
    }
  }
  return {
    examId,
    atMs: nowMs,
    seatsExpected: seatIds.size,
    seatsConnected: connected.size,
    streams: counts,
    storageFailedStreamIds: storageFailed,
    backlogDrainingStreamIds: draining,
    viewers,
    ingestBitrateBps: bitrate,
    fragmentAgeMs: figures(mergeSnapshots(ages)),
    ackLatencyMs: figures(mergeSnapshots(acks)),
    deliveryLatencyMs: figures(mergeSnapshots(deliveries)),
    skippedSegments,
  };
}
