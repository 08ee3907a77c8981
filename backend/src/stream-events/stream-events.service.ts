import { BadRequestException, ConflictException, ForbiddenException, HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { EventMessage } from '@vigil/protocol';
import type { CreateProctorEventBody, ExamAppEventBody, ExamAppEventResult, StreamEventView, StreamEventsView } from '@vigil/api';
import { AuditService } from '../audit/audit.service';
import { ExamAccessService, scopeCovers } from '../auth/exam-access.service';
import type { Actor } from '../auth/principal';
import { errorText } from '../common/error-text';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { DatabaseService } from '../db/database.service';
import type { StreamMeta } from '../recording/recording-layout';
import { RecordingService } from '../recording/recording.service';
import { RelayService } from '../relay-nest/relay.service';
import type { LiveStream } from '../relay/live-stream';
import { SeatTokenService } from '../seats-api/seat-token.service';
import type { SentinelConditions } from '../alerts/alert-rules';
import { nodeEventFileSource } from './event-file-source';
import { eventLine } from './event-track';
import { EventTrackCache } from './event-track-index';
import { SentinelConditionTracker } from './sentinel-conditions';
import { KeyedRateLimiter, TokenBucket } from './token-bucket';

/** Most bytes of an `events.jsonl` answered from (its newest part): 16 MiB, about 100,000 events. */
export const EVENTS_READ_MAX_BYTES = 16 * 1024 * 1024;
/** Streams whose event track is kept parsed in memory (least recently asked for dropped first). */
export const EVENTS_CACHE_MAX_STREAMS = 256;
/** Lines' bytes kept parsed over all streams, bytes (32 MiB; the parsed form takes a few times that). */
export const EVENTS_CACHE_MAX_BYTES = 32 * 1024 * 1024;
/** Most events in one answer of `GET /api/recordings/:streamId/events`. */
export const EVENTS_ANSWER_MAX = 10_000;
/** Exam application events may carry a time this far back, ms (10 min). */
export const EXAM_APP_MAX_AGE_MS = 10 * 60_000;
/** … or this far ahead (the application's clock a little ahead), ms. */
export const EXAM_APP_MAX_AHEAD_MS = 60_000;
/** A proctor's flags and notes per minute (all streams together). */
export const PROCTOR_EVENTS_PER_MINUTE = 120;
/** Pages remembered per stream for dropping resent events (a reload makes a new page). */
const PAGES_PER_STREAM = 8;
/** At most one `events-dropped` line per stream this often, ms. */
const DROP_NOTE_INTERVAL_MS = 60_000;

/** What the server keeps per stream of its Sentinel's events (O(1) memory each). */
interface SentinelStreamState {
  /** Highest `seq` handled per page id (at most {@link PAGES_PER_STREAM} pages). */
  pages: Map<string, number>;
  bucket: TokenBucket;
  /** Events dropped by the rate limit since the last `events-dropped` line. */
  dropped: number;
  droppedNotedAtMs: number;
  tracker: SentinelConditionTracker;
}

/** What became of one Sentinel event. */
export type SentinelEventOutcome = 'stored' | 'duplicate' | 'dropped';

/**
 * The event track of streams (issue 11 part 5): Sentinel `event` messages (deduplicated,
 * rate-limited per stream, tracked as conditions for the alerts), an exam application's events
 * (seat token), proctors' flags and notes (audited), all appended to the stream's
 * `events.jsonl`; and the track of a time range. The pure parts: `event-track.ts`,
 * `sentinel-conditions.ts`, `token-bucket.ts`.
 */
@Injectable()
export class StreamEventsService {
  private readonly logger = new Logger('StreamEvents');
  private readonly sentinel = new Map<string, SentinelStreamState>();
  private readonly examAppLimiter: KeyedRateLimiter;
  private readonly proctorLimiter = new KeyedRateLimiter(PROCTOR_EVENTS_PER_MINUTE, PROCTOR_EVENTS_PER_MINUTE, 10_000);
  /** The tracks asked for last, parsed: a request reads only what was appended since (`event-track-index.ts`). */
  private readonly tracks: EventTrackCache;

  constructor(
    private readonly relay: RelayService,
    private readonly recordings: RecordingService,
    private readonly database: DatabaseService,
    private readonly seatTokens: SeatTokenService,
    private readonly access: ExamAccessService,
    private readonly audit: AuditService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {
    this.examAppLimiter = new KeyedRateLimiter(config.examAppEventsPerMinute, config.examAppEventsPerMinute, 100_000);
    this.tracks = new EventTrackCache(nodeEventFileSource((id) => recordings.store.streamDir(id)), {
      windowBytes: EVENTS_READ_MAX_BYTES,
      maxStreams: EVENTS_CACHE_MAX_STREAMS,
      maxBytes: EVENTS_CACHE_MAX_BYTES,
    });
  }

  /**
   * A Sentinel's `event` on its stream: dropped when its page sent that `seq` already (a resend
   * after a reconnect) or when the stream is over its `VIGIL_SENTINEL_EVENTS_PER_MINUTE`
   * (counted, and noted as one `events-dropped` line a minute at most); else tracked for the
   * alerts and appended to `events.jsonl` (source `sentinel`). Never throws; O(1) memory per stream.
   */
  sentinelEvent(stream: LiveStream, event: EventMessage, nowMs = Date.now()): SentinelEventOutcome {
    const state = this.stateOf(stream.streamId);
    const last = state.pages.get(event.page);
    if (last !== undefined && event.seq <= last) return 'duplicate';
    state.pages.delete(event.page);
    state.pages.set(event.page, event.seq);
    if (state.pages.size > PAGES_PER_STREAM) state.pages.delete(state.pages.keys().next().value!);
    if (!state.bucket.take(nowMs)) {
      state.dropped++;
      if (nowMs - state.droppedNotedAtMs >= DROP_NOTE_INTERVAL_MS) {
        this.logger.warn(`stream ${stream.streamId}: Sentinel events over ${this.config.sentinelEventsPerMinute}/min: ${state.dropped} dropped`);
        this.write(stream.streamId, eventLine({ atMs: nowMs, source: 'server', type: 'events-dropped', detail: { count: state.dropped, perMinute: this.config.sentinelEventsPerMinute } }));
        state.dropped = 0;
        state.droppedNotedAtMs = nowMs;
      }
      return 'dropped';
    }
    state.tracker.apply(event, nowMs);
    this.write(
      stream.streamId,
      eventLine({ atMs: event.atMs, source: 'sentinel', type: event.kind, receivedAtMs: nowMs, detail: { ...(event.detail ?? {}), page: event.page, seq: event.seq } }),
    );
    return 'stored';
  }

  /** What the stream's Sentinel reported, for the alert rules; undefined when it reported nothing. */
  conditionsOf(streamId: string): SentinelConditions | undefined {
    return this.sentinel.get(streamId)?.tracker.conditions;
  }

  /** Forgets the Sentinel state of streams the relay no longer holds (called by the alert check). */
  retainOnly(streamIds: ReadonlySet<string>): void {
    for (const id of this.sentinel.keys()) if (!streamIds.has(id)) this.sentinel.delete(id);
  }

  /**
   * An exam application's event, authenticated with the seat token: appended to the seat's
   * current stream (live), else its latest one, as source `exam-app`.
   * @throws UnauthorizedException (401) for a missing, malformed, forged or revoked token;
   *   ForbiddenException (403) outside the exam window; HttpException 429 over
   *   `VIGIL_EXAM_APP_EVENTS_PER_MINUTE` for the seat; BadRequestException for a time too far
   *   off; ConflictException (409) when the seat has no stream yet
   */
  async examAppEvent(token: string, body: ExamAppEventBody, nowMs = Date.now()): Promise<ExamAppEventResult> {
    const seat = await this.seatTokens.verifyForRest(token, nowMs);
    if (!seat.ok) throw seat.why === 'invalid' ? new UnauthorizedException(seat.message) : new ForbiddenException(seat.message);
    if (!this.examAppLimiter.take(`${seat.examId}/${seat.seatId}`, nowMs)) {
      throw new HttpException(
        { statusCode: 429, error: 'Too Many Requests', message: `at most ${this.config.examAppEventsPerMinute} events a minute per seat: send fewer (batch or summarise)` },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const atMs = body.atMs ?? nowMs;
    if (atMs < nowMs - EXAM_APP_MAX_AGE_MS || atMs > nowMs + EXAM_APP_MAX_AHEAD_MS) {
      throw new BadRequestException(`atMs must be within the last 10 minutes (or 1 minute ahead) of the server's clock (${new Date(nowMs).toISOString()}); leave it out to use the time of arrival`);
    }
    const streamId = await this.seatStream(seat.examId, seat.seatId);
    if (streamId === null) throw new ConflictException('this seat has no stream yet: events are kept with a recording, start the Sentinel first');
    const line = eventLine({ atMs, source: 'exam-app', type: body.kind, receivedAtMs: nowMs, detail: body.text === undefined ? {} : { text: body.text } });
    if (!(await this.recordings.appendEvent(streamId, line, true))) throw new ConflictException('this seat has no recording yet: start the Sentinel first');
    return { streamId, atMs };
  }

  /**
   * A proctor's flag or note on a moment of a recording (its exam's proctors, admins), with who
   * and when; durable, audited as `recording.event`.
   * @throws NotFoundException (404) for a recording that does not exist or is another exam's;
   *   HttpException 429 past {@link PROCTOR_EVENTS_PER_MINUTE}
   */
  async proctorEvent(actor: Actor, streamId: string, body: CreateProctorEventBody, nowMs = Date.now()): Promise<StreamEventView> {
    const meta = await this.recordingOf(actor, streamId);
    const by = actor.principal!.email;
    if (!this.proctorLimiter.take(actor.principal!.userId, nowMs)) {
      throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: `at most ${PROCTOR_EVENTS_PER_MINUTE} flags and notes a minute` }, HttpStatus.TOO_MANY_REQUESTS);
    }
    const view: StreamEventView = { atMs: body.atMs, source: 'proctor', type: body.kind, detail: { text: body.text }, by, receivedAtMs: nowMs };
    if (!(await this.recordings.appendEvent(streamId, eventLine(view), true))) throw this.notFound(streamId);
    await this.audit.record(actor, 'recording.event', { type: 'stream', id: streamId }, { examId: meta.examId, seatId: meta.seatId, kind: body.kind, atMs: body.atMs, text: body.text });
    return view;
  }

  /**
   * The events of a recording in `[fromMs, toMs]`, oldest first, at most {@link EVENTS_ANSWER_MAX}
   * (`truncated` when more matched), from the newest {@link EVENTS_READ_MAX_BYTES} of its track
   * (its exam's proctors, admins). The track stays parsed: a request reads only the lines appended
   * since the last one and answers with a binary search.
   * @throws NotFoundException (404) for a recording that does not exist or is another exam's
   */
  async eventsOf(actor: Actor, streamId: string, fromMs: number, toMs: number): Promise<StreamEventsView> {
    await this.recordingOf(actor, streamId);
    const { events, truncated } = await this.tracks.query(streamId, (track) => track?.range(fromMs, toMs, EVENTS_ANSWER_MAX) ?? { events: [], truncated: false });
    return { streamId, fromMs, toMs, events, truncated };
  }

  /**
   * Every event of a stream's track (its newest {@link EVENTS_READ_MAX_BYTES}) in file order
   * (no access check: callers check the exam). The views are shared with the cache: do not change them.
   * @throws TypeError for an unsafe stream id; the file system's error
   */
  async readTrack(streamId: string): Promise<StreamEventView[]> {
    return this.tracks.query(streamId, (track) => track?.all() ?? []);
  }

  /** The seat's live stream (newest), else its newest stream in the database, else null. */
  private async seatStream(examId: string, seatId: string): Promise<string | null> {
    const live = this.relay.registry
      .list()
      .filter((s) => s.identity.examId === examId && s.identity.seatId === seatId && s.state !== 'ended')
      .sort((a, b) => b.identity.startedAtMs - a.identity.startedAtMs)[0];
    if (live) return live.streamId;
    const row = await this.database.db
      .selectFrom('streams')
      .select('id')
      .where('examId', '=', examId)
      .where('seatId', '=', seatId)
      .orderBy('startedAt', 'desc')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** The recording's meta when the caller may see its exam. @throws NotFoundException otherwise (same answer for both) */
  private async recordingOf(actor: Actor, streamId: string): Promise<StreamMeta> {
    let meta: StreamMeta | null;
    try {
      meta = await this.recordings.store.readMeta(streamId);
    } catch (e) {
      throw new BadRequestException(errorText(e));
    }
    if (!meta || !scopeCovers(await this.access.scope(actor.principal!), meta.examId)) throw this.notFound(streamId);
    return meta;
  }

  private notFound(streamId: string): NotFoundException {
    return new NotFoundException(`no recording for stream ${streamId.slice(0, 40)}; GET /api/recordings lists yours`);
  }

  private stateOf(streamId: string): SentinelStreamState {
    let state = this.sentinel.get(streamId);
    if (!state) {
      const perMinute = this.config.sentinelEventsPerMinute;
      state = { pages: new Map(), bucket: new TokenBucket(perMinute, perMinute), dropped: 0, droppedNotedAtMs: -Infinity, tracker: new SentinelConditionTracker() };
      this.sentinel.set(streamId, state);
    }
    return state;
  }

  /** Appends a line to a stream's track (best effort: logged when it fails). */
  private write(streamId: string, line: string): void {
    this.recordings.appendEvent(streamId, line).catch((e: unknown) => this.logger.warn(`event track of ${streamId}: ${errorText(e)}`));
  }
}
