import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { Subscription, catchError, firstValueFrom, of, switchMap, timer } from 'rxjs';
import type { Exam, Seat, SeatStatus } from '@vigil/api';
import { FPS_CHOICES, formatAge, formatFps, formatResolution } from '../core/format';
import { describeHttpError, httpStatus } from '../core/http-error';
import type { RecordingMeta } from '@vigil/api';
import { ProctorApi } from '../core/proctor-api';
import { ProctorConnection } from '../core/proctor-connection';
import { StreamsStore } from '../core/streams-store';
import { AuthService } from '../auth/auth.service';
import { NotFoundComponent } from '../shared/not-found.component';
import { examPhase, examPhaseLabel, formatExamWindow } from './exam-schedule';
import { countByStatus, filterSeats, mergeSeatStatus, seatOpenAction, seatStatusLabel, type SeatRow } from './seat-status';
import { recordingsBySeat } from './seat-recordings';
import { incidentsCsvUrl } from './incidents';
import { formatDateTime } from '../review/wall-clock';

/** How often the seat list is fetched again, ms (the WebSocket's stream list updates status in between). */
export const SEAT_POLL_MS = 4000;
/** How often the recordings list (`GET /api/recordings`) is fetched again, ms. */
export const RECORDINGS_POLL_MS = 15_000;

const STATUS_CHIP: Record<SeatStatus, string> = { streaming: 'chip-ok', offline: 'chip-warn', 'never-connected': 'chip-muted' };

/**
 * `/exams/:examId`: the exam's seats with live status (streaming / offline /
 * never connected, last seen). The seat list is polled; the proctor
 * WebSocket's `streams` messages update the status as soon as a Sentinel
 * connects or drops. A seat opens the live view of its stream; "Review" opens the
 * review player of the seat's recording (a menu when the seat has several streams).
 * "Download incidents (CSV)": the exam's flags, notes and alerts (`incidents.csv`).
 */
