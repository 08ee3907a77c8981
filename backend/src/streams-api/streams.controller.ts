import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { StreamSummary } from '@vigil/protocol';
import { RelayService } from '../relay-nest/relay.service';
import { SetFpsDto } from './set-fps.dto';
import type { LiveStream } from '../relay/live-stream';
import type { SentinelStatusView } from '../relay/sentinel-status';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { ExamAccessService, scopeCovers } from '../auth/exam-access.service';
import { AuditService } from '../audit/audit.service';
import { StreamRecordsService } from '../stream-records/stream-records.service';
import { StreamRecordView } from '../exams-api/exams.dto';
import { stopNotice } from '../relay/stop-notice';

/**
 * REST control of live streams (thin: the relay core does the work). Proctors see and
 * nudge (keyframe) streams of their exams; frame rate and ending are for admins. A
 * stream of another exam answers 404 like a missing one.
 */
@ApiTags('streams')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/streams')
export class StreamsController {
  constructor(
    private readonly relay: RelayService,
    private readonly access: ExamAccessService,
    private readonly audit: AuditService,
    private readonly records: StreamRecordsService,
  ) {}

  /** Every live or recently disconnected stream the caller may watch, with its state. */
  @Get()
  @Access('proctor')
  @ApiOperation({ summary: 'Live and disconnected streams of the caller\'s exams (proctors: assigned, admins: all)' })
  async list(@CurrentActor() actor: Actor): Promise<StreamSummary[]> {
    const scope = await this.access.scope(actor.principal!);
    return this.relay.registry.summaries(Date.now()).filter((s) => scopeCovers(scope, s.examId));
  }

  /** One stream, with the Sentinel's latest status report. */
  @Get(':streamId')
  @Access('proctor')
  @ApiOperation({ summary: 'One live stream with the Sentinel status (its exam\'s proctors, admins)' })
  async get(@CurrentActor() actor: Actor, @Param('streamId') streamId: string): Promise<StreamSummary & { sentinelStatus: SentinelStatusView | null; bufferedBytes: number }> {
    const stream = await this.find(actor, streamId);
    return { ...stream.summary(Date.now()), sentinelStatus: stream.lastStatus?.toJSON() ?? null, bufferedBytes: stream.buffer.bytes };
  }

  /** The stream's database record with its state, resolution and fps history (also after it ended). */
  @Get(':streamId/history')
  @Access('proctor')
  @ApiOperation({ summary: 'A stream\'s record and history, also after it ended (its exam\'s proctors, admins)' })
  async history(@CurrentActor() actor: Actor, @Param('streamId') streamId: string): Promise<StreamRecordView> {
    const record = await this.records.get(streamId);
    if (!record || !scopeCovers(await this.access.scope(actor.principal!), record.examId)) throw notFound(streamId);
    return record;
  }

  /** Asks the Sentinel for an IDR frame now (coalesced and rate-limited). */
  @Post(':streamId/keyframe')
  @HttpCode(202)
  @Access('proctor')
  @ApiOperation({ summary: 'Ask the Sentinel for a keyframe now (its exam\'s proctors, admins)' })
  async keyframe(@CurrentActor() actor: Actor, @Param('streamId') streamId: string): Promise<{ requested: true }> {
    const stream = await this.find(actor, streamId);
    if (!stream.requestKeyframe('admin', Date.now())) {
      throw new ConflictException(`stream ${streamId} has no connected Sentinel; try again once it reconnects`);
    }
    await this.audit.record(actor, 'stream.keyframe', { type: 'stream', id: streamId }, { examId: stream.identity.examId });
    return { requested: true };
  }

  /** Sets the frame rate (0.2..5 fps); applies at once, or on reconnect if the Sentinel is away. */
  @Put(':streamId/fps')
  @Access('admin')
  @ApiOperation({ summary: 'Set one stream\'s frame rate, 0.2..5 fps (admin)' })
  async setFps(@CurrentActor() actor: Actor, @Param('streamId') streamId: string, @Body() body: SetFpsDto): Promise<{ fps: number; applied: boolean }> {
    const stream = await this.find(actor, streamId);
    const applied = stream.setFps(body.fps, 'admin');
    await this.audit.record(actor, 'stream.fps', { type: 'stream', id: streamId }, { examId: stream.identity.examId, fps: body.fps, applied });
    return { fps: body.fps, applied };
  }

  /**
   * Ends the stream now: memory freed, recording closed, viewers told, and the Sentinel sent
   * `stop` (it stops capturing and does not reconnect; a page reload starts a new stream
   * while the seat token is valid: revoke the token to prevent that).
   */
  @Post(':streamId/end')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({ summary: 'End a stream now: the Sentinel stops capturing and does not reconnect (admin)' })
  async end(@CurrentActor() actor: Actor, @Param('streamId') streamId: string): Promise<{ ended: true }> {
    const stream = await this.find(actor, streamId);
    await this.relay.registry.endStream(streamId, stopNotice('admin'));
    await this.audit.record(actor, 'stream.end', { type: 'stream', id: streamId }, { examId: stream.identity.examId, seatId: stream.identity.seatId });
    return { ended: true };
  }

  private async find(actor: Actor, streamId: string): Promise<LiveStream> {
    const stream = this.relay.registry.get(streamId);
    // a stream of another exam looks exactly like a missing one: ids cannot be probed
    if (!stream || !scopeCovers(await this.access.scope(actor.principal!), stream.identity.examId)) throw notFound(streamId);
    return stream;
  }
}

function notFound(streamId: string): NotFoundException {
  return new NotFoundException(`no live stream ${streamId.slice(0, 40)}; GET /api/streams lists them`);
}
