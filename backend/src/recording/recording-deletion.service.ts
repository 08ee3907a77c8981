import type { DeletionRecord } from '@vigil/api';
import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { RecordingService } from './recording.service';

/** The audit action of every recording deletion (an admin's or retention's). */
export const RECORDING_DELETE_ACTION = 'recording.delete';

/**
 * Deletes recordings with a record (issue: recordings are evidence): the folder's manifest
 * (sizes, SHA-256) is taken first, the files are removed, and the record goes into the audit
 * log as `recording.delete`. A live stream is not deleted (end it first). Retention uses the
 * same path, so every deletion leaves the same trace.
 */
@Injectable()
export class RecordingDeletionService {
  private readonly logger = new Logger('RecordingDeletion');

  constructor(
    private readonly recordings: RecordingService,
    private readonly audit: AuditService,
  ) {}

  /**
   * @returns the deletion record, or null when there is no recording of that stream
   * @throws ConflictException (409) while the stream is live or disconnected but not ended
   */
  async delete(actor: Actor, streamId: string, reason: string): Promise<DeletionRecord | null> {
    const meta = await this.recordings.store.readMeta(streamId);
    if (!meta) return null;
    this.assertNotLive([streamId]);
    const manifest = await this.recordings.store.manifest(streamId);
    await this.recordings.store.deleteRecording(streamId);
    const record: DeletionRecord = {
      streamId,
      examId: meta.examId,
      seatId: meta.seatId,
      by: actor.principal?.email ?? 'system',
      atMs: Date.now(),
      reason,
      files: manifest.files.length,
      bytes: manifest.bytes,
      sha256: manifest.sha256,
    };
    await this.audit.record(actor, RECORDING_DELETE_ACTION, { type: 'stream', id: streamId }, { ...record });
    this.logger.log(`deleted recording ${streamId} (exam ${meta.examId}, ${manifest.files.length} files, ${manifest.bytes} bytes, sha256 ${manifest.sha256}) by ${record.by}: ${reason}`);
    return record;
  }

  /**
   * Refuses (before anything is deleted) when any of the streams is still held by the relay
   * (its recording is open: live, or disconnected and not yet ended).
   * @throws ConflictException (409) naming the first live stream
   */
  assertNotLive(streamIds: readonly string[]): void {
    const live = streamIds.find((id) => this.recordings.isOpen(id));
    if (live) throw new ConflictException(`stream ${live} is still live: end it first (POST /api/streams/${live}/end), then delete its recording`);
  }

  /** The record of a deleted recording, or null when it was never deleted. */
  async deletionOf(streamId: string): Promise<DeletionRecord | null> {
    const [entry] = await this.audit.list({ limit: 1, action: RECORDING_DELETE_ACTION, targetId: streamId });
    if (!entry) return null;
    const d = entry.details as Partial<DeletionRecord>;
    return {
      streamId,
      examId: String(d.examId ?? ''),
      seatId: String(d.seatId ?? ''),
      by: String(d.by ?? entry.actor),
      atMs: entry.atMs,
      reason: String(d.reason ?? ''),
      files: Number(d.files ?? 0),
      bytes: Number(d.bytes ?? 0),
      sha256: String(d.sha256 ?? ''),
    };
  }
}
