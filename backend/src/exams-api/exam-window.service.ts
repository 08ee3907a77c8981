import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { DatabaseService } from '../db/database.service';
import { AuditService } from '../audit/audit.service';
import { RelayService } from '../relay-nest/relay.service';
import { stopNotice } from '../relay/stop-notice';
import { streamsPastExamEnd } from './exam-window';
import { PeriodicTask } from '../common/periodic-task';
import { errorText } from '../common/error-text';

/**
 * Ends the live streams of exams whose window is over, every `VIGIL_EXAM_END_CHECK_SECONDS`:
 * each Sentinel is sent `stop` (reason `exam-over`) and stops capturing; its seat token has
 * expired too, so it cannot start again. Each ended stream goes into the audit log as
 * `stream.end` by `system`. The decision is the pure {@link streamsPastExamEnd}.
 */
@Injectable()
export class ExamWindowService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExamWindow');
  private readonly task = new PeriodicTask((nowMs) => this.runCheck(nowMs), (e) => this.logger.error(`exam window check failed: ${errorText(e)}`));

  constructor(
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
    private readonly database: DatabaseService,
    private readonly audit: AuditService,
    private readonly relay: RelayService,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.examEndCheckSeconds * 1000);
  }

  onApplicationShutdown(): void {
    this.task.stop();
  }

  /**
   * One check: ends every live stream whose exam is over. Concurrent calls share one check.
   * @param nowMs wall clock, ms since the Unix epoch
   * @returns the ended stream ids
   */
  check(nowMs = Date.now()): Promise<string[]> {
    return this.task.run(nowMs);
  }

  private async runCheck(nowMs: number): Promise<string[]> {
    // upload-only streams (a backlog uploaded after the end, within the grace) are not capture
    const live = this.relay.registry
      .list()
      .filter((s) => !s.uploadOnly)
      .map((s) => ({ streamId: s.streamId, examId: s.identity.examId }));
    if (live.length === 0) return [];
    const examIds = [...new Set(live.map((s) => s.examId))];
    const exams = await this.database.db.selectFrom('exams').select(['id', 'endsAt']).where('id', 'in', examIds).execute();
    const examEnds = new Map(exams.map((e) => [e.id, e.endsAt]));
    const over = streamsPastExamEnd(live, examEnds, nowMs);
    for (const { streamId, examId } of over) {
      const endsAtMs = examEnds.get(examId);
      await this.relay.registry.endStream(streamId, stopNotice('exam-over', endsAtMs === undefined ? undefined : `ended ${new Date(endsAtMs).toISOString()}`));
      await this.audit.record({ principal: null, ip: null }, 'stream.end', { type: 'stream', id: streamId }, { reason: 'exam-over', examId, endsAtMs: endsAtMs ?? null });
      this.logger.log(`ended stream ${streamId}: exam ${examId} is over`);
    }
    return over.map((s) => s.streamId);
  }
}
