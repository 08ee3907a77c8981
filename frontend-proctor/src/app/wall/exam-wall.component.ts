import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Subscription, catchError, of, switchMap, timer } from 'rxjs';
import type { Exam, Seat } from '@vigil/api';
import { ProctorApi } from '../core/proctor-api';
import { ProctorConnection } from '../core/proctor-connection';
import { StreamsStore } from '../core/streams-store';
import { countByStatus, mergeSeatStatus } from '../exams/seat-status';
import { WallTileComponent } from './wall-tile.component';
import { wallTiles, type WallFilter, type WallSort, type WallTile } from './wall-order';

/** How often the seat list is fetched again, ms (as the exam page; the WebSocket's stream list updates status in between). */
const SEAT_POLL_MS = 4000;

/**
 * `/exams/:examId/wall`: every seat of the exam at a glance, one tile per seat with the
 * student's live screen ({@link WallTileComponent}), sorted and filtered (attention first,
 * by name; all, needing attention, streaming; a search). A tile opens the focused live view.
 * Seats are polled like the exam page; connection state comes from the WebSocket's stream list.
 */
@Component({
  selector: 'vigil-exam-wall',
  imports: [RouterLink, WallTileComponent, MatButtonToggleModule, MatFormFieldModule, MatInputModule],
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
    @if (seats() === null) {
      <p class="muted">Loading seats…</p>
    } @else if (tiles().length === 0) {
      <p class="muted">{{ query() || filter() !== 'all' ? 'No seat matches.' : 'This exam has no seats yet.' }}</p>
    }
    <div class="grid" data-testid="wall">
      @for (t of tiles(); track t.seatId) {
        <vigil-wall-tile [tile]="t" (focus)="open($event)" />
      }
    </div>
  `,
  styles: `
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

  protected readonly exam = signal<Exam | null>(null);
  protected readonly seats = signal<Seat[] | null>(null);
  protected readonly query = signal('');
  protected readonly filter = signal<WallFilter>('all');
  protected readonly sort = signal<WallSort>('attention');

  private readonly rows = computed(() => {
    const streamsKnown = this.connection.status() === 'open' && this.store.loaded();
    const examId = this.examId();
    return mergeSeatStatus(this.seats() ?? [], this.store.streams().filter((s) => s.examId === examId), streamsKnown);
  });
  protected readonly tiles = computed(() => wallTiles(this.rows(), this.sort(), this.filter(), this.query()));
  protected readonly counts = computed(() => countByStatus(this.rows()));

  private polling: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.examId();
      untracked(() => this.load(id));
    });
    inject(DestroyRef).onDestroy(() => this.polling?.unsubscribe());
  }

  /** Opens the focused live view of a tile's stream. */
  protected open(tile: WallTile): void {
    if (tile.streamId) void this.router.navigate(['/streams', tile.streamId]);
  }

  private load(examId: string): void {
    this.polling?.unsubscribe();
    this.seats.set(null);
    this.api.exam(examId).subscribe({ next: (e) => this.exam.set(e), error: () => this.exam.set(null) });
    this.polling = timer(0, SEAT_POLL_MS)
      .pipe(switchMap(() => this.api.seats(examId).pipe(catchError(() => of(null)))))
      .subscribe((seats) => {
        if (seats !== null) this.seats.set(seats);
      });
  }
}
