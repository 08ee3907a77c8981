import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { AcknowledgeAlertDto, AlertView } from './alerts.dto';
import { AlertsService } from './alerts.service';

/** Alerts raised by the server for an exam's streams, and their acknowledgement (its proctors, admins). */
@ApiTags('alerts')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get('exams/:examId/alerts')
  @Access('proctor')
  @ApiOperation({ summary: "An exam's alerts, newest first: Sentinel disconnected, recording failing, kiosk clock off (its proctors, admins)" })
  @ApiQuery({ name: 'open', required: false, description: '`true`: only alerts not yet acknowledged' })
  @ApiOkResponse({ type: [AlertView] })
  list(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Query('open') open?: string): Promise<AlertView[]> {
    return this.alerts.forExam(actor.principal!, examId, open === 'true');
  }

  @Post('alerts/:alertId/ack')
  @HttpCode(200)
  @Access('proctor')
  @ApiOperation({ summary: 'Acknowledge an alert with a note (kept with it and in the audit log as alert.ack)' })
  @ApiOkResponse({ type: AlertView })
  ack(@CurrentActor() actor: Actor, @Param('alertId', ParseIntPipe) alertId: number, @Body() body: AcknowledgeAlertDto): Promise<AlertView> {
    return this.alerts.acknowledge(actor, alertId, body.note);
  }
}
