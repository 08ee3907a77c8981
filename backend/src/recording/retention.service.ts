import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { DatabaseService } from '../db/database.service';
import { AuditService } from '../audit/audit.service';
import { RecordingService } from './recording.service';
import { RecordingDeletionService } from './recording-deletion.service';
import { expiredRecordings, type RecordingAge } from './retention-policy';
import { PeriodicTask } from '../common/periodic-task';
import { errorText } from '../common/error-text';

/**
 * Deletes recordings older than their exam's retention (`exams.retentionDays`), at start
 * and every `VIGIL_RETENTION_SWEEP_MINUTES`. Each deletion goes through
 * {@link RecordingDeletionService}: a `recording.delete` record by `system` with sizes and SHA-256. The decision is the pure {@link expiredRecordings}.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly task = new PeriodicTask((nowMs) => this.runSweep(nowMs), (e) => this.logger.error(`retention sweep failed: ${errorText(e)}`));

  constructor(
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
    private readonly database: DatabaseService,
    private readonly audit: AuditService,
    private readonly recordings: RecordingService,
    private readonly deletion: RecordingDeletionService,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.retentionSweepMinutes * 60_000, true);
  }

  onApplicationShutdown(): void {
    this.task.stop();
  }

  /**
   * One sweep: finds and deletes expired recordings. Concurrent calls share one sweep.
   * @param nowMs wall clock, ms since the Unix epoch
   * @returns the deleted stream ids
   */
  sweep(nowMs = Date.now()): Promise<string[]> {
    return this.task.run(nowMs);
  }

  private async runSweep(nowMs: number): Promise<string[]> {
    const store = this.recordings.store;
    const ages: RecordingAge[] = [];
    for (const meta of await store.listRecordings()) {
      ages.push({ streamId: meta.streamId, examId: meta.examId, lastActivityMs: await store.lastActivityMs(meta) });
    }
    if (ages.length === 0) return [];
    const exams = await this.database.db.selectFrom('exams').select(['id', 'retentionDays']).execute();
    const retention = new Map(exams.map((e) => [e.id, e.retentionDays]));
    const active = new Set(ages.map((a) => a.streamId).filter((id) => this.recordings.isOpen(id)));
    const expired = expiredRecordings(ages, retention, active, nowMs, this.config.retentionDefaultDays);
    for (const streamId of expired) {
      const age = ages.find((a) => a.streamId === streamId)!;
      const retentionDays = retention.get(age.examId) ?? this.config.retentionDefaultDays;
      // the same deletion record as an admin's delete (who: system; sizes and SHA-256)
      await this.deletion.delete({ principal: null, ip: null }, streamId, `retention: ${retentionDays} days after the last recorded moment`);
    }
    return expired;
  }
}
