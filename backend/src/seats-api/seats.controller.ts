import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCookieAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { CreateSeatDto, CreatedSeatView, ImportResultView, KioskUrlView, SeatView, UpdateSeatDto } from './seats.dto';
import { SeatsService } from './seats.service';
import { publicBaseUrl, type BaseUrlRequest } from './public-base-url';

/** Seats of an exam: proctors of the exam read them, admins change them. */
@ApiTags('seats')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/exams/:examId/seats')
export class SeatsController {
  constructor(
    private readonly seats: SeatsService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  @Get()
  @Access('proctor')
  @ApiOperation({ summary: "The exam's seats with live status (proctors of the exam, admins)" })
  list(@CurrentActor() actor: Actor, @Param('examId') examId: string): Promise<SeatView[]> {
    return this.seats.list(actor, examId);
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Add a seat; answers its kiosk URL (admin)' })
  create(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Body() body: CreateSeatDto, @Req() req: BaseUrlRequest): Promise<CreatedSeatView> {
    return this.seats.create(actor, examId, body, publicBaseUrl(this.config, req));
  }

  @Post('import')
  @HttpCode(200)
  @Access('admin')
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'studentId,displayName\ns1001,Ada Lovelace\ns1002,Alan Turing\n' } })
  @ApiOperation({ summary: 'Create or rename seats from a CSV (studentId,displayName), all or nothing (admin)' })
  import(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Body() csv: string): Promise<ImportResultView> {
    return this.seats.importCsv(actor, examId, csv);
  }

  @Get('kiosk-urls.csv')
  @Access('admin')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="kiosk-urls.csv"')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: "Every seat's kiosk URL as CSV: studentId,displayName,seatId,kioskUrl (admin)" })
  exportCsv(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Req() req: BaseUrlRequest): Promise<string> {
    return this.seats.exportCsv(actor, examId, publicBaseUrl(this.config, req));
  }

  @Get(':seatId')
  @Access('proctor')
  @ApiOperation({ summary: 'One seat with live status (proctors of the exam, admins)' })
  get(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Param('seatId') seatId: string): Promise<SeatView> {
    return this.seats.get(actor, examId, seatId);
  }

  @Patch(':seatId')
  @Access('admin')
  @ApiOperation({ summary: 'Change student id or name (admin)' })
  update(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Param('seatId') seatId: string, @Body() body: UpdateSeatDto): Promise<SeatView> {
    return this.seats.update(actor, examId, seatId, body);
  }

  @Delete(':seatId')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Delete a seat; its token stops working, its live stream ends (admin)' })
  async remove(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Param('seatId') seatId: string): Promise<void> {
    await this.seats.remove(actor, examId, seatId);
  }

  @Get(':seatId/kiosk-url')
  @Access('admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "The seat's kiosk URL and token (admin)" })
  kioskUrl(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Param('seatId') seatId: string, @Req() req: BaseUrlRequest): Promise<KioskUrlView> {
    return this.seats.kioskUrl(actor, examId, seatId, publicBaseUrl(this.config, req));
  }

  @Post(':seatId/revoke-token')
  @HttpCode(200)
  @Access('admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Revoke the seat's tokens; answers the new kiosk URL; the live stream ends (admin)" })
  revokeToken(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Param('seatId') seatId: string, @Req() req: BaseUrlRequest): Promise<KioskUrlView> {
    return this.seats.revokeToken(actor, examId, seatId, publicBaseUrl(this.config, req));
  }
}
