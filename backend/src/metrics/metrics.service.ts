import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RelayService } from '../relay-nest/relay.service';
import { LoadSheddingService } from '../relay-nest/load-shedding.service';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import type { HistogramSnapshot } from '../stats/rolling-window';

/**
 * The Prometheus registry of this server (its own, not prom-client's global one: one per
 * application, so several servers in one process do not collide). Relay figures are read at
 * scrape time from `RelayService.totals` (stats/relay-stats.ts) and the stream registry: the per-fragment hot path only
 * bumps plain numbers and fixed-bucket arrays (stats/), never prom-client objects (whose
 * `inc`/`observe` allocate per call). Plus prom-client's default process metrics (CPU, heap,
 * event-loop lag, GC), collected only when `/metrics` is switched on (their event-loop and GC
 * observers cost a little).
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();

  constructor(relay: RelayService, load: LoadSheddingService, @Inject(VIGIL_CONFIG) config: VigilConfig) {
    const registers = [this.registry];
    const totals = relay.totals;
    const streams = () => relay.registry.list();
    if (config.metricsToken !== null || config.metricsLoopback) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'vigil_streams_live',
      help: 'Streams with a connected Sentinel',
      registers,
      collect() {
        this.set(streams().filter((s) => s.state === 'live').length);
      },
    });
    new Gauge({
      name: 'vigil_streams_disconnected',
      help: 'Streams whose Sentinel is away (they may resume until they end)',
      registers,
      collect() {
        this.set(streams().filter((s) => s.state === 'disconnected').length);
      },
    });
    new Gauge({
      name: 'vigil_streams_storage_failed',
      help: 'Streams whose recording writes fail now (relayed live, not acknowledged, retried)',
      registers,
      collect() {
        this.set(streams().filter((s) => s.storage === 'storage-failed').length);
      },
    });
    new Gauge({
      name: 'vigil_joins_waiting',
      help: 'Sentinels authorized and waiting for their turn to set up their stream (VIGIL_JOIN_CONCURRENCY at a time)',
      registers,
      collect() {
        this.set(relay.registry.joins.waiting);
      },
    });
    new Gauge({
      name: 'vigil_viewers',
      help: 'Proctor subscriptions to live streams',
      registers,
      collect() {
        this.set(streams().reduce((n, s) => n + s.viewerCount, 0));
      },
    });
    new Gauge({
      name: 'vigil_load_shedding_level',
      help: 'Load shedding: 0 normal, 1 unwatched streams at 0.2 fps, 2 also tile-only streams, 3 also focused streams at their base rate',
      registers,
      collect() {
        this.set(load.state.level);
      },
    });
    new Gauge({
      name: 'vigil_streams_shed',
      help: 'Streams whose frame rate load shedding lowers now',
      registers,
      collect() {
        this.set(streams().filter((s) => s.state !== 'ended' && s.shedByLoad).length);
      },
    });
    new Gauge({
      name: 'vigil_buffered_bytes',
      help: 'Bytes of media held in memory for joining viewers, over all streams',
      registers,
      collect() {
        this.set(relay.registry.budget.usedBytes);
      },
    });
    new Gauge({
      name: 'vigil_buffer_pool_bytes',
      help:
        'Bytes of the chunks the buffered media is copied into, in use and kept free for reuse; "reserved": the part of the pool\'s reservation ' +
        '(VIGIL_BUFFER_TOTAL_BYTES, taken at the first stream) no chunk was carved from yet, address space that counts in nodejs_external_memory_bytes but not in the resident set',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = relay.registry.chunkPool;
        this.set({ state: 'in-use' }, pool.chunksInUse * pool.chunkBytes);
        this.set({ state: 'free' }, pool.chunksFree * pool.chunkBytes);
        this.set({ state: 'reserved' }, pool.reservedUnusedBytes);
      },
    });
    counter(registers, 'vigil_fragments_received_total', 'Fragments accepted from Sentinels (live and resent for the recording)', () => totals.fragmentsReceived);
    counter(registers, 'vigil_ingest_bytes_total', 'Bytes of media messages accepted from Sentinels (headers included)', () => totals.ingestBytes);
    counter(registers, 'vigil_backlog_fragments_total', 'Fragments that arrived older than VIGIL_BACKLOG_AGE_SECONDS (a resent backlog)', () => totals.backlogFragments);
    counter(registers, 'vigil_viewer_skipped_segments_total', 'Segments skipped for slow viewers (they resumed at a later keyframe)', () => totals.skippedSegments);
    new SnapshotHistogram(
      'vigil_fragment_ack_seconds',
      'Time from receiving a media message to sending its ack, after the write is durable (fdatasync)',
      registers,
      () => totals.ackSeconds.snapshot(),
    );
    new SnapshotHistogram(
      'vigil_viewer_latency_seconds',
      'Time from capture (prft) to handing a live fragment to a viewer socket (includes the kiosk clock offset)',
      registers,
      () => totals.viewerLatencySeconds.snapshot(),
    );
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}

/** A counter that reads a running total at scrape time. */
function counter(registers: Registry[], name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * A prom-client histogram whose figures come from a {@link HistogramSnapshot} at scrape time
 * (its own `observe` is not used: it allocates per call, too much for once per fragment).
 */
class SnapshotHistogram extends Histogram {
  private readonly metricName: string;
  private readonly metricHelp: string;
  private readonly source: () => HistogramSnapshot;

  constructor(name: string, help: string, registers: Registry[], source: () => HistogramSnapshot) {
    super({ name, help, registers, buckets: [...source().bounds] });
    this.metricName = name;
    this.metricHelp = help;
    this.source = source;
  }

  override async get(): Promise<Awaited<ReturnType<Histogram['get']>>> {
    return this.exposition();
  }

  /** What the registry formats (prom-client asks this first when it exists). */
  async getForPromString(): Promise<Awaited<ReturnType<Histogram['get']>>> {
    return this.exposition();
  }

  private exposition(): Awaited<ReturnType<Histogram['get']>> {
    const s = this.source();
    const name = this.metricName;
    const bucket = `${name}_bucket`;
    const values = [
      ...s.bounds.map((le, i) => ({ labels: { le }, value: s.cumulative[i], metricName: bucket })),
      { labels: { le: '+Inf' }, value: s.count, metricName: bucket },
      { labels: {}, value: s.sum, metricName: `${name}_sum` },
      { labels: {}, value: s.count, metricName: `${name}_count` },
    ];
    return { name, help: this.metricHelp, type: 'histogram', aggregator: 'sum', values } as unknown as Awaited<ReturnType<Histogram['get']>>;
  }
}
