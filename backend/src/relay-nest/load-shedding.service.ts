import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { DEFAULT_LOAD_SHEDDING, LoadShedder, type LoadSignals, type ShedState } from '../relay/load-shedding';
import type { HistogramSnapshot } from '../stats/rolling-window';
import { RelayService } from './relay.service';

/** How often the signals are read, ms. */
export const LOAD_TICK_MS = 1000;

/**
 * Slowest ack between two snapshots of the cumulative ack histogram, ms: the upper bound of
 * the highest bucket that gained observations (above the last bound: twice that bound), or 0
 * without new acks (pure).
 */
export function slowestNewAckMs(before: HistogramSnapshot | null, now: HistogramSnapshot): number {
  const prev = (i: number) => before?.cumulative[i] ?? 0;
  const last = now.bounds.length - 1;
  if (now.count - (before?.count ?? 0) > now.cumulative[last]! - prev(last)) return now.bounds[last]! * 2 * 1000;
  for (let i = last; i >= 0; i--) {
    const inBucket = now.cumulative[i]! - (i > 0 ? now.cumulative[i - 1]! : 0) - (prev(i) - (i > 0 ? prev(i - 1) : 0));
    if (inBucket > 0) return now.bounds[i]! * 1000;
  }
  return 0;
}

/**
 * Reads the load signals once a second (event-loop delay, bytes queued to viewers, slowest
 * ack), feeds the {@link LoadShedder} and applies its level to every stream (thin: the policy
 * is `relay/load-shedding.ts`). Level changes are logged; the state is in the stats API and
 * `/metrics`.
 */
@Injectable()
export class LoadSheddingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LoadShedding');
  readonly shedder: LoadShedder;
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private lastAcks: HistogramSnapshot | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The last second's signals. */
  lastSignals: LoadSignals = { eventLoopDelayMs: 0, egressQueuedBytes: 0, slowestAckMs: 0 };

  constructor(
    private readonly relay: RelayService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {
    this.shedder = new LoadShedder({
      ...DEFAULT_LOAD_SHEDDING,
      maxEventLoopDelayMs: config.shedLoopDelayMs,
      maxEgressQueuedBytes: config.shedEgressBytes,
      maxAckMs: config.shedAckMs,
      lowerAfterTicks: config.shedRestoreSeconds,
    });
  }

  get state(): ShedState {
    return this.shedder.state;
  }

  onModuleInit(): void {
    if (!this.config.loadShedding) {
      this.logger.warn('load shedding is off (VIGIL_LOAD_SHEDDING=off): an overloaded server keeps every frame rate');
      return;
    }
    this.loop.enable();
    this.lastAcks = this.relay.totals.ackSeconds.snapshot();
    this.timer = setInterval(() => this.tick(Date.now()), LOAD_TICK_MS);
    this.timer.unref?.();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.loop.disable();
  }

  /** One reading: signals → level → every stream. Never throws (a failure is logged; the next tick comes). */
  tick(nowMs: number): void {
    try {
      let egress = 0;
      for (const stream of this.relay.registry.list()) for (const viewer of stream.watchers) egress += viewer.bufferedBytes;
      const acks = this.relay.totals.ackSeconds.snapshot();
      const signals: LoadSignals = {
        eventLoopDelayMs: this.loop.count > 0 ? this.loop.percentile(99) / 1e6 : 0,
        egressQueuedBytes: egress,
        slowestAckMs: slowestNewAckMs(this.lastAcks, acks),
      };
      this.lastAcks = acks;
      this.loop.reset();
      this.lastSignals = signals;
      const before = this.shedder.level;
      if (this.shedder.tick(signals, nowMs)) {
        const { level, reasons } = this.shedder.state;
        const why = reasons.length > 0 ? `overloaded (${reasons.join(', ')}: loop ${signals.eventLoopDelayMs.toFixed(0)} ms, egress ${(signals.egressQueuedBytes / 2 ** 20).toFixed(1)} MiB, ack ${signals.slowestAckMs.toFixed(0)} ms)` : 'calm';
        const what = ['no stream shed', 'unwatched streams shed', 'unwatched and tile-only streams shed', 'every stream shed, focused ones to their base rate'][level];
        (level > before ? this.logger.warn.bind(this.logger) : this.logger.log.bind(this.logger))(`load shedding level ${before} → ${level} (${what}): ${why}`);
        this.relay.registry.setShedLevel(level, this.shedder.options.shedFps);
      }
    } catch (e) {
      this.logger.error(`load shedding tick failed (the next one comes): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
