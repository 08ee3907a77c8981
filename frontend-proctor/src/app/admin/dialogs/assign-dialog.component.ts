import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule, type MatChipListboxChange } from '@angular/material/chips';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';
import type { Exam, User } from '@vigil/api';
import { describeHttpError } from '../../core/http-error';
import { formatExamWindow } from '../../exams/exam-schedule';
import { AdminApi } from '../admin-api';
import { assignmentChanges } from '../assignments';

/** Whose assignments, and the exams to choose from. */
export interface AssignData {
  user: User;
  exams: Exam[];
}

/**
 * Choose the exams a proctor is assigned to (selectable chips). Saving sends
 * one PUT or DELETE per changed exam; closes with true when something changed.
 */
@Component({
  selector: 'vigil-assign-dialog',
  imports: [MatDialogModule, MatButtonModule, MatChipsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Exams of {{ data.user.displayName || data.user.email }}</h2>
    <mat-dialog-content>
      <p class="muted">The proctor sees, watches and fetches recordings of these exams only.</p>
      @if (data.exams.length === 0) {
        <p>There are no exams yet.</p>
      }
      <mat-chip-listbox multiple aria-label="Assigned exams" (change)="changed($event)" data-testid="assign-exams">
        @for (e of data.exams; track e.id) {
          <mat-chip-option [value]="e.id" [selected]="selected().has(e.id)" [attr.data-exam-id]="e.id">
            {{ e.name }} <span class="when">· {{ when(e) }}</span>
          </mat-chip-option>
        }
      </mat-chip-listbox>
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button mat-flat-button type="button" (click)="save()" [disabled]="busy()" data-testid="assign-save">Save</button>
    </mat-dialog-actions>
  `,
  styles: `
    .when { opacity: 0.7; font-size: 0.85em; }
    .error { color: var(--mat-sys-error); }
  `,
})
export class AssignDialogComponent {
  protected readonly data = inject<AssignData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<AssignDialogComponent, boolean>>(MatDialogRef);
  private readonly api = inject(AdminApi);
  protected readonly selected = signal<ReadonlySet<string>>(new Set(this.data.user.examIds));
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected when(e: Exam): string {
    return formatExamWindow(e.startsAtMs, e.endsAtMs);
  }

  protected changed(ev: MatChipListboxChange): void {
    this.selected.set(new Set((ev.value as string[] | null) ?? []));
  }

  protected async save(): Promise<void> {
    const { assign, unassign } = assignmentChanges(this.data.user.examIds, [...this.selected()], this.data.exams.map((e) => e.id));
    this.busy.set(true);
    this.error.set(null);
    try {
      for (const examId of assign) await firstValueFrom(this.api.assignProctor(examId, this.data.user.id));
      for (const examId of unassign) await firstValueFrom(this.api.unassignProctor(examId, this.data.user.id));
      this.ref.close(assign.length + unassign.length > 0);
    } catch (err) {
      this.error.set(describeHttpError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
