import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { EMPTY, Subscription, catchError, tap } from 'rxjs';
import type { ExamStatsView, StreamStatsView } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { pollWhileVisible } from '../core/poll-while-visible';
import { StatsApi } from '../core/stats-api';
import { StreamsStore } from '../core/streams-store';
import { STATS_POLL_MS, examFigures, isStale, streamFigures } from './exam-stats';

/**
 * The exam dashboard strip above the wall (issue 11 part 3): seats connected of expected,
 * alerts open, ingest bitrate, viewers, latencies and the streams that need a look, from
 * `GET /api/exams/:examId/stats` every {@link STATS_POLL_MS} while the tab is visible (a hidden
 * tab asks nothing). Below it, the figures of the tile the proctor points at or focuses
 * (`GET /api/streams/:streamId/stats`, one stream at a time, so a 200-seat wall costs one
 * request per period).
 */
@Component({
  selector: 'vigil-exam-stats-strip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="strip" data-testid="exam-stats" [class.stale]="stale()" aria-label="Exam figures">
      @for (f of figures(); track f.key) {
        <div class="fig" [attr.data-figure]="f.key" [attr.data-state]="f.state" [title]="f.title">
          <span class="label">{{ f.label }}</span>
          <span class="value num">{{ f.value }}</span>
        </div>
      } @empty {
        <span class="muted">Loading the exam's figures…</span>
      }
      @if (error(); as e) {
        <span class="note" role="status" data-testid="exam-stats-error">{{ stale() ? 'Not up to date: ' : '' }}{{ e }}</span>
      }
    </section>
    <section class="detail" data-testid="tile-stats" aria-live="polite">
      @if (detailStreamId() && detailFigures().length > 0) {
        <strong class="who">{{ detailName() }}</strong>
        @for (f of detailFigures(); track f.key) {
          <span class="fig small" [attr.data-figure]="f.key" [attr.data-state]="f.state" [title]="f.title">
            <span class="label">{{ f.label }}</span> <span class="value num">{{ f.value }}</span>
          </span>
        }
      } @else {
        <span class="muted">Point at a tile (or focus it) for its stream's figures.</span>
      }
    </section>
  `,
  styles: `
    .strip { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: baseline; padding: 8px 12px; margin: 0 0 6px;
      border: 1px solid var(--mat-sys-outline-variant); border-radius: 6px; background: var(--mat-sys-surface-container-low); }
    .strip.stale { opacity: 0.6; }
    .fig { display: inline-flex; flex-direction: column; min-width: 0; }
    .fig.small { flex-direction: row; gap: 4px; align-items: baseline; }
    .label { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.02em; }
    .small .label { text-transform: none; font-size: 12px; }
    .value { font-size: 15px; font-weight: 600; white-space: nowrap; }
    .small .value { font-size: 13px; font-weight: 500; }
    .fig[data-state='warn'] .value { color: var(--warn); }
    .fig[data-state='bad'] .value { color: var(--bad); }
    .note { font-size: 12px; color: var(--warn); }
    .detail { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; min-height: 22px; margin: 0 0 10px; padding: 0 12px; font-size: 13px; }
  `,
})
export class ExamStatsStripComponent {
  readonly examId = input.required<string>();
  /** The wall's open (unacknowledged) alerts. */
  readonly alertsOpen = input(0);
  /** Stream id → the seat's name (for the streams a figure names). */
  readonly names = input<ReadonlyMap<string, string>>(new Map());
  /** The stream of the tile pointed at or focused, and its seat's name. */
  readonly detailStreamId = input<string | null>(null);
  readonly detailName = input<string | null>(null);

  private readonly api = inject(StatsApi);
  private readonly now = inject(StreamsStore).now;

  private readonly stats = signal<ExamStatsView | null>(null);
  /** When the last answer came (the portal's clock). */
  private readonly receivedAt = signal<number | null>(null);
  private readonly detail = signal<StreamStatsView | null>(null);
  protected readonly error = signal<string | null>(null);

  protected readonly figures = computed(() => {
    const s = this.stats();
    const names = this.names();
    return s ? examFigures(s, this.alertsOpen(), (id) => names.get(id) ?? id.slice(0, 8)) : [];
  });
  protected readonly detailFigures = computed(() => {
    const d = this.detail();
    return d && d.streamId === this.detailStreamId() ? streamFigures(d) : [];
  });
  protected readonly stale = computed(() => this.stats() !== null && isStale(this.receivedAt(), this.now()));

  private examPoll: Subscription | null = null;
  private detailPoll: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.examId();
      untracked(() => {
        this.examPoll?.unsubscribe();
        this.stats.set(null);
        this.error.set(null);
        this.examPoll = pollWhileVisible(() =>
          this.api.exam(id).pipe(
            tap((s) => {
              this.stats.set(s);
              this.receivedAt.set(Date.now());
              this.error.set(null);
            }),
            catchError((err: unknown) => {
              this.error.set(describeHttpError(err));
              return EMPTY;
            }),
          ),
          STATS_POLL_MS,
        ).subscribe();
      });
    });
    effect(() => {
      const id = this.detailStreamId();
      untracked(() => {
        this.detailPoll?.unsubscribe();
        this.detailPoll = null;
        if (!id) return;
        this.detailPoll = pollWhileVisible(() =>
          this.api.stream(id).pipe(
            tap((s) => this.detail.set(s)),
            catchError(() => EMPTY), // not a live stream (any more): no figures
          ),
          STATS_POLL_MS,
        ).subscribe();
      });
    });
    inject(DestroyRef).onDestroy(() => {
      this.examPoll?.unsubscribe();
      this.detailPoll?.unsubscribe();
    });
  }
}
