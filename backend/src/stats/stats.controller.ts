import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { ExamStatsView, StreamStatsView } from './stats.dto';
import { StatsService } from './stats.service';

/** Live statistics of a stream and of an exam (its proctors, admins). */
@ApiTags('stats')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('streams/:streamId/stats')
  @Access('proctor')
  @ApiOperation({
    summary: "Live figures of one stream: ingest bitrate and fps, fragment age, ack latency, backlog, storage, viewers with delivery latency (its exam's proctors, admins)",
  })
  @ApiOkResponse({ type: StreamStatsView })
  stream(@CurrentActor() actor: Actor, @Param('streamId') streamId: string): Promise<StreamStatsView> {
    return this.stats.stream(actor.principal!, streamId);
  }

  @Get('exams/:examId/stats')
  @Access('proctor')
  @ApiOperation({ summary: "Live figures of an exam: seats connected of expected, storage-failed streams, latencies over its streams (its proctors, admins)" })
  @ApiOkResponse({ type: ExamStatsView })
  exam(@CurrentActor() actor: Actor, @Param('examId') examId: string): Promise<ExamStatsView> {
    return this.stats.exam(actor.principal!, examId);
  }
}
