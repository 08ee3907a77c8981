import type { StreamRecordView } from '@vigil/api';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { filter } from 'rxjs';
import { DatabaseService } from '../db/database.service';
import { RelayService } from '../relay-nest/relay.service';
import type { LiveStream } from '../relay/live-stream';
import type { InitUnit } from '../relay/media-unit';
import type { DB, StreamRow } from '../db/database.types';
import type { Kysely } from 'kysely';

/** `lastSeenAt` of a streaming stream is written at most this often. */
const LAST_SEEN_WRITE_MS = 30_000;

/**
 * Writes queued within this long commit together, in one transaction, ms. With embedded
 * SQLite every commit fsyncs its WAL synchronously, on the event loop: 500 Sentinels
 * connecting at once made 2,000 commits (5 s of blocked event loop: acks and the relay stalled
 * for all streams); batched, a burst costs a few commits.
 */
const WRITE_BATCH_MS = 100;

/** One queued database write of a stream. */
interface QueuedWrite {
  streamId: string;
  run: (db: Kysely<DB>) => Promise<void>;
}

/**
 * Database rows for relay streams (the relay itself writes `meta.json` and
 * `events.jsonl` per stream): one row per stream, created when the registry creates the
 * stream, kept up to date with its state, resolution and frame rate, and a history of
 * those changes. Also applies the exam's default frame rate to a new stream before its
 * Sentinel gets `welcome` (the seat authorizer hands it over).
 */
