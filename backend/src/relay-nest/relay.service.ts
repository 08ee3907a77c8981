import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { StreamRegistry } from '../relay/stream-registry';
import type { LiveStream } from '../relay/live-stream';
import { RecordingService } from '../recordings-api/recording.service';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';

/** Owns the process-wide {@link StreamRegistry} (the relay core) for Nest. */
@Injectable()
export class RelayService implements OnModuleDestroy {
  readonly registry: StreamRegistry;
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
    this.registry = new StreamRegistry({
      bufferSeconds: config.bufferSeconds,
      bufferStreamBytes: config.bufferStreamBytes,
      bufferTotalBytes: config.bufferTotalBytes,
      joinMaxAgeSeconds: config.joinMaxAgeSeconds,
      keyframeMinIntervalMs: config.keyframeMinIntervalMs,
      fps: config.defaultFps,
      streamEndAfterMs: config.streamEndAfterMs,
    }, (stream) => {
      // control messages to the Sentinel go into the stream's events.jsonl (metadata)
      stream.controlSent$.subscribe((message) => recordings.logEvent(stream.streamId, message));
      this.created.next(stream);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.logger.log('closing every stream');
    await this.registry.close();
  }
}
