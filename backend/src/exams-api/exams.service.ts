import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatabaseService } from '../db/database.service';
import { AuditService } from '../audit/audit.service';
import { ExamAccessService } from '../auth/exam-access.service';
import { RelayService } from '../relay-nest/relay.service';
import type { StreamRecordView } from '@vigil/api';
import { StreamRecordsService } from '../stream-records/stream-records.service';
import type { Actor } from '../auth/principal';
import type { ExamRow } from '../db/database.types';
import { userView, type UserView } from '../users-api/users.dto';
import type { CreateExamDto, ExamFpsView, ExamView, UpdateExamDto } from './exams.dto';
import { stopNotice } from '../relay/stop-notice';

/** Maps a row to {@link ExamView}. */
export function examView(row: ExamRow): ExamView {
  return {
    id: row.id,
    name: row.name,
    startsAtMs: row.startsAt,
    endsAtMs: row.endsAt,
    defaultFps: row.defaultFps,
    retentionDays: row.retentionDays,
    createdAtMs: row.createdAt,
    updatedAtMs: row.updatedAt,
  };
}

/**
 * Exams: CRUD, proctor assignments, exam-wide live control and stream history.
 * Proctors read the exams they are assigned to; everything else is for admins.
 */
@Injectable()
export class ExamsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly access: ExamAccessService,
    private readonly audit: AuditService,
    private readonly relay: RelayService,
    private readonly streamRecords: StreamRecordsService,
  ) {}

  async list(actor: Actor): Promise<ExamView[]> {
    const scope = await this.access.scope(actor.principal!);
    let q = this.database.db.selectFrom('exams').selectAll().orderBy('startsAt').orderBy('id');
    if (!scope.all) {
      if (scope.examIds.size === 0) return [];
      q = q.where('id', 'in', [...scope.examIds]);
    }
    return (await q.execute()).map(examView);
  }

  async get(actor: Actor, examId: string): Promise<ExamView> {
    return examView(await this.access.requireExam(actor.principal!, examId));
  }

  async create(actor: Actor, input: CreateExamDto): Promise<ExamView> {
    checkWindow(input.startsAtMs, input.endsAtMs);
    const now = Date.now();
    const row: ExamRow = {
      id: randomUUID(),
      name: input.name.trim(),
      startsAt: input.startsAtMs,
      endsAt: input.endsAtMs,
      defaultFps: input.defaultFps ?? 1,
      retentionDays: input.retentionDays ?? 30,
      createdAt: now,
      updatedAt: now,
    };
    await this.database.db.insertInto('exams').values(row).execute();
    await this.audit.record(actor, 'exam.create', { type: 'exam', id: row.id }, { ...input });
    return examView(row);
  }

  async update(actor: Actor, examId: string, input: UpdateExamDto): Promise<ExamView> {
    const exam = await this.access.requireExam(actor.principal!, examId);
    checkWindow(input.startsAtMs ?? exam.startsAt, input.endsAtMs ?? exam.endsAt);
    await this.database.db
      .updateTable('exams')
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.startsAtMs !== undefined ? { startsAt: input.startsAtMs } : {}),
        ...(input.endsAtMs !== undefined ? { endsAt: input.endsAtMs } : {}),
        ...(input.defaultFps !== undefined ? { defaultFps: input.defaultFps } : {}),
        ...(input.retentionDays !== undefined ? { retentionDays: input.retentionDays } : {}),
        updatedAt: Date.now(),
      })
      .where('id', '=', examId)
      .execute();
    await this.audit.record(actor, 'exam.update', { type: 'exam', id: examId }, { ...input });
    return this.get(actor, examId);
  }

  /** Deletes an exam with its seats and assignments; its live streams end; recordings stay. */
  async remove(actor: Actor, examId: string): Promise<void> {
    const exam = await this.access.requireExam(actor.principal!, examId);
    const proctors = await this.database.db.selectFrom('examProctors').select('userId').where('examId', '=', examId).execute();
    await this.database.db.deleteFrom('exams').where('id', '=', examId).execute();
    const ended: string[] = [];
    for (const s of this.relay.registry.list().filter((x) => x.identity.examId === examId)) {
      ended.push(s.streamId);
      await this.relay.registry.endStream(s.streamId, stopNotice('exam-deleted'));
    }
    for (const p of proctors) this.access.notifyChanged(p.userId);
    await this.audit.record(actor, 'exam.delete', { type: 'exam', id: examId }, { name: exam.name, endedStreams: ended });
  }

  /** Sets the frame rate of every stream of the exam in the relay now. */
  async setFps(actor: Actor, examId: string, fps: number): Promise<ExamFpsView> {
    await this.access.requireExam(actor.principal!, examId);
    const streams = this.relay.registry.list().filter((s) => s.identity.examId === examId && s.state !== 'ended');
    let applied = 0;
    for (const s of streams) if (s.setFps(fps, 'admin')) applied++;
    await this.audit.record(actor, 'exam.fps', { type: 'exam', id: examId }, { fps, streams: streams.map((s) => s.streamId), applied });
    return { fps, streams: streams.length, applied };
  }

  /** Every stream ever started for the exam (database records). */
  async streams(actor: Actor, examId: string): Promise<StreamRecordView[]> {
    await this.access.requireExam(actor.principal!, examId);
    return this.streamRecords.listForExam(examId);
  }

  async proctors(actor: Actor, examId: string): Promise<UserView[]> {
    await this.access.requireExam(actor.principal!, examId);
    const users = await this.database.db
      .selectFrom('users')
      .innerJoin('examProctors', 'examProctors.userId', 'users.id')
      .selectAll('users')
      .where('examProctors.examId', '=', examId)
      .orderBy('users.email')
      .execute();
    const assignments = await this.database.db.selectFrom('examProctors').select(['userId', 'examId']).where('userId', 'in', users.length ? users.map((u) => u.id) : ['']).execute();
    return users.map((u) => userView(u, assignments.filter((a) => a.userId === u.id).map((a) => a.examId).sort()));
  }

  /**
   * Assigns a proctor to the exam (idempotent).
   * @throws BadRequestException when the user is not a proctor
   */
  async assign(actor: Actor, examId: string, userId: string): Promise<void> {
    await this.access.requireExam(actor.principal!, examId);
    const user = await this.database.db.selectFrom('users').select(['id', 'role', 'email']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new NotFoundException(`no user ${userId.slice(0, 40)}; GET /api/users lists them`);
    if (user.role !== 'proctor') throw new BadRequestException(`userId ${userId.slice(0, 40)} is an admin: admins see every exam; only proctors are assigned`);
    const existing = await this.database.db.selectFrom('examProctors').select('userId').where('examId', '=', examId).where('userId', '=', userId).executeTakeFirst();
    if (existing) return;
    await this.database.db.insertInto('examProctors').values({ examId, userId, createdAt: Date.now() }).execute();
    await this.audit.record(actor, 'exam.proctor-assign', { type: 'exam', id: examId }, { userId, email: user.email });
  }

  /** Removes a proctor from the exam (idempotent); their open WebSockets re-check at once. */
  async unassign(actor: Actor, examId: string, userId: string): Promise<void> {
    await this.access.requireExam(actor.principal!, examId);
    const result = await this.database.db.deleteFrom('examProctors').where('examId', '=', examId).where('userId', '=', userId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return;
    this.access.notifyChanged(userId);
    await this.audit.record(actor, 'exam.proctor-unassign', { type: 'exam', id: examId }, { userId });
  }
}

function checkWindow(startsAtMs: number, endsAtMs: number): void {
  if (endsAtMs <= startsAtMs) throw new BadRequestException('endsAtMs must be after startsAtMs');
}
