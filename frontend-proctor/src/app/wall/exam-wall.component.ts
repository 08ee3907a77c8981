import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Subscription, catchError, firstValueFrom, of, switchMap, timer } from 'rxjs';
import type { AlertView, Exam, Seat } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { AlertsApi, alertKindLabel } from './alerts-api';
import { ProctorApi } from '../core/proctor-api';
import { ProctorConnection } from '../core/proctor-connection';
import { StreamsStore } from '../core/streams-store';
import { countByStatus, mergeSeatStatus } from '../exams/seat-status';
import { WallTileComponent } from './wall-tile.component';
import { JoinQueue } from './join-queue';
import { ExamStatsStripComponent } from './exam-stats-strip.component';
import { wallTiles, type WallFilter, type WallSort, type WallTile } from './wall-order';

/** How often the seat list is fetched again, ms (as the exam page; the WebSocket's stream list updates status in between). */
const SEAT_POLL_MS = 4000;
/** How often open alerts are fetched, ms (the server checks every 2 s). */
const ALERT_POLL_MS = 3000;

/**
 * `/exams/:examId/wall`: every seat of the exam at a glance, one tile per seat with the
 * student's live screen ({@link WallTileComponent}), sorted and filtered (attention first,
 * by name; all, needing attention, streaming; a search). A tile opens the focused live view.
 * Open alerts (server-raised: disconnected, recording failing, kiosk clock off) are listed
 * above the grid, badge their tiles first, and are acknowledged with a note.
 * Seats are polled like the exam page; connection state comes from the WebSocket's stream list.
 */
