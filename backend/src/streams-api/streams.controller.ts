import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, ConflictException } from '@nestjs/common';
import type { StreamSummary } from '@vigil/protocol';
import { RelayService } from '../relay-nest/relay.service';
import { SetFpsDto } from './set-fps.dto';
import type { LiveStream } from '../relay/live-stream';

/** REST control of live streams (thin: the relay core does the work). */
@Controller('api/streams')
export class StreamsController {
  constructor(private readonly relay: RelayService) {}

  /** Every live or recently disconnected stream with its state. */
  @Get()
  list(): StreamSummary[] {
    return this.relay.registry.summaries(Date.now());
  }

  /** One stream, with the Sentinel's latest status report. */
  @Get(':streamId')
  get(@Param('streamId') streamId: string): StreamSummary & { sentinelStatus: unknown; bufferedBytes: number } {
    const stream = this.find(streamId);
    return { ...stream.summary(Date.now()), sentinelStatus: stream.lastStatus, bufferedBytes: stream.buffer.bytes };
  }

  /** Asks the Sentinel for an IDR frame now (coalesced and rate-limited). */
  @Post(':streamId/keyframe')
  @HttpCode(202)
  keyframe(@Param('streamId') streamId: string): { requested: true } {
    const stream = this.find(streamId);
    if (!stream.requestKeyframe('admin', Date.now())) {
      throw new ConflictException(`stream ${streamId} has no connected Sentinel; try again once it reconnects`);
    }
    return { requested: true };
  }

  /** Sets the frame rate (0.2..5 fps); applies at once, or on reconnect if the Sentinel is away. */
  @Put(':streamId/fps')
  setFps(@Param('streamId') streamId: string, @Body() body: SetFpsDto): { fps: number; applied: boolean } {
    const stream = this.find(streamId);
    const applied = stream.setFps(body.fps, 'admin');
    return { fps: body.fps, applied };
  }

  private find(streamId: string): LiveStream {
    const stream = this.relay.registry.get(streamId);
    if (!stream) throw new NotFoundException(`no live stream ${streamId}; GET /api/streams lists them`);
    return stream;
  }
}