@Injectable()
export class StreamRecordsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('StreamRecords');
  private readonly pendingFps = new Map<string, number>();
  private writes: Promise<void> = Promise.resolve();
  private batch: QueuedWrite[] = [];
  /** Counts failed batch transactions: what a write remembered of the rows before one may have been rolled back. */
  private epoch = 0;

  constructor(
    private readonly database: DatabaseService,
    private readonly relay: RelayService,
  ) {
    this.relay.created$.subscribe((stream) => this.track(stream));
  }

  /** Streams left live or disconnected by a previous server process ended with it. */
  async onModuleInit(): Promise<void> {
    const stale = await this.database.db.selectFrom('streams').select(['id', 'lastSeenAt']).where('state', '!=', 'ended').execute();
    if (stale.length === 0) return;
    await this.database.db.transaction().execute(async (trx) => {
      for (const s of stale) {
        await trx.updateTable('streams').set({ state: 'ended', endedAt: s.lastSeenAt }).where('id', '=', s.id).execute();
        await trx.insertInto('streamChanges').values({ streamId: s.id, at: Date.now(), kind: 'state', details: JSON.stringify({ state: 'ended', reason: 'server restart' }) }).execute();
      }
    });
  }

  /** Waits for queued writes (the relay ends every stream on shutdown first). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.writes;
  }

  /** The next stream of this seat starts at `fps` (the exam's default; called by the seat authorizer). */
  setInitialFps(examId: string, seatId: string, fps: number): void {
    this.pendingFps.set(`${examId}/${seatId}`, fps);
  }

  /** Every stream of an exam, newest first (no history). */
  async listForExam(examId: string): Promise<StreamRecordView[]> {
    const rows = await this.database.db.selectFrom('streams').selectAll().where('examId', '=', examId).orderBy('startedAt', 'desc').orderBy('id').execute();
    return rows.map(toView);
  }

  /** One stream with its history, or null. */
  async get(streamId: string): Promise<StreamRecordView | null> {
    const row = await this.database.db.selectFrom('streams').selectAll().where('id', '=', streamId).executeTakeFirst();
    if (!row) return null;
    const changes = await this.database.db.selectFrom('streamChanges').selectAll().where('streamId', '=', streamId).orderBy('id').execute();
    return { ...toView(row), history: changes.map((c) => ({ ...(JSON.parse(c.details) as Record<string, unknown>), atMs: c.at, kind: c.kind })) };
  }

  /** Latest `lastSeenAt` per seat of an exam (for seat status). */
  async lastSeenBySeat(examId: string): Promise<Map<string, number>> {
    const rows = await this.database.db
      .selectFrom('streams')
      .select(['seatId', (eb) => eb.fn.max('lastSeenAt').as('lastSeenAt')])
      .where('examId', '=', examId)
      .groupBy('seatId')
      .execute();
    return new Map(rows.map((r) => [r.seatId, Number(r.lastSeenAt)]));
  }

  /** Resolves once every write queued so far is done (tests). */
  flush(): Promise<void> {
    return this.writes;
  }

  private track(stream: LiveStream): void {
    const { identity } = stream;
    const key = `${identity.examId}/${identity.seatId}`;
    const fps = this.pendingFps.get(key);
    this.pendingFps.delete(key);
    if (fps !== undefined) stream.setBaseFps(fps); // the exam's rate: viewers may raise it, an admin's rate wins

    const now = Date.now();
    let state = stream.state;
    let recordedFps = stream.fps;
    let lastSeenWrittenAt = now;
    /**
     * The row's codec and size as written by this process, or null when unknown (then read
     * first); valid only in the {@link epoch} it was written in (a rolled-back batch ends it).
     */
    let resolution: { codec: string | null; width: number; height: number; epoch: number } | null = null;
    this.enqueue(stream.streamId, async (db) => {
      const existing = await db.selectFrom('streams').select('id').where('id', '=', stream.streamId).executeTakeFirst();
      if (existing) {
        await db.updateTable('streams').set({ state, endedAt: null, lastSeenAt: now, fps: recordedFps }).where('id', '=', stream.streamId).execute();
      } else {
        await db
          .insertInto('streams')
          .values({
            id: stream.streamId, examId: identity.examId, seatId: identity.seatId, encoder: identity.encoder, userAgent: identity.userAgent,
            state, startedAt: identity.startedAtMs, endedAt: null, lastSeenAt: now, codec: null, width: 0, height: 0, fps: recordedFps,
          })
          .execute();
      }
      // both history lines in one statement (a join's database work: issue 10)
      await this.change(
        db,
        stream.streamId,
        now,
        { kind: 'state', details: { state, resumed: existing !== undefined, encoder: identity.encoder } },
        { kind: 'fps', details: { fps: recordedFps } },
      );
      // a new row's resolution is known: the first init segment needs no read
      resolution = existing ? null : { codec: null, width: 0, height: 0, epoch: this.epoch };
    });
    stream.units$.pipe(filter((u): u is InitUnit => u.kind === 'init')).subscribe((init) => {
      const { codec, width, height, receivedAtMs } = init;
      this.enqueue(stream.streamId, async (db) => {
        const row = resolution?.epoch === this.epoch ? resolution : (await db.selectFrom('streams').select(['codec', 'width', 'height']).where('id', '=', stream.streamId).executeTakeFirst());
        if (row && row.codec === codec && row.width === width && row.height === height) return;
        await db.updateTable('streams').set({ codec, width, height, lastSeenAt: receivedAtMs }).where('id', '=', stream.streamId).execute();
        await this.change(db, stream.streamId, receivedAtMs, { kind: 'resolution', details: { codec, width, height } });
        resolution = { codec, width, height, epoch: this.epoch };
      });
    });

    stream.changed$.subscribe({
      next: () => {
        const at = Date.now();
        const newState = stream.state;
        const newFps = stream.fps;
        const seenAt = stream.lastFragmentAtMs ?? at;
        const stateChanged = newState !== state && newState !== 'ended';
        const fpsChanged = newFps !== recordedFps;
        const seenDue = at - lastSeenWrittenAt >= LAST_SEEN_WRITE_MS;
        if (!stateChanged && !fpsChanged && !seenDue) return;
        state = newState === 'ended' ? state : newState;
        recordedFps = newFps;
        lastSeenWrittenAt = at;
        this.enqueue(stream.streamId, async (db) => {
          await db.updateTable('streams').set({ state, fps: newFps, lastSeenAt: seenAt }).where('id', '=', stream.streamId).execute();
          if (stateChanged) await this.change(db, stream.streamId, at, { kind: 'state', details: { state: newState } });
          if (fpsChanged) await this.change(db, stream.streamId, at, { kind: 'fps', details: { fps: newFps } });
        });
      },
      complete: () => {
        const at = Date.now();
        const seenAt = stream.lastFragmentAtMs ?? at;
        this.enqueue(stream.streamId, async (db) => {
          await db.updateTable('streams').set({ state: 'ended', endedAt: at, lastSeenAt: Math.max(seenAt, lastSeenWrittenAt) }).where('id', '=', stream.streamId).execute();
          await this.change(db, stream.streamId, at, { kind: 'state', details: { state: 'ended', ...(stream.stopReason ? { reason: stream.stopReason } : {}) } });
        });
      },
    });
  }

  /** Appends history lines of a stream at one time, in one statement. */
  private async change(db: Kysely<DB>, streamId: string, at: number, ...lines: { kind: 'state' | 'resolution' | 'fps'; details: Record<string, unknown> }[]): Promise<void> {
    await db
      .insertInto('streamChanges')
      .values(lines.map(({ kind, details }) => ({ streamId, at, kind, details: JSON.stringify(details) })))
      .execute();
  }

  /**
   * Writes run in order, those queued within {@link WRITE_BATCH_MS} in one transaction; when
   * the transaction fails, each runs again alone, so a failed write is logged and does not
   * stop the others.
   */
  private enqueue(streamId: string, run: (db: Kysely<DB>) => Promise<void>): void {
    this.batch.push({ streamId, run });
    if (this.batch.length > 1) return; // a commit is already scheduled for this batch
    this.writes = this.writes
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, WRITE_BATCH_MS)))
      .then(() => this.commitBatch());
  }

  private async commitBatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    try {
      await this.database.db.transaction().execute(async (trx) => {
        for (const write of batch) await write.run(trx);
      });
    } catch {
      this.epoch++;
      for (const write of batch) {
        await write.run(this.database.db).catch((e: unknown) => this.logger.warn(`stream ${write.streamId}: database write failed: ${e instanceof Error ? e.message : e}`));
      }
    }
  }
}

function toView(row: StreamRow): StreamRecordView {
  return {
    streamId: row.id,
    examId: row.examId,
    seatId: row.seatId,
    state: row.state,
    encoder: row.encoder,
    userAgent: row.userAgent,
    startedAtMs: row.startedAt,
    endedAtMs: row.endedAt,
    lastSeenAtMs: row.lastSeenAt,
    codec: row.codec,
    width: row.width,
    height: row.height,
    fps: row.fps,
  };
}
