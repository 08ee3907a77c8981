import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, effect, inject, input, output, signal, untracked, viewChild } from '@angular/core';
import type { Subscription } from 'rxjs';
import { ProctorConnection } from '../core/proctor-connection';
import { subscribeToStream } from '../player/media-pipeline';
import { TileDecoder, type TileDecoderStats } from './tile-decoder';
import { JoinQueue, type JoinTicket } from './join-queue';
import { TileWatchdog } from './tile-watchdog';
import { badgeLabel, type WallTile } from './wall-order';

/** A tile the server unsubscribed as too slow subscribes again after this long, ms, plus a random share of {@link TILE_RESUBSCRIBE_JITTER_MS}. */
const TILE_RESUBSCRIBE_MIN_MS = 2000;
const TILE_RESUBSCRIBE_JITTER_MS = 3000;
/** How often a subscribed tile checks that its picture moves ({@link TileWatchdog}), ms. */
const TILE_WATCH_INTERVAL_MS = 1000;

/** A tile's counts before its first frame. */
const NO_STATS: TileDecoderStats = { painted: 0, dropped: 0, superseded: 0, paintMethod: null, capturedAtMs: null, frameIntervalMs: null, error: null };

/** Tile canvas size, pixels (16:9); frames are scaled into it. */
export const TILE_WIDTH = 384;
export const TILE_HEIGHT = 216;

/**
 * One seat on the exam wall: the student's live screen decoded with WebCodecs into a canvas
 * ({@link TileDecoder}), name, seat and badges. It subscribes to its stream over the portal's
 * one multiplexed WebSocket only while it is on screen (IntersectionObserver), so a wall
 * scrolled past a tile costs that tile nothing, and as a `tile` view, so the stream stays at
 * the exam's base frame rate (a focused view raises it). Tiles join a few at a time through
 * the wall's {@link JoinQueue} (each join brings a buffered segment over the shared socket).
 * A tile whose picture stopped says so and joins its stream again for a fresh IDR
 * ({@link TileWatchdog}). A click asks to focus the seat.
 */
