import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { firstValueFrom } from 'rxjs';
import type { CreatedUser } from '@vigil/api';
import { describeHttpError } from '../../core/http-error';
import { AdminApi } from '../admin-api';

/** Create an account; closes with the server's answer, which holds the one-time password. */
@Component({
  selector: 'vigil-user-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>New account</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="fields">
        <mat-form-field appearance="outline">
          <mat-label>E-mail</mat-label>
          <input matInput type="email" formControlName="email" cdkFocusInitial data-testid="user-email" />
          <mat-error>Enter an e-mail address.</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input matInput formControlName="displayName" data-testid="user-name" />
          <mat-hint>Optional</mat-hint>
          <mat-error>At most 200 characters.</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Role</mat-label>
          <mat-select formControlName="role" data-testid="user-role">
            <mat-option value="proctor">Proctor: watches the exams assigned to them</mat-option>
            <mat-option value="admin">Admin: manages everything</mat-option>
          </mat-select>
        </mat-form-field>
        <p class="muted">The account gets a one-time password, shown once on the next screen; it must be changed at first login.</p>
        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="user-save">Create account</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .fields { display: flex; flex-direction: column; gap: 0.25rem; padding-top: 0.5rem !important; }
    .error { color: var(--mat-sys-error); margin: 0; }
    .muted { margin: 0; font: var(--mat-sys-body-small); }
  `,
})
export class UserDialogComponent {
  private readonly ref = inject<MatDialogRef<UserDialogComponent, CreatedUser>>(MatDialogRef);
  private readonly api = inject(AdminApi);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email]],
    displayName: ['', Validators.maxLength(200)],
    role: ['proctor' as 'proctor' | 'admin'],
  });

  protected async save(): Promise<void> {
    this.form.markAllAsTouched();
    if (this.form.invalid) return;
    const v = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    try {
      const name = v.displayName.trim();
      this.ref.close(await firstValueFrom(this.api.createUser({ email: v.email.trim(), role: v.role, ...(name ? { displayName: name } : {}) })));
    } catch (err) {
      this.error.set(describeHttpError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
