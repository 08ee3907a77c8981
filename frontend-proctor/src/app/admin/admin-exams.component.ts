import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { firstValueFrom } from 'rxjs';
import type { Exam } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { formatExamWindow } from '../exams/exam-schedule';
import { AdminApi } from './admin-api';
import { confirmAction } from './dialogs/confirm-dialog.component';
import { ExamDialogComponent } from './dialogs/exam-dialog.component';

/** `/admin/exams`: create, edit and delete exams; each links to its seats. */
@Component({
  selector: 'vigil-admin-exams',
  imports: [RouterLink, MatTableModule, MatButtonModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-header">
      <h1>Exams</h1>
      <span class="spacer"></span>
      <button mat-flat-button type="button" (click)="create()" data-testid="new-exam">New exam</button>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="table-card">
      @if (exams() === null) {
        <mat-progress-bar mode="indeterminate" />
      }
      <table mat-table [dataSource]="exams() ?? []" data-testid="admin-exam-table">
        <ng-container matColumnDef="name">
          <th mat-header-cell *matHeaderCellDef>Name</th>
          <td mat-cell *matCellDef="let e"><a [routerLink]="['/exams', e.id]" class="name">{{ e.name }}</a></td>
        </ng-container>
        <ng-container matColumnDef="window">
          <th mat-header-cell *matHeaderCellDef>When</th>
          <td mat-cell *matCellDef="let e" class="num">{{ window(e) }}</td>
        </ng-container>
        <ng-container matColumnDef="fps">
          <th mat-header-cell *matHeaderCellDef class="r">Frame rate</th>
          <td mat-cell *matCellDef="let e" class="num r">{{ e.defaultFps }} fps</td>
        </ng-container>
        <ng-container matColumnDef="retention">
          <th mat-header-cell *matHeaderCellDef class="r">Kept</th>
          <td mat-cell *matCellDef="let e" class="num r">{{ e.retentionDays }} d</td>
        </ng-container>
        <ng-container matColumnDef="actions">
          <th mat-header-cell *matHeaderCellDef></th>
          <td mat-cell *matCellDef="let e" class="r actions">
            <a mat-stroked-button [routerLink]="['/admin/exams', e.id, 'seats']" data-testid="exam-seats">Seats</a>
            <button mat-button type="button" (click)="edit(e)">Edit</button>
            <button mat-button type="button" class="danger" (click)="remove(e)">Delete</button>
          </td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let e; columns: columns" [attr.data-exam-id]="e.id"></tr>
        <tr class="mat-mdc-row empty-row" *matNoDataRow>
          <td class="mat-mdc-cell" [attr.colspan]="columns.length">{{ exams() === null ? 'Loading…' : 'No exams yet.' }}</td>
        </tr>
      </table>
    </div>
  `,
  styles: `
    .name { font-weight: 600; text-decoration: none; }
    .r { text-align: right; }
    .actions { white-space: nowrap; }
    .actions > * { margin-left: 0.25rem; }
    .danger { color: var(--mat-sys-error); }
    .error { color: var(--mat-sys-error); }
  `,
})
export class AdminExamsComponent {
  private readonly api = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  protected readonly columns = ['name', 'window', 'fps', 'retention', 'actions'];
  protected readonly exams = signal<Exam[] | null>(null);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.reload();
  }

  protected window(e: Exam): string {
    return formatExamWindow(e.startsAtMs, e.endsAtMs);
  }

  protected async create(): Promise<void> {
    const ref = this.dialog.open<ExamDialogComponent, null, Exam>(ExamDialogComponent, { data: null, width: '560px' });
    const exam = await firstValueFrom(ref.afterClosed());
    if (!exam) return;
    this.snackBar.open(`Exam “${exam.name}” created. Add its seats next.`, 'OK', { duration: 5000 });
    this.reload();
  }

  protected async edit(e: Exam): Promise<void> {
    const ref = this.dialog.open<ExamDialogComponent, Exam, Exam>(ExamDialogComponent, { data: e, width: '560px' });
    if (await firstValueFrom(ref.afterClosed())) this.reload();
  }

  protected async remove(e: Exam): Promise<void> {
    const ok = await confirmAction(this.dialog, {
      title: `Delete “${e.name}”?`,
      message: 'Its seats and proctor assignments go, and its live streams end now. Recordings are kept.',
      confirm: 'Delete exam',
    });
    if (!ok) return;
    try {
      await firstValueFrom(this.api.deleteExam(e.id));
      this.snackBar.open(`Exam “${e.name}” deleted.`, 'OK', { duration: 4000 });
      this.reload();
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  private reload(): void {
    this.api.exams().subscribe({
      next: (exams) => {
        this.exams.set(exams);
        this.error.set(null);
      },
      error: (err: unknown) => {
        this.exams.set(this.exams() ?? []);
        this.error.set(describeHttpError(err));
      },
    });
  }
}