@Component({
  selector: 'vigil-wall-tile',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button type="button" class="tile" [class.live]="tile().live" (click)="focus.emit(tile())"
      [attr.data-seat-id]="tile().seatId" [attr.data-stream-id]="tile().streamId" [attr.data-painted]="stats().painted"
      [attr.data-dropped]="stats().dropped" [attr.data-superseded]="stats().superseded" [attr.data-paint-method]="stats().paintMethod" [attr.data-captured-at]="stats().capturedAtMs"
      [attr.data-stalled-ms]="stalledMs()" [attr.data-resyncs]="resyncs()" [class.stalled]="stalledMs() > 0" [title]="title()">
      <canvas #canvas [width]="width" [height]="height"></canvas>
      @if (!tile().streamId) {
        <span class="empty">No stream</span>
      } @else if (stats().painted === 0) {
        <span class="empty">{{ visible() ? 'Connecting…' : '' }}</span>
      } @else if (stalledMs() > 0) {
        <span class="still" role="status">No new picture for {{ stalledSeconds() }} s</span>
      }
      <span class="label">
        <span class="dot" [class.on]="tile().live"></span>
        <span class="name">{{ tile().displayName }}</span>
        <span class="muted">{{ tile().studentId }}</span>
      </span>
      @if (tile().badges.length > 0) {
        <span class="badges">
          @for (b of tile().badges; track b) {
            <span class="badge" [attr.data-badge]="b">{{ label(b) }}</span>
          }
        </span>
      }
    </button>
  `,
  styles: `
    .tile { position: relative; display: block; width: 100%; padding: 0; border: 2px solid transparent; border-radius: 6px;
      background: #1e1e1e; cursor: pointer; overflow: hidden; aspect-ratio: 16 / 9; }
    .tile:focus-visible, .tile:hover { border-color: #90caf9; }
    canvas { display: block; width: 100%; height: 100%; }
    .tile.stalled canvas { opacity: .55; }
    .still { position: absolute; top: 4px; right: 4px; padding: 1px 6px; border-radius: 4px; background: #f9a825; color: #000; font-size: 11px; }
    .empty { position: absolute; inset: 0; display: grid; place-items: center; color: #bbb; font-size: 13px; }
    .label { position: absolute; left: 0; right: 0; bottom: 0; display: flex; gap: 6px; align-items: center;
      padding: 3px 6px; background: rgba(0, 0, 0, .6); color: #fff; font-size: 12px; text-align: left; }
    .name { font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .muted { color: #ccc; }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: #9e9e9e; flex: none; }
    .dot.on { background: #4caf50; }
    .badges { position: absolute; top: 4px; left: 4px; display: flex; gap: 4px; }
    .badge { padding: 1px 6px; border-radius: 4px; background: #c62828; color: #fff; font-size: 11px; }
  `,
})
export class WallTileComponent {
  readonly tile = input.required<WallTile>();
  /** The proctor clicked the tile. */
  readonly focus = output<WallTile>();

  protected readonly width = TILE_WIDTH;
  protected readonly height = TILE_HEIGHT;
  protected readonly visible = signal(false);
  protected readonly stats = signal<TileDecoderStats>(NO_STATS);
  /** How long the picture has not moved, ms (0: it moves). */
  protected readonly stalledMs = signal(0);
  protected readonly stalledSeconds = () => Math.floor(this.stalledMs() / 1000);
  /** Times the tile joined its stream again because its picture stopped. */
  protected readonly resyncs = signal(0);
  protected readonly label = badgeLabel;

  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private readonly connection = inject(ProctorConnection);
  /** The wall's join queue (none: join at once). */
  private readonly joins = inject(JoinQueue, { optional: true });
  private joinTicket: JoinTicket | null = null;
  private decoder: TileDecoder | null = null;
  private subscription: Subscription | null = null;
  private subscribedTo: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The stream the counts and the watchdog belong to (kept while the tile joins it again). */
  private watchedStream: string | null = null;
  private watchdog: TileWatchdog | null = null;
  private watchTimer: ReturnType<typeof setInterval> | undefined = undefined;

  constructor() {
    const host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    const observer = typeof IntersectionObserver === 'function' ? new IntersectionObserver((entries) => this.visible.set(entries.some((e) => e.isIntersecting))) : null;
    if (observer) observer.observe(host);
    else this.visible.set(true);
    effect(() => {
      const streamId = this.visible() ? this.tile().streamId : null;
      untracked(() => this.watch(streamId));
    });
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(this.retryTimer);
      clearInterval(this.watchTimer);
      observer?.disconnect();
      this.watch(null);
    });
  }

  protected title(): string {
    const s = this.stats();
    const t = this.tile();
    const age = s.capturedAtMs === null ? '' : ` · frame captured ${new Date(s.capturedAtMs).toLocaleTimeString()}`;
    const still = this.stalledMs() > 0 ? ` · no new picture for ${this.stalledSeconds()} s` : '';
    return `${t.displayName} (${t.studentId})${t.badges.map((b) => ' · ' + badgeLabel(b)).join('')}${age}${still}${s.error ? ' · ' + s.error : ''}`;
  }

  /**
   * Subscribes the tile to `streamId` (null: none), closing any earlier subscription. Joining
   * the same stream again (after the server gave up on the tile, or its picture stopped)
   * keeps the tile's counts and its watchdog.
   */
  private watch(streamId: string | null): void {
    if (streamId === this.subscribedTo) return;
    this.leaveJoinQueue();
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.decoder?.close();
    this.decoder = null;
    this.subscribedTo = streamId;
    if (streamId === null || !TileDecoder.isAvailable()) {
      this.watchedStream = null;
      this.watchdog = null;
      clearInterval(this.watchTimer);
      this.stalledMs.set(0);
      return;
    }
    const again = streamId === this.watchedStream;
    this.watchedStream = streamId;
    const before = again ? this.stats() : NO_STATS;
    if (!again || this.watchdog === null) {
      const watchdog = new TileWatchdog(performance.now());
      this.watchdog = watchdog;
      this.stalledMs.set(0);
      clearInterval(this.watchTimer);
      this.watchTimer = setInterval(() => this.checkPicture(watchdog, streamId), TILE_WATCH_INTERVAL_MS);
    }
    const watchdog = this.watchdog;
    let painted = 0;
    const decoder = new TileDecoder(this.canvas().nativeElement, (stats) => {
      this.stats.set({ ...stats, painted: before.painted + stats.painted, dropped: before.dropped + stats.dropped, superseded: before.superseded + stats.superseded });
      if (stats.painted > painted) {
        painted = stats.painted;
        if (watchdog.painted(performance.now(), stats.frameIntervalMs, stats.capturedAtMs)) this.stalledMs.set(0);
      }
      if (stats.painted > 0) this.leaveJoinQueue(); // joined: the next tile may start
    });
    this.decoder = decoder;
    const subscribe = () => {
      watchdog.subscribed(performance.now());
      this.subscription = subscribeToStream(this.connection, streamId, 'tile').subscribe({
        next: (ev) => {
          decoder.handle(ev);
          // the server gave up on this tile (too slow: its socket stayed full, e.g. a whole wall joining
          // at once); subscribe again a little later, at a random moment so the tiles do not all come back together
          if (ev.kind === 'unsubscribed' && (ev.reason === 'too-slow' || ev.reason === 'error')) this.resubscribeLater(streamId);
        },
        error: () => undefined,
      });
    };
    if (this.joins) this.joinTicket = this.joins.request(subscribe);
    else subscribe();
  }

  /**
   * Once a second while subscribed: shows how long the picture has not moved, and joins again
   * when the watchdog says so. Not for a stream whose Sentinel is away (its badge says so, and
   * no IDR can come).
   */
  private checkPicture(watchdog: TileWatchdog, streamId: string): void {
    if (this.watchdog !== watchdog || this.subscribedTo !== streamId) return;
    if (!this.tile().live) {
      this.stalledMs.set(0);
      return;
    }
    const watch = watchdog.check(performance.now());
    this.stalledMs.set(watch.state === 'stalled' ? Math.round(watch.forMs) : 0);
    if (watch.state === 'stalled' && watch.resync) {
      this.resyncs.update((n) => n + 1);
      clearTimeout(this.retryTimer); // a resubscription due anyway happens now
      this.subscribedTo = null;
      this.watch(streamId);
    }
  }

  private leaveJoinQueue(): void {
    if (this.joinTicket) this.joins?.release(this.joinTicket);
    this.joinTicket = null;
  }

  private resubscribeLater(streamId: string): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.subscribedTo !== streamId) return; // the tile moved on meanwhile
      this.subscribedTo = null;
      this.watch(streamId);
    }, TILE_RESUBSCRIBE_MIN_MS + Math.random() * TILE_RESUBSCRIBE_JITTER_MS);
  }
}
