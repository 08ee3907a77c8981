import { BadRequestException, Body, ConflictException, Controller, Delete, Get, GoneException, Header, HttpCode, HttpException, Inject, Ip, NotFoundException, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import parseRange from 'range-parser';
import { RecordingService } from '../recording/recording.service';
import { RecordingPart } from '../recording/recording-store';
import type { StreamMeta } from '../recording/recording-layout';
import { ApiBearerAuth, ApiQuery, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { ExamAccessService, scopeCovers } from '../auth/exam-access.service';
import { RelayService } from '../relay-nest/relay.service';
import type { DeletionRecord, RecordingRangeView, ShareLinkView } from '@vigil/api';
import { parseTimeRange } from './time-range';
import { recordingPlaylist } from './hls-playlist';
import { RecordingDeletionService } from '../recording/recording-deletion.service';
import { DeleteRecordingDto } from './delete-recording.dto';
import { exportMp4, planExport } from './recording-export';
import { TICKS_PER_SECOND } from '../relay/media-unit';
import { RecordingShareService } from './recording-share.service';
import { ShareRecordingDto } from './share-recording.dto';
import { publicBaseUrl, type BaseUrlRequest } from '../seats-api/public-base-url';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { rm } from 'node:fs/promises';

/** What these routes use of Express's request (`req.fresh`: a conditional GET matches the validators set). */
interface Request {
  headers: { range?: string };
  fresh: boolean;
}

/** What these routes use of Express's response. */
interface Response {
  setHeader(name: string, value: string): void;
  status(code: number): Response;
  end(): void;
  readonly headersSent: boolean;
  sendFile(path: string, options: { headers: Record<string, string>; dotfiles: 'deny' }, done: (err?: Error & { status?: number; headers?: Record<string, string> }) => void): void;
}

/**
 * Sends a stored file with Express (`Range`, `ETag`, `Last-Modified`, 304) and resolves when
 * it is done. An error `send` reports (416 for a `Range` past the end, with its
 * `Content-Range: bytes * /size`; a file gone meanwhile) is answered with its status: with a
 * callback Express leaves that to the caller, and the request would hang otherwise.
 */
function sendStoredFile(res: Response, path: string, headers: Record<string, string>): Promise<void> {
  return new Promise<void>((resolve) => {
    res.sendFile(path, { headers, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) {
        for (const [name, value] of Object.entries(err.headers ?? {})) res.setHeader(name, value);
        res.status(err.status ?? 500).end();
      }
      resolve();
    });
  });
}

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
    private readonly relay: RelayService,
    private readonly deletion: RecordingDeletionService,
    private readonly shares: RecordingShareService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  /**
   * A signed, short-lived playback link for `[fromMs, toMs]` of this recording that an
   * external reviewer opens without an account (admin or the exam's proctor). Audited.
   */
  @Post(':streamId/share')
  @HttpCode(201)
  @ApiOperation({ summary: 'A signed, short-lived playback link for a time range, no account needed to open it (its exam\'s proctors, admins)' })
  async share(
    @CurrentActor() actor: Actor,
    @Param('streamId') streamId: string,
    @Body() body: ShareRecordingDto,
    @Req() req: BaseUrlRequest,
  ): Promise<ShareLinkView> {
    if (body.toMs < body.fromMs) throw new BadRequestException('toMs must not be before fromMs: swap them');
    await this.meta(actor, streamId);
    return this.shares.create(actor, streamId, { fromMs: body.fromMs, toMs: body.toMs }, body.minutes ?? 60, publicBaseUrl(this.config, req));
  }

  /**
   * Deletes a recording (admin, with a reason): its files go, a deletion record (who, when,
   * why, files, bytes, SHA-256 over the deleted bytes) goes into the audit log, and every
   * route of the recording answers 410 Gone with that record afterwards.
   * @throws ConflictException (409) while the stream is live: end it first
   */
  @Delete(':streamId')
  @Access('admin')
  @ApiOperation({ summary: 'Delete a recording with a reason; a deletion record is kept and its routes answer 410 (admin)' })
  async remove(@CurrentActor() actor: Actor, @Param('streamId') streamId: string, @Body() body: DeleteRecordingDto): Promise<DeletionRecord> {
    await this.meta(actor, streamId);
    const record = await this.deletion.delete(actor, streamId, body.reason);
    if (!record) throw new NotFoundException(`no recording for stream ${streamId.slice(0, 40)}`);
    return record;
  }

  /**
   * The recording between `from` and `to` (ISO 8601 with a zone, or ms since the Unix epoch;
   * absent = the whole recording): segments overlapping the range with their wall-clock start
   * and end (capture clock, `prft`), `tfdt`, join flag and the init segment each decodes
   * with; the init segments (resolution, codec); and the gaps with their reason. Works on a
   * recording that is still growing. The index is parsed once and searched (binary search).
   */
  @Get(':streamId/index')
  @ApiOperation({ summary: "A recording's segments, init segments and gaps between two moments (its exam's proctors, admins)" })
  async timeRange(
    @CurrentActor() actor: Actor,
    @Param('streamId') streamId: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
  ): Promise<RecordingRangeView> {
    const { fromMs, toMs } = parseTimeRange(from, to);
    await this.meta(actor, streamId);
    const timeline = await this.recordings.store.timeline(streamId);
    const stream = this.relay.registry.get(streamId);
    const live = !!stream && stream.state !== 'ended';
    const range = timeline.range(fromMs, toMs);
    let extent = timeline.extent();
    const newest = timeline.newest;
    if (!live && extent && newest && newest.endMs === null) {
      // the recording is over: its newest segment ends with its last fragment (tfdt + duration)
      const mediaEnd = await this.recordings.store.segmentMediaEnd(streamId, newest.file);
      const endMs = newest.startMs + ((mediaEnd - newest.decodeTime) * 1000) / TICKS_PER_SECOND;
      extent = { ...extent, toMs: endMs };
      range.segments = range.segments.map((s) => (s === newest ? { ...s, endMs } : s));
    }
    return { streamId, live, extent, ...range };
  }

  /** Every recorded stream's metadata the caller may see, newest first. */
  @Get()
  @ApiOperation({ summary: "Recordings of the caller's exams, newest first (proctors: assigned, admins: all); ?examId= for one exam" })
  @ApiQuery({ name: 'examId', required: false, description: "only this exam's recordings (404 for an exam that is not the caller's)" })
  async list(@CurrentActor() actor: Actor, @Query('examId') examId?: string): Promise<StreamMeta[]> {
    if (examId !== undefined) {
      await this.access.requireExam(actor.principal!, examId);
      return (await this.recordings.store.listRecordings()).filter((m) => m.examId === examId);
    }
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
   * An HLS media playlist (RFC 8216, version 7, fMP4) of the recording between `from` and
   * `to` (as for the index; absent = all): the stored files are the segments, `EXT-X-MAP` per
   * init segment, `EXT-X-DISCONTINUITY` at init changes and gaps, `EXT-X-PROGRAM-DATE-TIME`
   * on each segment. `EVENT` while the stream is live (the growing newest segment is left
   * out until it is complete), `VOD` once it ended. Segment URIs are relative
   * (`files/<file>`), so the caller's cookie or key reaches them too.
   */
  @Get(':streamId/playlist.m3u8')
  @Header('Content-Type', 'application/vnd.apple.mpegurl')
  @Header('Cache-Control', 'no-cache')
  @ApiOperation({ summary: "An HLS playlist of a recording between two moments (its exam's proctors, admins)" })
  async playlist(
    @CurrentActor() actor: Actor,
    @Param('streamId') streamId: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
  ): Promise<string> {
    const { fromMs, toMs } = parseTimeRange(from, to);
    await this.meta(actor, streamId);
    const stream = this.relay.registry.get(streamId);
    return recordingPlaylist(this.recordings.store, streamId, fromMs, toMs, !!stream && stream.state !== 'ended');
  }

  /**
   * One regular MP4 of the recording between `from` and `to` that any player opens
   * (ffprobe, Chromium `<video>`, VLC): from the join fragment at or before `from` (an IDR
   * picture) to `to`, remuxed without re-encoding (mediabunny), timeline from 0, the first
   * frame's capture time as its creation date. A range that crosses an init change
   * (resolution or SPS/PPS change) answers **409** `{ code: 'init-change', parts }` with one
   * export URL per part instead of joining pictures of different sizes into one track.
   */
  @Get(':streamId/export.mp4')
  @ApiOperation({ summary: "One MP4 of a recording between two moments, remuxed (its exam's proctors, admins)" })
  async exportRange(
    @CurrentActor() actor: Actor,
    @Param('streamId') streamId: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const { fromMs, toMs } = parseTimeRange(from, to);
    await this.meta(actor, streamId);
    const timeline = await this.recordings.store.timeline(streamId);
    const plan = planExport(timeline.range(fromMs, toMs), timeline.range(0, Number.MAX_SAFE_INTEGER).segments);
    if (plan.kind === 'empty') throw new NotFoundException(`stream ${streamId} has nothing recorded between ${new Date(fromMs).toISOString()} and ${new Date(Math.min(toMs, 8.64e15)).toISOString()}`);
    if (plan.kind === 'parts') {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        code: 'init-change',
        message: `the range crosses ${plan.parts.length - 1} init change(s) (resolution or encoder settings): export each part on its own`,
        parts: plan.parts.map((p) => ({ ...p, url: `/api/recordings/${streamId}/export.mp4?from=${p.fromMs}${p.toMs === null ? '' : `&to=${p.toMs}`}` })),
      });
    }
    const file = await exportMp4(this.recordings.store, streamId, plan);
    const name = `${streamId}-${new Date(plan.startMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.mp4`;
    await sendStoredFile(res, file, { 'Content-Type': 'video/mp4', 'Content-Disposition': `attachment; filename="${name}"` });
    await rm(file, { force: true });
  }

  /**
   * One playable fMP4 file: the part's init segment followed by all its segments, streamed
   * from disk. `part` (0-based) picks a run of segments with one init segment (default 0).
   * Answers `Range: bytes=` (one range; RFC 9110 §14) with 206, and carries a weak `ETag`
   * (total size and newest change) and `Last-Modified`, so a conditional GET gets 304.
   */
  @Get(':streamId/recording.mp4')
  @ApiOperation({ summary: 'One playable fMP4 file of a recording part (its exam\'s proctors, admins)' })
  async recording(
    @CurrentActor() actor: Actor,
    @Param('streamId') streamId: string,
    @Query('part') partParam: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile | undefined> {
    await this.meta(actor, streamId);
    const part = partParam === undefined ? 0 : Number(partParam);
    if (!Number.isInteger(part) || part < 0) throw new BadRequestException('part must be a whole number >= 0');
    const parts = await this.recordings.store.parts(streamId);
    const chosen = parts[part];
    if (!chosen) throw new NotFoundException(`stream ${streamId} has ${parts.length} part(s); part ${part} does not exist`);
    const paths = [chosen.init.file, ...chosen.segments.map((s) => s.file)].map((f) => this.recordings.store.filePath(streamId, f));
    const files = await Promise.all(paths.map(async (p) => ({ path: p, ...(await stat(p).then((s) => ({ size: s.size, mtimeMs: s.mtimeMs }))) })));
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const newest = Math.max(...files.map((f) => f.mtimeMs));
    res.setHeader('ETag', `W/"${total.toString(16)}-${Math.floor(newest).toString(16)}-${files.length.toString(16)}"`);
    res.setHeader('Last-Modified', new Date(newest).toUTCString());
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Disposition', `inline; filename="${streamId}-part${part}.mp4"`);
    if (req.fresh) {
      res.status(304);
      return undefined;
    }
    let start = 0;
    let end = total - 1;
    const header = req.headers.range;
    if (header !== undefined && total > 0) {
      const ranges = parseRange(total, header, { combine: true });
      if (ranges === -1) {
        res.status(416).setHeader('Content-Range', `bytes */${total}`);
        throw new RangeNotSatisfiable(total);
      }
      if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
        ({ start, end } = ranges[0]);
        res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${total}`);
      }
    }
    const out = new PassThrough();
    void (async () => {
      try {
        let offset = 0;
        for (const f of files) {
          const from = Math.max(start, offset);
          const to = Math.min(end, offset + f.size - 1);
          if (from <= to) await pipeline(createReadStream(f.path, { start: from - offset, end: to - offset }), out, { end: false });
          offset += f.size;
        }
        out.end();
      } catch (e) {
        out.destroy(e as Error);
      }
    })();
    return new StreamableFile(out, { type: 'video/mp4', length: Math.max(0, end - start + 1) });
  }

  /**
   * One init or segment file as stored, sent by Express (`res.sendFile`: `Range` requests,
   * weak `ETag`, `Last-Modified`, conditional GET). The newest segment of a live stream grows.
   */
  @Get(':streamId/files/:file')
  @ApiOperation({ summary: "One stored init or segment file (its exam's proctors, admins)" })
  async file(@CurrentActor() actor: Actor, @Param('streamId') streamId: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    await this.meta(actor, streamId);
    let path: string;
    try {
      path = this.recordings.store.filePath(streamId, file);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    if ((await this.recordings.store.fileSize(path)) === null) throw new NotFoundException(`no file ${file}`);
    await sendStoredFile(res, path, { 'Content-Type': file.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment' });
  }

  private async meta(actor: Actor, streamId: string): Promise<StreamMeta> {
    let meta: StreamMeta | null;
    try {
      meta = await this.recordings.store.readMeta(streamId);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    const scope = await this.access.scope(actor.principal!);
    if (!meta) {
      // deleted: 410 with the deletion record, for callers who may see its exam
      const deleted = await this.deletion.deletionOf(streamId);
      if (deleted && scopeCovers(scope, deleted.examId)) {
        throw new GoneException({ statusCode: 410, error: 'Gone', message: `the recording of stream ${streamId} was deleted`, deletion: deleted });
      }
    }
    // another exam's recording looks exactly like a missing one: ids cannot be probed
    if (!meta || !scopeCovers(scope, meta.examId)) {
      throw new NotFoundException(`no recording for stream ${streamId.slice(0, 40)}; GET /api/recordings lists yours`);
    }
    return meta;
  }
}

/** 416 Range Not Satisfiable (RFC 9110 §15.5.17). */
class RangeNotSatisfiable extends HttpException {
  constructor(total: number) {
    super(`the requested range is outside the file's ${total} bytes`, 416);
  }
}

/** `DELETE /api/exams/:examId/recordings`: every recording of an exam (admin, with a reason). */
@ApiTags('recordings')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/exams')
export class ExamRecordingsController {
  constructor(
    private readonly recordings: RecordingService,
    private readonly deletion: RecordingDeletionService,
  ) {}

  /**
   * Deletes every recording of the exam (a deletion record each, see
   * {@link RecordingsController.remove}). Live streams of the exam are left (409 names them).
   */
  @Delete(':examId/recordings')
  @Access('admin')
  @ApiOperation({ summary: "Delete every recording of an exam with a reason; deletion records are kept (admin)" })
  async removeAll(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Body() body: DeleteRecordingDto): Promise<{ deleted: DeletionRecord[] }> {
    const metas = (await this.recordings.store.listRecordings()).filter((m) => m.examId === examId);
    this.deletion.assertNotLive(metas.map((m) => m.streamId)); // all or nothing
    const deleted: DeletionRecord[] = [];
    for (const meta of metas) {
      const record = await this.deletion.delete(actor, meta.streamId, body.reason);
      if (record) deleted.push(record);
    }
    return { deleted };
  }
}

/**
 * Share links (`/api/shared/:token/…`): no account, the signed token is the credential. It
 * covers one stream and one time range until it expires: `recording.mp4` (one MP4 of the
 * range), `playlist.m3u8` (HLS) and the stored files that playlist names, nothing else.
 * 403 for a forged token, 410 once expired or when the recording was deleted.
 */
@ApiTags('recordings')
@Controller('api/shared')
@Access('public')
export class SharedRecordingsController {
  constructor(
    private readonly recordings: RecordingService,
    private readonly shares: RecordingShareService,
    private readonly relay: RelayService,
  ) {}

  @Get(':token/recording.mp4')
  @ApiOperation({ summary: 'The shared range as one MP4 (share-link token, no account)' })
  async recording(@Param('token') token: string, @Ip() ip: string, @Res() res: Response): Promise<void> {
    const claims = await this.claims(token);
    const timeline = await this.recordings.store.timeline(claims.streamId);
    const plan = planExport(timeline.range(claims.fromMs, claims.toMs), timeline.range(0, Number.MAX_SAFE_INTEGER).segments);
    if (plan.kind === 'empty') throw new NotFoundException('nothing was recorded in the shared range');
    if (plan.kind === 'parts') throw new ConflictException({ statusCode: 409, error: 'Conflict', code: 'init-change', message: 'the shared range crosses a resolution change: open playlist.m3u8 instead', parts: plan.parts });
    await this.shares.recordUse(claims, 'recording.mp4', ip ?? null);
    const file = await exportMp4(this.recordings.store, claims.streamId, plan);
    await sendStoredFile(res, file, { 'Content-Type': 'video/mp4', 'Cache-Control': 'private, no-store' });
    await rm(file, { force: true });
  }

  @Get(':token/playlist.m3u8')
  @Header('Content-Type', 'application/vnd.apple.mpegurl')
  @Header('Cache-Control', 'private, no-cache')
  @ApiOperation({ summary: 'The shared range as an HLS playlist (share-link token, no account)' })
  async playlist(@Param('token') token: string, @Ip() ip: string): Promise<string> {
    const claims = await this.claims(token);
    await this.shares.recordUse(claims, 'playlist.m3u8', ip ?? null);
    const stream = this.relay.registry.get(claims.streamId);
    return recordingPlaylist(this.recordings.store, claims.streamId, claims.fromMs, claims.toMs, !!stream && stream.state !== 'ended');
  }

  @Get(':token/files/:file')
  @ApiOperation({ summary: 'A stored file named by the shared playlist (share-link token, no account)' })
  async file(@Param('token') token: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    const claims = await this.claims(token);
    const range = (await this.recordings.store.timeline(claims.streamId)).range(claims.fromMs, claims.toMs);
    const allowed = new Set([...range.segments.map((s) => s.file), ...range.segments.map((s) => s.init)]);
    if (!allowed.has(file)) throw new NotFoundException(`${file.slice(0, 80)} is not part of the shared range`);
    const path = this.recordings.store.filePath(claims.streamId, file);
    await sendStoredFile(res, path, { 'Content-Type': file.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment', 'Cache-Control': 'private, no-cache' });
  }

  private async claims(token: string) {
    const claims = await this.shares.verify(token);
    if (!(await this.recordings.store.readMeta(claims.streamId).catch(() => null))) throw new GoneException('the shared recording no longer exists');
    return claims;
  }
}