@Component({
  selector: 'vigil-exam-page',
  imports: [
    RouterLink,
    NotFoundComponent,
    MatTableModule,
    MatChipsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatMenuModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (notFound()) {
      <vigil-not-found />
    } @else {
      <nav class="crumbs"><a routerLink="/exams">{{ auth.isAdmin() ? 'All exams' : 'My exams' }}</a> ›</nav>
      <div class="page-header">
        <h1 data-testid="exam-name">{{ exam()?.name ?? 'Exam' }}</h1>
        @if (exam(); as e) {
          <mat-chip-set><mat-chip [class]="phase() === 'running' ? 'chip-ok' : 'chip-muted'" [disableRipple]="true">{{ phaseLabel() }}</mat-chip></mat-chip-set>
          <span class="muted num">{{ window(e) }} · starts at {{ e.defaultFps }} fps</span>
        }
        <span class="spacer"></span>
        <a mat-flat-button [routerLink]="['/exams', examId(), 'wall']" data-testid="open-wall" title="Every seat's live screen at a glance">Wall</a>
        <a mat-stroked-button [href]="incidentsUrl()" download data-testid="incidents-csv"
          title="Every proctor flag and note on this exam's recordings and every alert, with a link to the moment">Download incidents (CSV)</a>
        @if (auth.isAdmin()) {
          <button mat-stroked-button type="button" [matMenuTriggerFor]="fpsMenu" data-testid="exam-fps"
            title="Set the frame rate of every live stream of this exam now">Frame rate of all streams</button>
          <mat-menu #fpsMenu="matMenu">
            @for (f of fpsChoices; track f) {
              <button mat-menu-item type="button" (click)="setExamFps(f)" [attr.data-fps]="f">{{ fps(f) }}</button>
            }
          </mat-menu>
          <a mat-stroked-button [routerLink]="['/admin/exams', examId(), 'seats']">Manage seats</a>
        }
      </div>

      <div class="toolbar">
        <mat-chip-set aria-label="Seats by status" data-testid="seat-counts">
          <mat-chip class="chip-ok" [disableRipple]="true">{{ counts().streaming }} streaming</mat-chip>
          <mat-chip class="chip-warn" [disableRipple]="true">{{ counts().offline }} offline</mat-chip>
          <mat-chip class="chip-muted" [disableRipple]="true">{{ counts()['never-connected'] }} never connected</mat-chip>
        </mat-chip-set>
        <span class="spacer"></span>
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="search">
          <mat-label>Find a student</mat-label>
          <input matInput [value]="query()" (input)="query.set($any($event.target).value)" />
        </mat-form-field>
      </div>
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }

      <div class="table-card">
        @if (seats() === null) {
          <mat-progress-bar mode="indeterminate" />
        }
        <table mat-table [dataSource]="visible()" [trackBy]="trackSeat" data-testid="seat-table">
          <ng-container matColumnDef="studentId">
            <th mat-header-cell *matHeaderCellDef>Student id</th>
            <td mat-cell *matCellDef="let r" class="mono">{{ r.seat.studentId }}</td>
          </ng-container>
          <ng-container matColumnDef="name">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let r">{{ r.seat.displayName }}</td>
          </ng-container>
          <ng-container matColumnDef="status">
            <th mat-header-cell *matHeaderCellDef>Status</th>
            <td mat-cell *matCellDef="let r">
              <mat-chip-set>
                <mat-chip [class]="statusChip(r.status)" [disableRipple]="true" data-testid="seat-status">{{ statusLabel(r.status) }}</mat-chip>
              </mat-chip-set>
            </td>
          </ng-container>
          <ng-container matColumnDef="lastSeen">
            <th mat-header-cell *matHeaderCellDef>Last seen</th>
            <td mat-cell *matCellDef="let r" class="num">{{ r.status === 'streaming' ? 'now' : age(r.lastSeenAtMs) }}</td>
          </ng-container>
          <ng-container matColumnDef="video">
            <th mat-header-cell *matHeaderCellDef>Video</th>
            <td mat-cell *matCellDef="let r" class="num muted">
              @if (r.stream; as s) {
                {{ resolution(s.width, s.height) }} · {{ fps(s.fps) }}
              } @else {
                —
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="recording">
            <th mat-header-cell *matHeaderCellDef>Recording</th>
            <td mat-cell *matCellDef="let r">
              @let recs = recordingsOf(r.seat.id);
              @if (recs.length === 1) {
                <a mat-button [routerLink]="['/recordings', recs[0].streamId]" data-testid="review-seat">Review</a>
              } @else if (recs.length > 1) {
                <button mat-button type="button" [matMenuTriggerFor]="recMenu" data-testid="review-seat">Review ({{ recs.length }})</button>
                <mat-menu #recMenu="matMenu">
                  @for (m of recs; track m.streamId) {
                    <a mat-menu-item [routerLink]="['/recordings', m.streamId]" data-testid="review-seat-item">Started {{ started(m.createdAtMs) }}</a>
                  }
                </mat-menu>
              } @else {
                <span class="muted">—</span>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="action">
            <th mat-header-cell *matHeaderCellDef></th>
            <td mat-cell *matCellDef="let r" class="r">
              @if (r.streamId) {
                <a mat-flat-button [routerLink]="['/streams', r.streamId]" data-testid="watch-seat">Watch</a>
              } @else {
                <button mat-button type="button" (click)="open(r)" data-testid="seat-offline">
                  Not streaming
                </button>
              }
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr
            mat-row
            *matRowDef="let r; columns: columns"
            class="clickable"
            [attr.data-seat-id]="r.seat.id"
            [attr.data-student-id]="r.seat.studentId"
            [attr.data-status]="r.status"
            (click)="rowClick($event, r)"
          ></tr>
          <tr class="mat-mdc-row empty-row" *matNoDataRow>
            <td class="mat-mdc-cell" [attr.colspan]="columns.length">
              {{ seats() === null ? 'Loading…' : query() ? 'No seat matches.' : 'This exam has no seats yet.' }}
            </td>
          </tr>
        </table>
      </div>
    }
  `,
  styles: `
    .toolbar { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; margin-bottom: 0.75rem; }
    .search { width: 260px; }
    .r { text-align: right; }
    .error { color: var(--mat-sys-error); }
  `,
})
export class ExamPageComponent {
  /** Route parameter `:examId`. */
  readonly examId = input.required<string>();

  protected readonly auth = inject(AuthService);
  private readonly api = inject(ProctorApi);
  private readonly router = inject(Router);
  private readonly snackBar = inject(MatSnackBar);
  private readonly store = inject(StreamsStore);
  private readonly connection = inject(ProctorConnection);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly columns = ['studentId', 'name', 'status', 'lastSeen', 'video', 'recording', 'action'];
  protected readonly exam = signal<Exam | null>(null);
  protected readonly seats = signal<Seat[] | null>(null);
  protected readonly notFound = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly query = signal('');
  private readonly recordings = signal<RecordingMeta[]>([]);
  private readonly recordingMap = computed(() => recordingsBySeat(this.recordings(), this.examId()));

  protected readonly rows = computed(() => {
    const streamsKnown = this.connection.status() === 'open' && this.store.loaded();
    const examId = this.examId();
    return mergeSeatStatus(this.seats() ?? [], this.store.streams().filter((s) => s.examId === examId), streamsKnown);
  });
  protected readonly visible = computed(() => filterSeats(this.rows(), this.query()));
  protected readonly counts = computed(() => countByStatus(this.rows()));
  protected readonly phase = computed(() => {
    const e = this.exam();
    return e ? examPhase(e.startsAtMs, e.endsAtMs, this.store.now()) : 'upcoming';
  });
  protected readonly phaseLabel = computed(() => examPhaseLabel(this.phase()));
  /** The incidents export (the exam's proctors and admins: whoever sees this page). */
  protected readonly incidentsUrl = computed(() => incidentsCsvUrl(this.examId()));

  protected readonly statusLabel = seatStatusLabel;
  protected readonly resolution = formatResolution;
  protected readonly fps = formatFps;
  protected readonly fpsChoices = FPS_CHOICES;
  protected readonly trackSeat = (_: number, r: SeatRow) => r.seat.id;

  private polling: Subscription | null = null;
  private recordingPolling: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.examId();
      untracked(() => this.load(id));
    });
    this.destroyRef.onDestroy(() => {
      this.polling?.unsubscribe();
      this.recordingPolling?.unsubscribe();
    });
  }

  protected window(e: Exam): string {
    return formatExamWindow(e.startsAtMs, e.endsAtMs);
  }

  /** The seat's recordings, newest first. */
  protected recordingsOf(seatId: string): RecordingMeta[] {
    return this.recordingMap().get(seatId) ?? [];
  }

  protected started(ms: number): string {
    return formatDateTime(ms, false);
  }

  protected statusChip(status: SeatStatus): string {
    return STATUS_CHIP[status];
  }

  protected age(atMs: number | null): string {
    return formatAge(atMs, this.store.now());
  }

  protected rowClick(ev: MouseEvent, r: SeatRow): void {
    if ((ev.target as HTMLElement).closest('a, button')) return;
    this.open(r);
  }

  /** Sets the frame rate of every stream of the exam (admins) and says how many took it. */
  protected async setExamFps(fps: number): Promise<void> {
    try {
      const r = await firstValueFrom(this.api.setExamFps(this.examId(), fps));
      const waiting = r.streams - r.applied;
      const text =
        r.streams === 0
          ? `No live stream to set to ${formatFps(fps)}; new streams start at the exam's own rate.`
          : `Frame rate ${formatFps(fps)} set on ${r.applied} of ${r.streams} streams${waiting > 0 ? ` (${waiting} get it when their Sentinel reconnects)` : ''}.`;
      this.snackBar.open(text, 'OK', { duration: 5000 });
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  /** Opens the seat's live view, or says that the seat is offline. */
  protected open(r: SeatRow): void {
    const action = seatOpenAction(r, this.store.now());
    if (action.kind === 'watch') void this.router.navigate(['/streams', action.streamId]);
    else this.snackBar.open(action.message, 'OK', { duration: 6000 });
  }

  private load(examId: string): void {
    this.exam.set(null);
    this.seats.set(null);
    this.notFound.set(false);
    this.error.set(null);
    this.polling?.unsubscribe();
    this.recordingPolling?.unsubscribe();
    this.recordings.set([]);
    this.recordingPolling = timer(0, RECORDINGS_POLL_MS)
      .pipe(switchMap(() => this.api.recordings(examId).pipe(catchError(() => of(null)))))
      .subscribe((list) => {
        if (list) this.recordings.set(list);
      });
    this.api
      .exam(examId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (e) => this.exam.set(e),
        error: (err: unknown) => this.failed(err),
      });
    this.polling = timer(0, SEAT_POLL_MS)
      .pipe(
        switchMap(() =>
          this.api.seats(examId).pipe(
            catchError((err: unknown) => {
              this.failed(err);
              return of(null);
            }),
          ),
        ),
      )
      .subscribe((seats) => {
        if (seats === null) return;
        this.error.set(null);
        this.seats.set(seats);
      });
  }

  private failed(err: unknown): void {
    if (httpStatus(err) === 404) {
      this.notFound.set(true);
      this.polling?.unsubscribe();
      this.recordingPolling?.unsubscribe();
    } else {
      this.error.set(describeHttpError(err));
    }
  }
}
