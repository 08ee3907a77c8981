import { Injectable, NotFoundException } from '@nestjs/common';
import type { ExamStatsView, StreamStatsView } from '@vigil/api';
import { RelayService } from '../relay-nest/relay.service';
import { LoadSheddingService } from '../relay-nest/load-shedding.service';
import { ExamAccessService, scopeCovers } from '../auth/exam-access.service';
import { DatabaseService } from '../db/database.service';
import type { Principal } from '../auth/principal';
import { examStats, streamStats } from './stats-view';

/**
 * Live statistics over REST (thin: the relay keeps the figures, `stats-view.ts` shapes them).
 * Access as for the neighbouring routes: a stream or exam of another exam answers 404 like
 * a missing one.
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly relay: RelayService,
    private readonly access: ExamAccessService,
    private readonly database: DatabaseService,
    private readonly load: LoadSheddingService,
  ) {}

  async stream(principal: Principal, streamId: string): Promise<StreamStatsView> {
    const stream = this.relay.registry.get(streamId);
    // a stream of another exam looks exactly like a missing one: ids cannot be probed
    if (!stream || !scopeCovers(await this.access.scope(principal), stream.identity.examId)) {
      throw new NotFoundException(`no live stream ${streamId.slice(0, 40)}; GET /api/streams lists them`);
    }
    return streamStats(stream, Date.now());
  }

  async exam(principal: Principal, examId: string): Promise<ExamStatsView> {
    await this.access.requireExam(principal, examId);
    const rows = await this.database.db.selectFrom('seats').select('id').where('examId', '=', examId).execute();
    const streams = this.relay.registry.list();
    const { level, reasons, changedAtMs } = this.load.state;
    const signals = this.load.lastSignals;
    return {
      ...examStats(examId, streams, new Set(rows.map((r) => r.id)), Date.now()),
      load: {
        level,
        reasons,
        changedAtMs,
        eventLoopDelayMs: Math.round(signals.eventLoopDelayMs * 10) / 10,
        egressQueuedBytes: signals.egressQueuedBytes,
        slowestAckMs: signals.slowestAckMs,
        shedStreamIds: streams.filter((s) => s.identity.examId === examId && s.state !== 'ended' && s.shedByLoad).map((s) => s.streamId),
      },
    };
  }
}
