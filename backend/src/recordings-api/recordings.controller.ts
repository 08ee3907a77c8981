import { BadRequestException, Controller, Get, NotFoundException, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RecordingService } from './recording.service';
import { RecordingPart } from '../recording/recording-store';
import type { StreamMeta } from '../recording/recording-layout';

/** History over HTTP: recordings index and files, straight from disk. */
@Controller('api/recordings')
export class RecordingsController {
  constructor(private readonly recordings: RecordingService) {}

  /** Every recorded stream's metadata, newest first. */
  @Get()
  list(): Promise<StreamMeta[]> {
    return this.recordings.store.listRecordings();
  }

  /** A stream's metadata and its parts (init segment + segments with start times). */
  @Get(':streamId')
  async index(@Param('streamId') streamId: string): Promise<{ meta: StreamMeta; parts: RecordingPart[] }> {
    const meta = await this.meta(streamId);
    return { meta, parts: await this.recordings.store.parts(streamId) };
  }

  /**
   * One playable fMP4 file: the part's init segment followed by all its segments, streamed
   * from disk. `part` (0-based) picks a run of segments with one init segment (default 0).
   */
  @Get(':streamId/recording.mp4')
  async recording(
    @Param('streamId') streamId: string,
    @Query('part') partParam: string | undefined,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<StreamableFile> {
    await this.meta(streamId);
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
  async file(@Param('streamId') streamId: string, @Param('file') file: string): Promise<StreamableFile> {
    await this.meta(streamId);
    let path: string;
    try {
      path = this.recordings.store.filePath(streamId, file);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    if ((await this.recordings.store.fileSize(path)) === null) throw new NotFoundException(`no file ${file}`);
    return new StreamableFile(createReadStream(path), { type: file.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment' });
  }

  private async meta(streamId: string): Promise<StreamMeta> {
    let meta: StreamMeta | null;
    try {
      meta = await this.recordings.store.readMeta(streamId);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    if (!meta) throw new NotFoundException(`no recording for stream ${streamId}`);
    return meta;
  }
}
