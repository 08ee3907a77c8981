import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatabaseService } from '../db/database.service';
import { AuditService } from '../audit/audit.service';
import { ExamAccessService } from '../auth/exam-access.service';
import { RelayService } from '../relay-nest/relay.service';
import { StreamRecordsService } from '../stream-records/stream-records.service';
import type { Actor } from '../auth/principal';
import type { ExamRow, SeatRow } from '../db/database.types';
import type { LiveStream } from '../relay/live-stream';
import { SeatTokenService } from './seat-token.service';
import { kioskUrlsCsv, parseSeatCsv } from './seats-csv';
import type { CreatedSeatView, ImportResultView, KioskUrlView, SeatView, UpdateSeatDto } from './seats.dto';
import { stopNotice } from '../relay/stop-notice';

/**
 * Seats of an exam: CRUD, CSV import, kiosk URLs (export, revoke), and live status
 * from the relay plus the stream records. Proctors may read the seats of their exams;
 * changes are for admins (the controller says who).
 */
@Injectable()
export class SeatsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly access: ExamAccessService,
    private readonly audit: AuditService,
    private readonly relay: RelayService,
    private readonly streamRecords: StreamRecordsService,
    private readonly tokens: SeatTokenService,
  ) {}

  async list(actor: Actor, examId: string): Promise<SeatView[]> {
    await this.access.requireExam(actor.principal!, examId);
    const seats = await this.database.db.selectFrom('seats').selectAll().where('examId', '=', examId).orderBy('studentId').execute();
    const lastSeen = await this.streamRecords.lastSeenBySeat(examId);
    const live = this.liveStreamsOf(examId);
    return seats.map((s) => this.view(s, lastSeen.get(s.id) ?? null, live.get(s.id) ?? []));
  }

  async get(actor: Actor, examId: string, seatId: string): Promise<SeatView> {
    await this.access.requireExam(actor.principal!, examId);
    const seat = await this.row(examId, seatId);
    const lastSeen = await this.streamRecords.lastSeenBySeat(examId);
    return this.view(seat, lastSeen.get(seat.id) ?? null, this.liveStreamsOf(examId).get(seat.id) ?? []);
  }

  async create(actor: Actor, examId: string, input: { studentId: string; displayName: string }, base: string): Promise<CreatedSeatView> {
    await this.access.requireExam(actor.principal!, examId);
    const now = Date.now();
    const row: SeatRow = { id: randomUUID(), examId, studentId: input.studentId.trim(), displayName: input.displayName.trim(), tokenVersion: 1, createdAt: now, updatedAt: now };
    try {
      await this.database.db.insertInto('seats').values(row).execute();
    } catch (e) {
      if (this.database.isUniqueViolation(e)) throw duplicateStudent(row.studentId);
      throw e;
    }
    await this.audit.record(actor, 'seat.create', { type: 'seat', id: row.id }, { examId, studentId: row.studentId });
    return { ...this.view(row, null, []), kioskUrl: this.tokens.kioskUrl(base, row), token: this.tokens.tokenFor(row) };
  }

  async update(actor: Actor, examId: string, seatId: string, input: UpdateSeatDto): Promise<SeatView> {
    await this.access.requireExam(actor.principal!, examId);
    await this.row(examId, seatId);
    try {
      await this.database.db
        .updateTable('seats')
        .set({
          ...(input.studentId !== undefined ? { studentId: input.studentId.trim() } : {}),
          ...(input.displayName !== undefined ? { displayName: input.displayName.trim() } : {}),
          updatedAt: Date.now(),
        })
        .where('id', '=', seatId)
        .execute();
    } catch (e) {
      if (this.database.isUniqueViolation(e)) throw duplicateStudent(input.studentId ?? '');
      throw e;
    }
    await this.audit.record(actor, 'seat.update', { type: 'seat', id: seatId }, { examId, ...input });
    return this.get(actor, examId, seatId);
  }

  /** Deletes a seat: its token stops working and its live stream ends. */
  async remove(actor: Actor, examId: string, seatId: string): Promise<void> {
    await this.access.requireExam(actor.principal!, examId);
    const seat = await this.row(examId, seatId);
    await this.database.db.deleteFrom('seats').where('id', '=', seatId).execute();
    const ended = await this.endLiveStreams(examId, seatId, 'seat-deleted');
    await this.audit.record(actor, 'seat.delete', { type: 'seat', id: seatId }, { examId, studentId: seat.studentId, endedStreams: ended });
  }

  async kioskUrl(actor: Actor, examId: string, seatId: string, base: string): Promise<KioskUrlView> {
    const exam = await this.access.requireExam(actor.principal!, examId);
    return this.kioskView(exam, await this.row(examId, seatId), base);
  }

  /** New token version: every earlier token is refused; the seat's live stream ends. */
  async revokeToken(actor: Actor, examId: string, seatId: string, base: string): Promise<KioskUrlView> {
    const exam = await this.access.requireExam(actor.principal!, examId);
    const seat = await this.row(examId, seatId);
    await this.database.db
      .updateTable('seats')
      .set((eb) => ({ tokenVersion: eb('tokenVersion', '+', 1), updatedAt: Date.now() }))
      .where('id', '=', seatId)
      .execute();
    const ended = await this.endLiveStreams(examId, seatId, 'seat-revoked');
    await this.audit.record(actor, 'seat.revoke-token', { type: 'seat', id: seatId }, { examId, studentId: seat.studentId, endedStreams: ended });
    return this.kioskView(exam, await this.row(examId, seatId), base);
  }

  /** Creates or renames seats from a CSV, all or nothing. */
  async importCsv(actor: Actor, examId: string, csv: unknown): Promise<ImportResultView> {
    await this.access.requireExam(actor.principal!, examId);
    if (typeof csv !== 'string') throw new BadRequestException('send the seat list as the request body with content-type: text/csv (header row: studentId,displayName)');
    const rows = parseSeatCsv(csv);
    const result = { created: 0, updated: 0, unchanged: 0, total: rows.length };
    await this.database.db.transaction().execute(async (trx) => {
      const existing = new Map((await trx.selectFrom('seats').select(['id', 'studentId', 'displayName']).where('examId', '=', examId).execute()).map((s) => [s.studentId, s]));
      const now = Date.now();
      for (const r of rows) {
        const seat = existing.get(r.studentId);
        if (!seat) {
          await trx.insertInto('seats').values({ id: randomUUID(), examId, studentId: r.studentId, displayName: r.displayName, tokenVersion: 1, createdAt: now, updatedAt: now }).execute();
          result.created++;
        } else if (seat.displayName !== r.displayName) {
          await trx.updateTable('seats').set({ displayName: r.displayName, updatedAt: now }).where('id', '=', seat.id).execute();
          result.updated++;
        } else {
          result.unchanged++;
        }
      }
    });
    await this.audit.record(actor, 'seat.import', { type: 'exam', id: examId }, result);
    return result;
  }

  /** Kiosk URLs of every seat of the exam, as CSV. */
  async exportCsv(actor: Actor, examId: string, base: string): Promise<string> {
    await this.access.requireExam(actor.principal!, examId);
    const seats = await this.database.db.selectFrom('seats').selectAll().where('examId', '=', examId).orderBy('studentId').execute();
    await this.audit.record(actor, 'seat.export-urls', { type: 'exam', id: examId }, { seats: seats.length });
    return kioskUrlsCsv(seats.map((s) => ({ studentId: s.studentId, displayName: s.displayName, seatId: s.id, kioskUrl: this.tokens.kioskUrl(base, s) })));
  }

  private kioskView(exam: ExamRow, seat: SeatRow, base: string): KioskUrlView {
    return { seatId: seat.id, examId: seat.examId, kioskUrl: this.tokens.kioskUrl(base, seat), token: this.tokens.tokenFor(seat), expiresAtMs: exam.endsAt };
  }

  /** Ends the seat's streams; their Sentinels are told why (`stop`) and stay stopped. */
  private async endLiveStreams(examId: string, seatId: string, reason: 'seat-revoked' | 'seat-deleted'): Promise<string[]> {
    const streams = (this.liveStreamsOf(examId).get(seatId) ?? []).map((s) => s.streamId);
    for (const id of streams) await this.relay.registry.endStream(id, stopNotice(reason));
    return streams;
  }

  private liveStreamsOf(examId: string): Map<string, LiveStream[]> {
    const bySeat = new Map<string, LiveStream[]>();
    for (const s of this.relay.registry.list()) {
      if (s.identity.examId !== examId || s.state === 'ended') continue;
      bySeat.set(s.identity.seatId, [...(bySeat.get(s.identity.seatId) ?? []), s]);
    }
    return bySeat;
  }

  private view(seat: SeatRow, lastSeenAtMs: number | null, live: LiveStream[]): SeatView {
    const streaming = live.find((s) => s.state === 'live');
    const current = streaming ?? live[0];
    const liveSeen = live.map((s) => s.lastFragmentAtMs ?? s.identity.startedAtMs);
    const seen = [lastSeenAtMs, ...liveSeen].filter((x): x is number => x !== null);
    return {
      id: seat.id,
      examId: seat.examId,
      studentId: seat.studentId,
      displayName: seat.displayName,
      createdAtMs: seat.createdAt,
      updatedAtMs: seat.updatedAt,
      status: streaming ? 'streaming' : seen.length > 0 ? 'offline' : 'never-connected',
      lastSeenAtMs: seen.length > 0 ? Math.max(...seen) : null,
      liveStreamId: current?.streamId ?? null,
    };
  }

  private async row(examId: string, seatId: string): Promise<SeatRow> {
    const seat = await this.database.db.selectFrom('seats').selectAll().where('id', '=', seatId).where('examId', '=', examId).executeTakeFirst();
    if (!seat) throw new NotFoundException(`no seat ${seatId.slice(0, 40)} in exam ${examId.slice(0, 40)}; GET /api/exams/${examId.slice(0, 40)}/seats lists them`);
    return seat;
  }
}

function duplicateStudent(studentId: string): ConflictException {
  return new ConflictException(`studentId ${studentId.slice(0, 40)} already has a seat in this exam`);
}
