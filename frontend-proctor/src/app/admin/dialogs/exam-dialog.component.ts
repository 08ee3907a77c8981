import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';
import type { Exam } from '@vigil/api';
import { describeHttpError } from '../../core/http-error';
import { AdminApi } from '../admin-api';
import { MAX_FPS, MIN_FPS, examBody, examFormProblems, examPatch, examToForm, newExamDefaults, type ExamFormValue } from '../exam-form';
import { bindProblems, problemOf } from '../form-problems';

/** Create an exam (no data) or edit one; closes with the saved {@link Exam}. */
@Component({
  selector: 'vigil-exam-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ exam ? 'Edit exam' : 'New exam' }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="grid">
        <mat-form-field appearance="outline" class="wide">
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" cdkFocusInitial data-testid="exam-name-input" />
          <mat-error>{{ problem(form.controls.name) }}</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Starts</mat-label>
          <input matInput type="datetime-local" formControlName="startsLocal" data-testid="exam-starts" />
          <mat-error>{{ problem(form.controls.startsLocal) }}</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Ends</mat-label>
          <input matInput type="datetime-local" formControlName="endsLocal" data-testid="exam-ends" />
          <mat-hint>Seat tokens expire at the end</mat-hint>
          <mat-error>{{ problem(form.controls.endsLocal) }}</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Frame rate</mat-label>
          <input matInput type="number" [min]="minFps" [max]="maxFps" step="0.1" formControlName="defaultFps" />
          <span matTextSuffix>fps</span>
          <mat-hint>{{ minFps }}–{{ maxFps }}, what new streams start at</mat-hint>
          <mat-error>{{ problem(form.controls.defaultFps) }}</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Keep recordings</mat-label>
          <input matInput type="number" min="1" max="3650" step="1" formControlName="retentionDays" />
          <span matTextSuffix>days</span>
          <mat-error>{{ problem(form.controls.retentionDays) }}</mat-error>
        </mat-form-field>
        @if (error(); as message) {
          <p class="error wide" role="alert">{{ message }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="exam-save">{{ exam ? 'Save' : 'Create exam' }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0.25rem 1rem; padding-top: 0.5rem !important; }
    .wide { grid-column: 1 / -1; }
    .error { color: var(--mat-sys-error); margin: 0; }
  `,
})
export class ExamDialogComponent {
  protected readonly exam = inject<Exam | null>(MAT_DIALOG_DATA, { optional: true });
  private readonly ref = inject<MatDialogRef<ExamDialogComponent, Exam>>(MatDialogRef);
  private readonly api = inject(AdminApi);
  protected readonly minFps = MIN_FPS;
  protected readonly maxFps = MAX_FPS;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly problem = problemOf;

  private readonly initial: ExamFormValue = this.exam ? examToForm(this.exam) : newExamDefaults(Date.now());
  protected readonly form = new FormGroup({
    name: new FormControl(this.initial.name, { nonNullable: true }),
    startsLocal: new FormControl(this.initial.startsLocal, { nonNullable: true }),
    endsLocal: new FormControl(this.initial.endsLocal, { nonNullable: true }),
    defaultFps: new FormControl<number | null>(this.initial.defaultFps),
    retentionDays: new FormControl<number | null>(this.initial.retentionDays),
  });

  constructor() {
    bindProblems<ExamFormValue>(this.form, examFormProblems, inject(DestroyRef));
  }

  protected async save(): Promise<void> {
    this.form.markAllAsTouched();
    if (this.form.invalid) return;
    const body = examBody(this.form.getRawValue());
    this.busy.set(true);
    this.error.set(null);
    try {
      const patch = this.exam ? examPatch(this.exam, body) : null;
      const saved = !this.exam
        ? await firstValueFrom(this.api.createExam(body))
        : Object.keys(patch!).length === 0
          ? this.exam
          : await firstValueFrom(this.api.updateExam(this.exam.id, patch!));
      this.ref.close(saved);
    } catch (err) {
      this.error.set(describeHttpError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
