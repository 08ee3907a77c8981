import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RecordingStore, StreamRecording } from './recording-store';
import type { OpenedWriter, StreamWriterFactory } from '../relay/stream-registry';
import type { StreamIdentity } from '../relay/live-stream';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';

/**
 * Nest face of the recordings folder: repairs every recording at start-up (before the server
 * listens, so reconnecting Sentinels resume at their last durable fragment) and opens one
 * {@link StreamRecording} per stream.
 */
@Injectable()
export class RecordingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Recording');
  readonly store: RecordingStore;
  private readonly recordings = new Map<string, StreamRecording>();
  /** Streams whose writer is open or being opened (held by the relay: not to be deleted). */
  private readonly held = new Set<string>();

  constructor(@Inject(VIGIL_CONFIG) config: VigilConfig) {
    this.store = new RecordingStore(config.dataDir, config.fsync);
    if (!config.fsync) {
      this.logger.warn('VIGIL_FSYNC=false: fragments are acknowledged before they reach stable storage; a power loss can lose acknowledged video (for tests and benchmarks only)');
    }
  }

  /** Opens or resumes the recording of one stream (StreamWriterFactory.open). */
  async openWriter(identity: StreamIdentity): Promise<OpenedWriter> {
    this.held.add(identity.streamId);
    let recording: StreamRecording;
    try {
      recording = await this.store.open({
      streamId: identity.streamId,
      examId: identity.examId,
      seatId: identity.seatId,
      encoder: identity.encoder,
      userAgent: identity.userAgent,
      createdAtMs: identity.startedAtMs,
      });
    } catch (error) {
      this.held.delete(identity.streamId);
      throw error;
    }
    this.recordings.set(identity.streamId, recording);
    if (recording.resume.lastSequence > 0) {
      this.logger.log(`stream ${identity.streamId}: resuming recording after sequence ${recording.resume.lastSequence}`);
    }
    return {
      write: (unit) => recording.write(unit),
      writeGap: (gap) => recording.writeGap(gap),
      close: async () => {
        this.recordings.delete(identity.streamId);
        try {
          await recording.close();
        } finally {
          this.held.delete(identity.streamId);
        }
      },
      resume: {
        lastSequence: recording.resume.lastSequence,
        lastDecodeTime: recording.resume.lastDecodeTime,
        init: recording.resume.init,
      },
    };
  }

  /**
   * Whether a stream's recording is open for writing (from the moment the relay asks for its
   * writer until the stream ends and the writer is closed): such a recording must not be
   * deleted or expired.
   */
  isOpen(streamId: string): boolean {
    return this.held.has(streamId);
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

  /** Appends a server event to a live stream's events.jsonl (best effort; `source: "server"`). */
  logEvent(streamId: string, event: Record<string, unknown> & { type: string }): void {
    this.recordings.get(streamId)?.logEvent({ source: 'server', ...event }).catch((e: unknown) => this.logger.warn(`event log ${streamId}: ${e}`));
  }

  /**
   * Appends one line to a stream's `events.jsonl`: through its open writer while it is live,
   * else to its folder (a recording that exists; nothing is created for an unknown id).
   * @param durable fdatasync before resolving (proctors' flags and notes)
   * @returns false when there is no recording of that stream
   * @throws the file system's error
   */
  async appendEvent(streamId: string, line: string, durable = false): Promise<boolean> {
    const open = this.recordings.get(streamId);
    if (open && (await open.appendEventLine(line, durable))) return true;
    return this.store.appendEvent(streamId, line, durable);
  }

  /** Start-up scan of every stream folder (crash recovery); logs what was mended. */
  async onModuleInit(): Promise<void> {
    const started = Date.now();
    const summary = await this.store.recoverAll();
    for (const m of summary.mended) {
      const parts = [
        m.mended.trimmedBytes > 0 ? `trimmed a torn tail of ${m.mended.trimmedBytes} bytes` : '',
        m.mended.removedFiles.length > 0 ? `removed incomplete ${m.mended.removedFiles.join(', ')}` : '',
        m.mended.addedEntries > 0 ? `indexed ${m.mended.addedEntries} unlisted file(s)` : '',
        m.mended.droppedEntries > 0 ? `dropped ${m.mended.droppedEntries} index line(s) without a file` : '',
      ].filter(Boolean);
      this.logger.warn(`recovered stream ${m.streamId}: ${parts.join('; ') || 'rebuilt a torn index'}; resumes after sequence ${m.lastSequence}`);
    }
    for (const f of summary.failed) this.logger.error(`could not recover stream ${f.streamId}: ${f.error}`);
    this.logger.log(`checked ${summary.scanned} recording(s) in ${Date.now() - started} ms (${summary.mended.length} mended, ${summary.failed.length} failed)`);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.recordings.values()].map((r) => r.close()));
  }
}
