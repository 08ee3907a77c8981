import { ConflictException, Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ExamAccessService } from '../auth/exam-access.service';
import type { Actor, Principal } from '../auth/principal';
import { PeriodicTask } from '../common/periodic-task';
import { errorText } from '../common/error-text';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { RelayService } from '../relay-nest/relay.service';
import { StreamEventsService } from '../stream-events/stream-events.service';
import { AlertBook, DEFAULT_ALERT_THRESHOLDS, alertConditions, type Alert, type AlertInput, type AlertThresholds } from './alert-rules';

/** How often the rules are checked, ms. */
export const ALERT_CHECK_MS = 2000;

/**
 * Raises and clears alerts from the relay's streams every {@link ALERT_CHECK_MS} (the rules are
 * the pure {@link alertConditions}; the book {@link AlertBook}), logs each, and records a
 * proctor's acknowledgement with its note in the audit log (`alert.ack`). Alerts live in
 * memory: a restart starts a new book (the conditions that still hold are raised again).
 */
@Injectable()
export class AlertsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  readonly book = new AlertBook();
  private readonly task = new PeriodicTask(
    async (nowMs) => this.check(nowMs),
    (e) => this.logger.error(`alert check failed: ${errorText(e)}`),
  );

  constructor(
    private readonly relay: RelayService,
    private readonly access: ExamAccessService,
    private readonly audit: AuditService,
    private readonly streamEvents: StreamEventsService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  /** The thresholds in force (from the configuration). */
  get thresholds(): AlertThresholds {
    return {
      ...DEFAULT_ALERT_THRESHOLDS,
      disconnectedAfterMs: this.config.alertDisconnectedSeconds * 1000,
      blankAfterMs: this.config.alertBlankSeconds * 1000,
      frozenAfterMs: this.config.alertFrozenSeconds * 1000,
    };
  }

  onApplicationBootstrap(): void {
    this.task.start(ALERT_CHECK_MS, false);
  }

  onApplicationShutdown(): void {
    this.task.stop();
  }

  /** One check of every stream (also called by tests). */
  check(nowMs = Date.now()): { raised: Alert[]; cleared: Alert[] } {
    const streams = this.relay.registry.list();
    const inputs: AlertInput[] = streams.map((s) => {
      const summary = s.summary(nowMs);
      const age = s.stats.fragmentAge(nowMs);
      const sentinel = this.streamEvents.conditionsOf(s.streamId);
      return {
        ...(sentinel ? { sentinel } : {}),
        streamId: s.streamId,
        examId: s.identity.examId,
        seatId: s.identity.seatId,
        state: summary.state,
        lastSeenAtMs: summary.lastFragmentAtMs ?? summary.startedAtMs,
        storage: summary.storage ?? 'ok',
        fragmentAgeMinMs: age.min,
        fragmentAgeMaxMs: age.max,
      };
    });
    this.streamEvents.retainOnly(new Set(streams.map((s) => s.streamId)));
    const result = this.book.update(alertConditions(inputs, nowMs, this.thresholds), nowMs);
    for (const a of result.raised) this.logger.warn(`alert ${a.id} ${a.kind}: stream ${a.streamId} (exam ${a.examId}, seat ${a.seatId}): ${a.detail}`);
    for (const a of result.cleared) this.logger.log(`alert ${a.id} ${a.kind} cleared: stream ${a.streamId}`);
    return result;
  }

  /** The alerts of an exam the caller may see, newest first. @throws NotFoundException for an exam that is not the caller's */
  async forExam(principal: Principal, examId: string, onlyOpen: boolean): Promise<Alert[]> {
    await this.access.requireExam(principal, examId);
    return this.book.list(new Set([examId]), onlyOpen);
  }

  /**
   * A proctor acknowledges an alert with a note; audited as `alert.ack`.
   * @throws NotFoundException for an alert that does not exist or is of another exam
   * @throws ConflictException when it was acknowledged already
   */
  async acknowledge(actor: Actor, alertId: number, note: string): Promise<Alert> {
    const alert = this.book.get(alertId);
    const missing = () => new NotFoundException(`no alert ${alertId}; GET /api/exams/:examId/alerts lists them`);
    if (!alert) throw missing();
    try {
      await this.access.requireExam(actor.principal!, alert.examId);
    } catch {
      throw missing();
    }
    try {
      this.book.acknowledge(alertId, actor.principal!.email, note, Date.now());
    } catch (e) {
      throw new ConflictException(errorText(e));
    }
    await this.audit.record(actor, 'alert.ack', { type: 'stream', id: alert.streamId }, { alertId, kind: alert.kind, examId: alert.examId, seatId: alert.seatId, note });
    return alert;
  }
}
