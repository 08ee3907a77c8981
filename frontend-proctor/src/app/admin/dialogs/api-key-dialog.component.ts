import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';
import type { CreatedApiKey } from '@vigil/api';
import { describeHttpError } from '../../core/http-error';
import { AdminApi } from '../admin-api';

/** Create an API key; closes with the server's answer, which holds the key. */
@Component({
  selector: 'vigil-api-key-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>New API key</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="fields">
        <p class="muted">A script calling the API with this key acts as you, with admin rights.</p>
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" cdkFocusInitial placeholder="e.g. seat import job" data-testid="api-key-name" />
          <mat-error>1 to 100 characters.</mat-error>
        </mat-form-field>
        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="api-key-save">Create key</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .fields { display: flex; flex-direction: column; gap: 0.25rem; padding-top: 0.5rem !important; }
    .muted { margin: 0 0 0.75rem; }
    .error { color: var(--mat-sys-error); margin: 0; }
  `,
})
export class ApiKeyDialogComponent {
  private readonly ref = inject<MatDialogRef<ApiKeyDialogComponent, CreatedApiKey>>(MatDialogRef);
  private readonly api = inject(AdminApi);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({ name: ['', [Validators.required, Validators.maxLength(100)]] });

  protected async save(): Promise<void> {
    this.form.markAllAsTouched();
    const name = this.form.getRawValue().name.trim();
    if (this.form.invalid || !name) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      this.ref.close(await firstValueFrom(this.api.createApiKey(name)));
    } catch (err) {
      this.error.set(describeHttpError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