@Component({
  selector: 'vigil-exam-wall',
  // the wall's tiles join their streams a few at a time (one queue per wall)
  providers: [{ provide: JoinQueue, useFactory: () => new JoinQueue() }],
  imports: [RouterLink, WallTileComponent, ExamStatsStripComponent, MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav class="crumbs"><a routerLink="/exams">Exams</a> › <a [routerLink]="['/exams', examId()]">{{ exam()?.name ?? 'Exam' }}</a> ›</nav>
    <div class="page-header">
      <h1>Wall</h1>
      <span class="muted num" data-testid="wall-counts">{{ counts().streaming }} streaming · {{ counts().offline }} offline · {{ counts()['never-connected'] }} never connected</span>
      <span class="spacer"></span>
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="search">
        <mat-label>Search</mat-label>
        <input matInput data-testid="wall-search" [value]="query()" (input)="query.set($any($event.target).value)" />
      </mat-form-field>
      <mat-button-toggle-group [value]="filter()" (change)="filter.set($event.value)" aria-label="Show">
        <mat-button-toggle value="all" data-testid="wall-filter-all">All</mat-button-toggle>
        <mat-button-toggle value="attention" data-testid="wall-filter-attention">Needs attention</mat-button-toggle>
        <mat-button-toggle value="streaming" data-testid="wall-filter-streaming">Streaming</mat-button-toggle>
      </mat-button-toggle-group>
      <mat-button-toggle-group [value]="sort()" (change)="sort.set($event.value)" aria-label="Sort">
        <mat-button-toggle value="attention" data-testid="wall-sort-attention">Attention first</mat-button-toggle>
        <mat-button-toggle value="name" data-testid="wall-sort-name">By name</mat-button-toggle>
      </mat-button-toggle-group>
    </div>
    <vigil-exam-stats-strip [examId]="examId()" [alertsOpen]="alerts().length" [names]="streamNames()"
      [detailStreamId]="pointed()?.streamId ?? null" [detailName]="pointed()?.displayName ?? null" />
    @if (alerts().length > 0) {
      <section class="alerts" data-testid="wall-alerts" aria-label="Open alerts">
        <h2>Alerts ({{ alerts().length }})</h2>
        @for (a of alerts(); track a.id) {
          <div class="alert" [attr.data-alert-id]="a.id" [attr.data-kind]="a.kind">
            <strong>{{ seatName(a.seatId) }}</strong>
            <span class="kind">{{ kindLabel(a.kind) }}</span>
            <span class="muted">{{ a.detail }} · since {{ time(a.raisedAtMs) }}{{ a.clearedAtMs ? ' · ended ' + time(a.clearedAtMs) : '' }}</span>
            <span class="spacer"></span>
            <input class="note" placeholder="Note (what you did)" maxlength="500" [value]="noteOf(a.id)"
              (input)="setNote(a.id, $any($event.target).value)" data-testid="alert-note" />
            <button mat-stroked-button type="button" (click)="acknowledge(a)" data-testid="alert-ack">Acknowledge</button>
          </div>
        }
        @if (alertError(); as e) {
          <p class="error" role="alert">{{ e }}</p>
        }
      </section>
    }
    @if (seats() === null) {
      <p class="muted">Loading seats…</p>
    } @else if (tiles().length === 0) {
      <p class="muted">{{ query() || filter() !== 'all' ? 'No seat matches.' : 'This exam has no seats yet.' }}</p>
    }
    <div class="grid" data-testid="wall">
      @for (t of tiles(); track t.seatId) {
        <vigil-wall-tile [tile]="t" (focus)="open($event)" (mouseenter)="pointed.set(t)" (mouseleave)="pointed.set(null)"
          (focusin)="pointed.set(t)" (focusout)="pointed.set(null)" />
      }
    </div>
  `,
  styles: `
    .alerts { margin: 0 0 12px; padding: 8px 12px; border: 1px solid #e57373; border-radius: 6px; background: #fff5f5; }
    .alerts h2 { margin: 0 0 6px; font-size: 15px; }
    .alert { display: flex; gap: 8px; align-items: center; padding: 4px 0; flex-wrap: wrap; }
    .alert .kind { color: #c62828; font-weight: 500; }
    .alert .note { width: 240px; padding: 4px 6px; }
    .error { color: #c62828; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 8px; }
    .search { width: 200px; }
    .page-header { flex-wrap: wrap; gap: 8px; }
  `,
})
export class ExamWallComponent {
  readonly examId = input.required<string>();

  private readonly api = inject(ProctorApi);
  private readonly connection = inject(ProctorConnection);
  private readonly store = inject(StreamsStore);
  private readonly router = inject(Router);
  private readonly alertsApi = inject(AlertsApi);

  protected readonly exam = signal<Exam | null>(null);
  protected readonly seats = signal<Seat[] | null>(null);
  protected readonly query = signal('');
  protected readonly filter = signal<WallFilter>('all');
  protected readonly sort = signal<WallSort>('attention');
  /** Alerts not yet acknowledged, newest first. */
  protected readonly alerts = signal<AlertView[]>([]);
  protected readonly notes = signal<Partial<Record<number, string>>>({});
  protected readonly alertError = signal<string | null>(null);
  protected readonly kindLabel = alertKindLabel;
  private readonly openAlertsBySeat = computed(() => {
    const m = new Map<string, number>();
    for (const a of this.alerts()) m.set(a.seatId, (m.get(a.seatId) ?? 0) + 1);
    return m;
  });

  private readonly rows = computed(() => {
    const streamsKnown = this.connection.status() === 'open' && this.store.loaded();
    const examId = this.examId();
    return mergeSeatStatus(this.seats() ?? [], this.store.streams().filter((s) => s.examId === examId), streamsKnown);
  });
  protected readonly tiles = computed(() => wallTiles(this.rows(), this.sort(), this.filter(), this.query(), this.openAlertsBySeat()));
  protected readonly counts = computed(() => countByStatus(this.rows()));
  /** The tile pointed at or focused: the strip shows its stream's figures. */
  protected readonly pointed = signal<WallTile | null>(null);
  /** Stream id → the seat's name, for the streams the strip names. */
  protected readonly streamNames = computed(() => new Map(this.rows().flatMap((r) => (r.streamId ? [[r.streamId, r.seat.displayName] as const] : []))));

  private polling: Subscription | null = null;
  private alertPolling: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.examId();
      untracked(() => this.load(id));
    });
    inject(DestroyRef).onDestroy(() => {
      this.polling?.unsubscribe();
      this.alertPolling?.unsubscribe();
    });
  }

  /** The seat's student name (alerts name seats by id). */
  protected seatName(seatId: string): string {
    const seat = (this.seats() ?? []).find((s) => s.id === seatId);
    return seat ? `${seat.displayName} (${seat.studentId})` : seatId;
  }

  protected time(ms: number): string {
    return new Date(ms).toLocaleTimeString();
  }

  protected noteOf(alertId: number): string {
    return this.notes()[alertId] ?? '';
  }

  protected setNote(alertId: number, note: string): void {
    this.notes.update((n) => ({ ...n, [alertId]: note }));
  }

  /** Acknowledges an alert with the note typed beside it; it leaves the list. */
  protected async acknowledge(alert: AlertView): Promise<void> {
    try {
      await firstValueFrom(this.alertsApi.acknowledge(alert.id, this.noteOf(alert.id).trim()));
      this.alertError.set(null);
      this.alerts.update((list) => list.filter((a) => a.id !== alert.id));
    } catch (err) {
      this.alertError.set(describeHttpError(err));
    }
  }

  /** Opens the focused live view of a tile's stream. */
  protected open(tile: WallTile): void {
    if (tile.streamId) void this.router.navigate(['/streams', tile.streamId]);
  }

  private load(examId: string): void {
    this.polling?.unsubscribe();
    this.alertPolling?.unsubscribe();
    this.alerts.set([]);
    this.alertPolling = timer(0, ALERT_POLL_MS)
      .pipe(switchMap(() => this.alertsApi.list(examId, true).pipe(catchError(() => of(null)))))
      .subscribe((list) => {
        if (list !== null) this.alerts.set(list);
      });
    this.seats.set(null);
    this.api.exam(examId).subscribe({ next: (e) => this.exam.set(e), error: () => this.exam.set(null) });
    this.polling = timer(0, SEAT_POLL_MS)
      .pipe(switchMap(() => this.api.seats(examId).pipe(catchError(() => of(null)))))
      .subscribe((seats) => {
        if (seats !== null) this.seats.set(seats);
      });
  }
}
