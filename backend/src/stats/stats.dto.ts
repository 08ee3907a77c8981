import { ApiProperty } from '@nestjs/swagger';
import type { ExamStatsView as ApiExamStats, LoadSheddingView as ApiLoadShedding, StreamStatsView as ApiStreamStats, ViewerStatsView as ApiViewerStats, WindowFigures as ApiWindowFigures } from '@vigil/api';

/** OpenAPI shapes of the statistics routes (the interfaces are `@vigil/api`'s). */

/** min / average / max over a recent window; null while nothing was measured. */
export class WindowFiguresView implements ApiWindowFigures {
  @ApiProperty({ description: 'measurements in the window' }) count!: number;
  @ApiProperty({ type: Number, nullable: true }) min!: number | null;
  @ApiProperty({ type: Number, nullable: true }) avg!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max!: number | null;
}

/** One proctor's subscription to a stream. */
export class ViewerStatsView implements ApiViewerStats {
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ enum: ['session', 'api-key'], nullable: true }) via!: 'session' | 'api-key' | null;
  @ApiProperty({ enum: ['awaiting-join', 'live', 'skipping'] }) state!: 'awaiting-join' | 'live' | 'skipping';
  @ApiProperty() subscribedAtMs!: number;
  @ApiProperty({ type: WindowFiguresView, description: 'capture (prft) → handed to the socket, ms, last minute, live fragments, server side' })
  deliveryLatencyMs!: WindowFiguresView;
  @ApiProperty({ description: 'segments skipped by the slow-viewer policy' }) skippedSegments!: number;
  @ApiProperty() skippedFragments!: number;
  @ApiProperty({ description: 'bytes unsent in the socket now' }) bufferedBytes!: number;
}

/** Whether the Sentinel is resending an old backlog. */
export class StreamBacklogView {
  @ApiProperty({ description: 'a fragment older than thresholdMs arrived within the last 5 s' }) draining!: boolean;
  @ApiProperty() thresholdMs!: number;
  @ApiProperty({ description: 'fragments that arrived older than thresholdMs' }) fragments!: number;
  @ApiProperty({ type: Number, nullable: true }) lastAtMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) lastAgeMs!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: "unacknowledged messages in the Sentinel's last status" }) sentinelQueueDepth!: number | null;
}

/** The recording side of a stream. */
export class StreamStorageView {
  @ApiProperty({ enum: ['ok', 'storage-failed'] }) state!: 'ok' | 'storage-failed';
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() writeFailures!: number;
  @ApiProperty({ description: 'bytes queued for the disk, not yet durable' }) pendingWriteBytes!: number;
  @ApiProperty() lastReceivedSequence!: number;
  @ApiProperty() lastAckedSequence!: number;
}

/** `GET /api/streams/:streamId/stats`. */
export class StreamStatsView implements ApiStreamStats {
  @ApiProperty() streamId!: string;
  @ApiProperty() examId!: string;
  @ApiProperty() seatId!: string;
  @ApiProperty({ enum: ['live', 'disconnected', 'ended'] }) state!: 'live' | 'disconnected' | 'ended';
  @ApiProperty({ description: 'when the figures were taken' }) atMs!: number;
  @ApiProperty() sentinelConnected!: boolean;
  @ApiProperty({ description: 'bits per second over the last 10 s' }) ingestBitrateBps!: number;
  @ApiProperty({ description: 'fragments (frames) per second arriving over the last 10 s' }) fps!: number;
  @ApiProperty({ description: 'frame rate asked of the Sentinel' }) requestedFps!: number;
  @ApiProperty() fragmentsReceived!: number;
  @ApiProperty() bytesReceived!: number;
  @ApiProperty({ type: WindowFiguresView, description: 'server receive time − prft capture time, ms, last minute' }) fragmentAgeMs!: WindowFiguresView;
  @ApiProperty({ type: WindowFiguresView, description: 'receive → ack sent after the write is durable, ms, last minute' }) ackLatencyMs!: WindowFiguresView;
  @ApiProperty({ type: StreamBacklogView }) backlog!: StreamBacklogView;
  @ApiProperty({ type: StreamStorageView }) storage!: StreamStorageView;
  @ApiProperty() viewerCount!: number;
  @ApiProperty({ type: [ViewerStatsView] }) viewers!: ViewerStatsView[];
}

/** Streams of an exam in the relay, by state. */
export class ExamStreamCountsView {
  @ApiProperty() live!: number;
  @ApiProperty() disconnected!: number;
}

/** `GET /api/exams/:examId/stats`. */
export class LoadSheddingView implements ApiLoadShedding {
  @ApiProperty({ enum: [0, 1, 2, 3], description: '0 normal; 1 unwatched streams at 0.2 fps; 2 also tile-only streams; 3 also focused streams at their base rate' }) level!: 0 | 1 | 2 | 3;
  @ApiProperty({ enum: ['event-loop', 'egress', 'disk'], isArray: true, description: 'signals over their thresholds in the last second' }) reasons!: ('event-loop' | 'egress' | 'disk')[];
  @ApiProperty({ type: Number, nullable: true, description: 'when the level last changed, ms since the Unix epoch' }) changedAtMs!: number | null;
  @ApiProperty({ description: 'event-loop delay p99 over the last second, ms' }) eventLoopDelayMs!: number;
  @ApiProperty({ description: "bytes queued in viewers' sockets" }) egressQueuedBytes!: number;
  @ApiProperty({ description: 'slowest receive → ack (write + fdatasync) over the last second, ms' }) slowestAckMs!: number;
  @ApiProperty({ type: [String], description: "this exam's streams whose frame rate load shedding lowers now" }) shedStreamIds!: string[];
}

export class ExamStatsView implements ApiExamStats {
  @ApiProperty() examId!: string;
  @ApiProperty() atMs!: number;
  @ApiProperty({ description: 'seats of the exam (seat list)' }) seatsExpected!: number;
  @ApiProperty({ description: 'seats with a live stream whose Sentinel is connected' }) seatsConnected!: number;
  @ApiProperty({ type: ExamStreamCountsView }) streams!: ExamStreamCountsView;
  @ApiProperty({ type: [String] }) storageFailedStreamIds!: string[];
  @ApiProperty({ type: [String] }) backlogDrainingStreamIds!: string[];
  @ApiProperty() viewers!: number;
  @ApiProperty() ingestBitrateBps!: number;
  @ApiProperty({ type: WindowFiguresView }) fragmentAgeMs!: WindowFiguresView;
  @ApiProperty({ type: WindowFiguresView }) ackLatencyMs!: WindowFiguresView;
  @ApiProperty({ type: WindowFiguresView }) deliveryLatencyMs!: WindowFiguresView;
  @ApiProperty() skippedSegments!: number;
  @ApiProperty({ type: LoadSheddingView }) load!: LoadSheddingView;
}
