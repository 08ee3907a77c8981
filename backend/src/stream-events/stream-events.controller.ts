import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { parseTimeRange } from '../recordings-api/time-range';
import { ExamAppEventDto, ExamAppEventResultView, ProctorEventDto, StreamEventViewDto, StreamEventsViewDto } from './stream-events.dto';
import { StreamEventsService } from './stream-events.service';

/** The bearer token of an `Authorization` header ('' when there is none). */
export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1] ?? '';
}

/** The event track: a stream's time-aligned events, proctors' flags and notes, and an exam application's events. */
@ApiTags('events')
@Controller('api')
export class StreamEventsController {
  constructor(private readonly events: StreamEventsService) {}

  @Post('sentinel/events')
  @HttpCode(201)
  @Access('public')
  @ApiHeader({ name: 'Authorization', required: true, description: "Bearer <seat token> (the #token=… of the seat's kiosk URL)" })
  @ApiOperation({
    summary: "An exam application (LMS, exam page) reports an event of a seat with the seat's token: it goes to the seat's live (else latest) stream's event track, source exam-app",
    description: '401: no, malformed, forged or revoked token; 403: outside the exam window; 409: the seat has no stream yet; 429: over VIGIL_EXAM_APP_EVENTS_PER_MINUTE for the seat.',
  })
  @ApiCreatedResponse({ type: ExamAppEventResultView })
  examApp(@Headers('authorization') authorization: string | undefined, @Body() body: ExamAppEventDto): Promise<ExamAppEventResultView> {
    return this.events.examAppEvent(bearerToken(authorization), body);
  }

  @Get('recordings/:streamId/events')
  @Access('proctor')
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOperation({ summary: "A recording's events between two moments, oldest first: server, Sentinel, exam application and proctors' (its exam's proctors, admins)" })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601 with a zone, or ms since the Unix epoch; absent = the start' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601 with a zone, or ms since the Unix epoch; absent = the end' })
  @ApiOkResponse({ type: StreamEventsViewDto })
  list(
    @CurrentActor() actor: Actor,
    @Param('streamId') streamId: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
  ): Promise<StreamEventsViewDto> {
    const { fromMs, toMs } = parseTimeRange(from, to);
    return this.events.eventsOf(actor, streamId, fromMs, toMs);
  }

  @Post('recordings/:streamId/events')
  @HttpCode(201)
  @Access('proctor')
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOperation({ summary: "A proctor's flag or note on a moment of a recording, kept with who and when, audited as recording.event (its exam's proctors, admins)" })
  @ApiCreatedResponse({ type: StreamEventViewDto })
  create(@CurrentActor() actor: Actor, @Param('streamId') streamId: string, @Body() body: ProctorEventDto): Promise<StreamEventViewDto> {
    return this.events.proctorEvent(actor, streamId, body);
  }
}
