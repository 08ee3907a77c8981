import { BadRequestException, Controller, Get, NotFoundException, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RecordingService } from './recording.service';
import { RecordingPart } from '../recording/recording-store';
import type { StreamMeta } from '../recording/recording-layout';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { ExamAccessService, scopeCovers } from '../auth/exam-access.service';

/**
 * History over HTTP: recordings index and files, straight from disk. Proctors see the
 * recordings of their exams; another exam's recording answers 404 like a missing one.
 */
@ApiTags('recordings')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/recordings')
@Access('proctor')
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingService,
    private readonly access: ExamAccessService,
  ) {}

  /** Every recorded stream's metadata the caller may see, newest first. */
  @Get()
  @ApiOperation({ summary: "Recordings of the caller's exams, newest first (proctors: assigned, admins: all)" })
  async list(@CurrentActor() actor: Actor): Promise<StreamMeta[]> {
    const scope = await this.access.scope(actor.principal!);
    return (await this.recordings.store.listRecordings()).filter((m) => scopeCovers(scope, m.examId));
  }

  /** A stream's metadata and its parts (init segment + segments with start times). */
  @Get(':streamId')
  @ApiOperation({ summary: "A recording's metadata and parts (its exam's proctors, admins)" })
  async index(@CurrentActor() actor: Actor, @Param('streamId') streamId: string): Promise<{ meta: StreamMeta; parts: RecordingPart[] }> {
    const meta = await this.meta(actor, streamId);
    return { meta, parts: await this.recordings.store.parts(streamId) };
  }

  /**
   * One playable fMP4 file: the part's init segment followed by all its segments, streamed
   * from disk. `part` (0-based) picks a run of segments with one init segment (default 0).
   */
  @Get(':streamId/recording.mp4')
  @ApiOperation({ summary: 'One playable fMP4 file of a recording part (its exam\'s proctors, admins)' })
  async recording(
    @CurrentActor() actor: Actor,
    @Param('streamId') streamId: string,
    @Query('part') partParam: string | undefined,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<StreamableFile> {
    await this.meta(actor, streamId);
    const part = partParam === undefined ? 0 : Number(partParam);
    if (!Number.isInteger(part) || part < 0) throw new BadRequestException('part must be a whole number >= 0');
    const parts = await this.recordings.store.parts(streamId);
    const chosen = parts[part];
    if (!chosen) throw new NotFoundException(`stream ${streamId} has ${parts.length} part(s); part ${part} does not exist`);
    const files = [chosen.init.file, ...chosen.segments.map((s) => s.file)].map((f) => this.recordings.store.filePath(streamId, f));
    const out = new PassThrough();
    void (async () => {
      try {
        for (const file of files) await pipeline(createReadStream(file), out, { end: false });
        out.end();
      } catch (e) {
        out.destroy(e as Error);
      }
    })();
    res.setHeader('Content-Disposition', `inline; filename="${streamId}-part${part}.mp4"`);
    return new StreamableFile(out, { type: 'video/mp4' });
  }

  /** One init or segment file as stored. */
  @Get(':streamId/files/:file')
  @ApiOperation({ summary: "One stored init or segment file (its exam's proctors, admins)" })
  async file(@CurrentActor() actor: Actor, @Param('streamId') streamId: string, @Param('file') file: string): Promise<StreamableFile> {
    await this.meta(actor, streamId);
    let path: string;
    try {
      path = this.recordings.store.filePath(streamId, file);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    if ((await this.recordings.store.fileSize(path)) === null) throw new NotFoundException(`no file ${file}`);
    return new StreamableFile(createReadStream(path), { type: file.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment' });
  }

  private async meta(actor: Actor, streamId: string): Promise<StreamMeta> {
    let meta: StreamMeta | null;
    try {
      meta = await this.recordings.store.readMeta(streamId);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    // another exam's recording looks exactly like a missing one: ids cannot be probed
    if (!meta || !scopeCovers(await this.access.scope(actor.principal!), meta.examId)) {
      throw new NotFoundException(`no recording for stream ${streamId.slice(0, 40)}; GET /api/recordings lists yours`);
    }
    return meta;
  }
}
