import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject, config as rxjsConfig } from 'rxjs';
import { StreamRegistry } from '../relay/stream-registry';
import type { LiveStream } from '../relay/live-stream';
import { RecordingService } from '../recording/recording.service';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { RelayTotals } from '../stats/relay-stats';

/**
 * Owns the process-wide {@link StreamRegistry} (the relay core) for Nest.
 *
 * Error isolation: every per-stream and per-connection pipeline handles its own errors; as
 * the last line, an error that still reaches an RxJS subscriber without an error handler is
 * logged here instead of being rethrown asynchronously (RxJS's default, which ends the
 * process with an uncaught exception and every exam with it).
 */
@Injectable()
export class RelayService implements OnModuleDestroy {
  readonly registry: StreamRegistry;
  /** Process-wide relay counters and histograms (statistics, `/metrics`). */
  readonly totals = new RelayTotals();
  private readonly logger = new Logger('Relay');
  private readonly created = new Subject<LiveStream>();
  /**
   * Every stream the registry creates (the registry's StreamCreatedHook), synchronously,
   * before its Sentinel gets `welcome`: for metadata such as the database's stream rows.
   */
  readonly created$: Observable<LiveStream> = this.created.asObservable();

  constructor(
    @Inject(VIGIL_CONFIG) readonly config: VigilConfig,
    recordings: RecordingService,
  ) {
    rxjsConfig.onUnhandledError = (error: unknown) =>
      this.logger.error(`unhandled error in a stream pipeline (isolated, process continues): ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    this.registry = new StreamRegistry({
      bufferSeconds: config.bufferSeconds,
      bufferStreamBytes: config.bufferStreamBytes,
      bufferTotalBytes: config.bufferTotalBytes,
      joinMaxAgeSeconds: config.joinMaxAgeSeconds,
      keyframeMinIntervalMs: config.keyframeMinIntervalMs,
      fps: config.defaultFps,
      focusFps: config.focusFps,
      streamEndAfterMs: config.streamEndAfterMs,
      maxStreams: config.maxStreams,
      maxStreamsPerExam: config.maxStreamsPerExam,
      maxStreamsPerSeat: config.maxStreamsPerSeat,
      joinConcurrency: config.joinConcurrency,
      pendingWriteBytes: config.pendingWriteBytes,
      totals: this.totals,
      backlogAgeMs: config.backlogAgeSeconds * 1000,
    }, (stream) => {
      // control messages to the Sentinel go into the stream's events.jsonl (metadata)
      stream.controlSent$.subscribe((message) => recordings.logEvent(stream.streamId, message));
      stream.storage$.subscribe((state) => {
        if (state === 'storage-failed') {
          this.logger.error(`stream ${stream.streamId}: recording write failed (${stream.storageError}); retrying, not acknowledging, still relaying live`);
        } else {
          this.logger.log(`stream ${stream.streamId}: recording writes work again (${stream.writeFailures} failed attempt(s) retried)`);
        }
        recordings.logEvent(stream.streamId, { type: 'storage', state, error: stream.storageError });
      });
      this.created.next(stream);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.logger.log('closing every stream');
    await this.registry.close();
  }
}
