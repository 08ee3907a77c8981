import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { interval, map, startWith } from 'rxjs';
import type { Exam } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { ProctorApi } from '../core/proctor-api';
import { AuthService } from '../auth/auth.service';
import { examPhase, examPhaseLabel, formatExamWindow, type ExamPhase } from './exam-schedule';

const PHASE_CHIP: Record<ExamPhase, string> = { running: 'chip-ok', upcoming: 'chip-primary', over: 'chip-muted' };

/** `/exams`: the exams the proctor is assigned to (admins: all exams). */
@Component({
  selector: 'vigil-exam-list',
  imports: [RouterLink, MatTableModule, MatChipsModule, MatButtonModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-header">
      <h1>{{ auth.isAdmin() ? 'All exams' : 'My exams' }}</h1>
      <span class="spacer"></span>
      @if (auth.isAdmin()) {
        <a mat-stroked-button routerLink="/admin/exams">Manage exams</a>
      }
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="table-card">
      @if (exams() === null) {
        <mat-progress-bar mode="indeterminate" />
      }
      <table mat-table [dataSource]="exams() ?? []" data-testid="exam-table">
        <ng-container matColumnDef="name">
          <th mat-header-cell *matHeaderCellDef>Exam</th>
          <td mat-cell *matCellDef="let e">
            <a [routerLink]="['/exams', e.id]" class="name" data-testid="exam-link">{{ e.name }}</a>
          </td>
        </ng-container>
        <ng-container matColumnDef="window">
          <th mat-header-cell *matHeaderCellDef>When</th>
          <td mat-cell *matCellDef="let e" class="num">{{ window(e) }}</td>
        </ng-container>
        <ng-container matColumnDef="phase">
          <th mat-header-cell *matHeaderCellDef>Status</th>
          <td mat-cell *matCellDef="let e">
            <mat-chip-set>
              <mat-chip [class]="phaseChip(e)" [disableRipple]="true">{{ phaseLabel(e) }}</mat-chip>
            </mat-chip-set>
          </td>
        </ng-container>
        <ng-container matColumnDef="fps">
          <th mat-header-cell *matHeaderCellDef class="r">Frame rate</th>
          <td mat-cell *matCellDef="let e" class="num r">{{ e.defaultFps }} fps</td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let e; columns: columns" class="clickable" [attr.data-exam-id]="e.id" (click)="open($event, e)"></tr>
        <tr class="mat-mdc-row empty-row" *matNoDataRow>
          <td class="mat-mdc-cell" [attr.colspan]="columns.length">
            {{ exams() === null ? 'Loading…' : auth.isAdmin() ? 'No exams yet: create one under Admin.' : 'You are not assigned to any exam yet.' }}
          </td>
        </tr>
      </table>
    </div>
  `,
  styles: `
    .name { font-weight: 600; text-decoration: none; }
    .r { text-align: right; }
    .error { color: var(--mat-sys-error); }
  `,
})
export class ExamListComponent {
  protected readonly auth = inject(AuthService);
  private readonly api = inject(ProctorApi);
  private readonly router = inject(Router);
  protected readonly columns = ['name', 'window', 'phase', 'fps'];
  protected readonly exams = signal<Exam[] | null>(null);
  protected readonly error = signal<string | null>(null);
  private readonly now = toSignal(interval(30_000).pipe(startWith(0), map(() => Date.now())), { initialValue: Date.now() });
  protected readonly phases = computed(() => {
    const now = this.now();
    return new Map((this.exams() ?? []).map((e) => [e.id, examPhase(e.startsAtMs, e.endsAtMs, now)]));
  });

  constructor() {
    this.api.exams().subscribe({
      next: (exams) => this.exams.set(exams),
      error: (err: unknown) => {
        this.exams.set([]);
        this.error.set(describeHttpError(err));
      },
    });
  }

  protected window(e: Exam): string {
    return formatExamWindow(e.startsAtMs, e.endsAtMs);
  }

  protected phaseLabel(e: Exam): string {
    return examPhaseLabel(this.phases().get(e.id) ?? 'upcoming');
  }

  protected phaseChip(e: Exam): string {
    return PHASE_CHIP[this.phases().get(e.id) ?? 'upcoming'];
  }

  /** Row click opens the exam (the name is a real link too, for keyboard and new tabs). */
  protected open(ev: MouseEvent, e: Exam): void {
    if ((ev.target as HTMLElement).closest('a')) return;
    void this.router.navigate(['/exams', e.id]);
  }
}
