import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';
import type { Seat } from '@vigil/api';
import { describeHttpError } from '../../core/http-error';
import { AdminApi } from '../admin-api';

/** Which seat to edit (or none: a new seat of `examId`). */
export interface SeatDialogData {
  examId: string;
  seat: Seat | null;
}

/** No control characters: the server's rule for student ids. */
const STUDENT_ID = /^[^\u0000-\u001f\u007f]+$/;

/** Create or edit a seat (student id and name); closes with the saved seat. */
@Component({
  selector: 'vigil-seat-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.seat ? 'Edit seat' : 'New seat' }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="fields">
        <mat-form-field appearance="outline">
          <mat-label>Student id</mat-label>
          <input matInput formControlName="studentId" cdkFocusInitial data-testid="seat-student-id" />
          <mat-hint>Unique within the exam</mat-hint>
          <mat-error>1 to 128 characters, no control characters.</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input matInput formControlName="displayName" data-testid="seat-name" />
          <mat-error>1 to 200 characters.</mat-error>
        </mat-form-field>
        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="seat-save">{{ data.seat ? 'Save' : 'Add seat' }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .fields { display: flex; flex-direction: column; gap: 0.25rem; padding-top: 0.5rem !important; }
    .error { color: var(--mat-sys-error); margin: 0; }
  `,
})
export class SeatDialogComponent {
  protected readonly data = inject<SeatDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<SeatDialogComponent, Seat>>(MatDialogRef);
  private readonly api = inject(AdminApi);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    studentId: [this.data.seat?.studentId ?? '', [Validators.required, Validators.maxLength(128), Validators.pattern(STUDENT_ID)]],
    displayName: [this.data.seat?.displayName ?? '', [Validators.required, Validators.maxLength(200)]],
  });

  protected async save(): Promise<void> {
    this.form.markAllAsTouched();
    if (this.form.invalid) return;
    const v = this.form.getRawValue();
    const body = { studentId: v.studentId.trim(), displayName: v.displayName.trim() };
    this.busy.set(true);
    this.error.set(null);
    try {
      const seat = this.data.seat
        ? await firstValueFrom(this.api.updateSeat(this.data.examId, this.data.seat.id, body))
        : await firstValueFrom(this.api.createSeat(this.data.examId, body));
      this.ref.close(seat);
    } catch (err) {
      this.error.set(describeHttpError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
