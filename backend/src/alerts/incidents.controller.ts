import { Controller, Get, Header, Inject, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import { ExamAccessService } from '../auth/exam-access.service';
import type { Actor } from '../auth/principal';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { DatabaseService } from '../db/database.service';
import { publicBaseUrl, type BaseUrlRequest } from '../seats-api/public-base-url';
import { incidentOfAlert, incidentOfEvent, incidentsCsv, type Incident } from '../stream-events/incidents-csv';
import { StreamEventsService } from '../stream-events/stream-events.service';
import { AlertsService } from './alerts.service';

/** The incidents export of an exam: flags, notes and alerts as CSV (its proctors, admins). */
@ApiTags('alerts')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/exams')
export class IncidentsController {
  constructor(
    private readonly access: ExamAccessService,
    private readonly alerts: AlertsService,
    private readonly events: StreamEventsService,
    private readonly database: DatabaseService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  /**
   * Every proctor flag and note on the exam's recordings and every alert the server still holds
   * for the exam (alerts live in memory: since the last restart), oldest first, with a review
   * link to the moment. Columns: see `stream-events/incidents-csv.ts`.
   * @throws NotFoundException for an exam that is missing or not the caller's
   */
  @Get(':examId/incidents.csv')
  @Access('proctor')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: "An exam's incidents as CSV: proctors' flags and notes and the server's alerts, oldest first (its proctors, admins)",
    description: 'Columns: time (ISO 8601, UTC), seat (student id), name, kind (flag, note, alert:<kind>), who, text, cleared, streamId, review (the portal at that moment: /recordings/<streamId>?at=<ms>). Formula-like cells start with an apostrophe.',
  })
  async csv(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Req() req: BaseUrlRequest & { res?: { setHeader(name: string, value: string): void } }): Promise<string> {
    await this.access.requireExam(actor.principal!, examId);
    const db = this.database.db;
    const [streams, seats] = await Promise.all([
      db.selectFrom('streams').select(['id', 'seatId']).where('examId', '=', examId).execute(),
      db.selectFrom('seats').select(['id', 'studentId', 'displayName']).where('examId', '=', examId).execute(),
    ]);
    const incidents: Incident[] = [];
    for (const s of streams) {
      const track = await this.events.readTrack(s.id).catch(() => []);
      for (const e of track) if (e.source === 'proctor') incidents.push(incidentOfEvent(s.id, s.seatId, e));
    }
    for (const a of this.alerts.book.list(new Set([examId]))) incidents.push(incidentOfAlert(a));
    req.res?.setHeader('Content-Disposition', `attachment; filename="incidents-${examId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}.csv"`);
    return incidentsCsv(incidents, new Map(seats.map((s) => [s.id, { studentId: s.studentId, displayName: s.displayName }])), publicBaseUrl(this.config, req));
  }
}
