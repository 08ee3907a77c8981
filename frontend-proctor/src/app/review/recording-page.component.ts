import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { EMPTY, Subscription, catchError, forkJoin, of, switchMap, type Observable } from 'rxjs';
import type { Exam, Seat } from '@vigil/api';
import { AuthService } from '../auth/auth.service';
import { httpStatus } from '../core/http-error';
import type { RecordingMeta } from '@vigil/api';
import { ProctorApi } from '../core/proctor-api';
import { NotFoundComponent } from '../shared/not-found.component';
import { ReviewPlayerComponent } from './review-player.component';
import { parseWallClock } from './wall-clock';

/**
 * `/recordings/:streamId[?at=<time>]`: the review player of one stream's recording.
 * `at` is a wall-clock time (ms since the Unix epoch, or ISO 8601 with a zone) to start
 * at. `GET /api/recordings/:streamId` names its exam and seat; a 404 (no such recording,
 * or another exam's) shows "not found". While the stream is live, "Live" opens its live view.
 */
@Component({
  selector: 'vigil-recording-page',
  imports: [RouterLink, NotFoundComponent, ReviewPlayerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (notFound()) {
      <vigil-not-found title="Recording not found"
        detail="This recording does not exist, was deleted, or belongs to an exam you are not assigned to." />
    } @else {
      <nav class="crumbs">
        <a routerLink="/exams">{{ auth.isAdmin() ? 'All exams' : 'My exams' }}</a> ›
        @if (meta(); as m) {
          <a [routerLink]="['/exams', m.examId]" data-testid="back-to-exam">{{ exam()?.name ?? 'Exam' }}</a> ›
        }
      </nav>
      <h1>
        Recording ·
        @if (seat(); as s) {
          {{ s.displayName }} <span class="muted">· {{ s.studentId }}</span>
        } @else {
          <span class="muted">{{ streamId() }}</span>
        }
      </h1>
      <section class="card stage">
        <vigil-review-player [streamId]="streamId()" [startAt]="startAt()" [eventTrack]="true" (goLive)="live()" />
      </section>
    }
  `,
  styles: `
    h1 { display: flex; align-items: center; gap: 0.5rem; }
    .stage { padding: 0.8rem; }
  `,
})
export class RecordingPageComponent {
  /** Route parameter `:streamId`. */
  readonly streamId = input.required<string>();
  /** Query parameter `at`: where to start (ms since the Unix epoch, or ISO 8601 with a zone). */
  readonly at = input<string | undefined>(undefined);

  protected readonly auth = inject(AuthService);
  private readonly api = inject(ProctorApi);
  private readonly router = inject(Router);

  protected readonly notFound = signal(false);
  protected readonly meta = signal<RecordingMeta | null>(null);
  protected readonly exam = signal<Exam | null>(null);
  protected readonly seat = signal<Seat | null>(null);
  protected readonly startAt = computed(() => {
    const at = this.at();
    return at ? parseWallClock(at, Date.now()) : null;
  });

  private lookup: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.streamId();
      untracked(() => this.lookUp(id));
    });
    inject(DestroyRef).onDestroy(() => this.lookup?.unsubscribe());
  }

  /** The live view of this stream, at its live edge. */
  protected live(): void {
    void this.router.navigate(['/streams', this.streamId()]);
  }

  private lookUp(streamId: string): void {
    this.lookup?.unsubscribe();
    this.notFound.set(false);
    this.meta.set(null);
    const optional = <T>(o: Observable<T>) => o.pipe(catchError(() => of(null)));
    this.lookup = this.api
      .recording(streamId)
      .pipe(
        catchError((err: unknown) => {
          if (httpStatus(err) === 404 || httpStatus(err) === 410) this.notFound.set(true);
          return EMPTY;
        }),
        switchMap(({ meta }) => forkJoin({ meta: of(meta), exam: optional(this.api.exam(meta.examId)), seat: optional(this.api.seat(meta.examId, meta.seatId)) })),
      )
      .subscribe(({ meta, exam, seat }) => {
        this.meta.set(meta);
        this.exam.set(exam);
        this.seat.set(seat);
      });
  }
}
