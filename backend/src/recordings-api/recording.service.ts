import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { RecordingStore, StreamRecording } from '../recording/recording-store';
import type { OpenedWriter, StreamWriterFactory } from '../relay/stream-registry';
import type { StreamIdentity } from '../relay/live-stream';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';

/** Nest face of the recordings folder: opens one {@link StreamRecording} per stream. */
@Injectable()
export class RecordingService implements OnModuleDestroy {
  private readonly logger = new Logger('Recording');
  readonly store: RecordingStore;
  private readonly recordings = new Map<string, StreamRecording>();

  constructor(@Inject(VIGIL_CONFIG) config: VigilConfig) {
    this.store = new RecordingStore(config.dataDir, config.fsync);
  }

  /** Opens or resumes the recording of one stream (StreamWriterFactory.open). */
  async openWriter(identity: StreamIdentity): Promise<OpenedWriter> {
    const recording = await this.store.open({
      streamId: identity.streamId,
      examId: identity.examId,
      seatId: identity.seatId,
      encoder: identity.encoder,
      userAgent: identity.userAgent,
      createdAtMs: identity.startedAtMs,
    });
    this.recordings.set(identity.streamId, recording);
    if (recording.resume.lastSequence > 0) {
      this.logger.log(`stream ${identity.streamId}: resuming recording after sequence ${recording.resume.lastSequence}`);
    }
    return {
      write: (unit) => recording.write(unit),
      close: async () => {
        this.recordings.delete(identity.streamId);
        await recording.close();
      },
      resume: {
        lastSequence: recording.resume.lastSequence,
        lastDecodeTime: recording.resume.lastDecodeTime,
        init: recording.resume.init,
      },
    };
  }

  /** Factory object handed to the relay core. */
  get factory(): StreamWriterFactory {
    return {
      open: (identity) => this.openWriter(identity),
      lookup: async (streamId) => {
        try {
          return await this.store.readMeta(streamId);
        } catch {
          return null; // not a valid id: nothing recorded under it
        }
      },
    };
  }

  /** Appends an application event to a live stream's events.jsonl (best effort). */
  logEvent(streamId: string, event: Record<string, unknown> & { type: string }): void {
    this.recordings.get(streamId)?.logEvent(event).catch((e: unknown) => this.logger.warn(`event log ${streamId}: ${e}`));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.recordings.values()].map((r) => r.close()));
  }
}
