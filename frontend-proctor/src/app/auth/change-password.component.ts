import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators, type AbstractControl, type ValidationErrors } from '@angular/forms';
import { Router } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { describeHttpError } from '../core/http-error';
import { AuthService } from './auth.service';
import { MIN_PASSWORD_LENGTH, confirmPasswordProblem, newPasswordProblem } from './password-rules';
import { safeReturnUrl } from './return-url';

/** Form-level validator: the new password's rules and the repetition, as `{ next }` / `{ confirm }` errors. */
function passwordRules(group: AbstractControl): ValidationErrors | null {
  const v = group.value as { current: string; next: string; confirm: string };
  const next = v.next ? newPasswordProblem(v.current, v.next) : null;
  const confirm = v.confirm ? confirmPasswordProblem(v.next, v.confirm) : null;
  return next || confirm ? { ...(next ? { next } : {}), ...(confirm ? { confirm } : {}) } : null;
}

/**
 * `/change-password`: required after logging in with a one-time password
 * (until then the server answers 403 to everything else), and open to any
 * user from the account menu.
 */
@Component({
  selector: 'vigil-change-password',
  imports: [ReactiveFormsModule, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="center">
      <mat-card class="box" appearance="outlined">
        @if (busy()) {
          <mat-progress-bar mode="indeterminate" />
        }
        <mat-card-header>
          <mat-card-title>{{ mustChange() ? 'Choose your password' : 'Change your password' }}</mat-card-title>
          <mat-card-subtitle>{{ auth.user()?.email }}</mat-card-subtitle>
        </mat-card-header>
        <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
          <mat-card-content>
            @if (mustChange()) {
              <p class="info" data-testid="must-change">
                You logged in with a one-time password. Choose your own password to continue; it must have at least
                {{ minLength }} characters.
              </p>
            }
            <mat-form-field appearance="outline">
              <mat-label>{{ mustChange() ? 'One-time password' : 'Current password' }}</mat-label>
              <input matInput type="password" formControlName="current" autocomplete="current-password" data-testid="current-password" />
              @if (form.controls.current.hasError('required')) {
                <mat-error>Enter your current password.</mat-error>
              }
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>New password</mat-label>
              <input matInput type="password" formControlName="next" autocomplete="new-password" data-testid="new-password" />
              @if (groupErrors()?.['next']; as message) {
                <mat-hint class="hint-error" data-testid="new-password-error">{{ message }}</mat-hint>
              } @else {
                <mat-hint>At least {{ minLength }} characters</mat-hint>
              }
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>New password again</mat-label>
              <input matInput type="password" formControlName="confirm" autocomplete="new-password" data-testid="confirm-password" />
              @if (groupErrors()?.['confirm']; as message) {
                <mat-hint class="hint-error">{{ message }}</mat-hint>
              }
            </mat-form-field>
            @if (error(); as message) {
              <p class="error" role="alert" data-testid="password-error">{{ message }}</p>
            }
          </mat-card-content>
          <mat-card-actions align="end">
            <button mat-button type="button" (click)="cancel()">{{ mustChange() ? 'Log out' : 'Cancel' }}</button>
            <button mat-flat-button type="submit" [disabled]="busy()" data-testid="password-submit">Save password</button>
          </mat-card-actions>
        </form>
      </mat-card>
    </div>
  `,
  styles: `
    .center { min-height: 100vh; display: flex; align-items: center; justify-content: center; padding: 1rem; }
    .box { width: min(440px, 100%); overflow: hidden; }
    mat-progress-bar { position: absolute; top: 0; left: 0; right: 0; }
    mat-card-header { margin-bottom: 1rem; }
    mat-form-field { width: 100%; }
    .info { color: var(--mat-sys-on-surface-variant); margin: 0 0 1rem; }
    .hint-error { color: var(--mat-sys-error); }
    .error { color: var(--mat-sys-error); margin: 0 0 0.5rem; }
  `,
})
export class ChangePasswordComponent {
  /** Query parameter: where to go afterwards. */
  readonly returnUrl = input<string | undefined>();

  protected readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  protected readonly minLength = MIN_PASSWORD_LENGTH;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly mustChange = computed(() => {
    const s = this.auth.state();
    return s.kind === 'user' && s.mustChangePassword;
  });
  protected readonly form = inject(NonNullableFormBuilder).group(
    { current: ['', Validators.required], next: ['', Validators.required], confirm: ['', Validators.required] },
    { validators: passwordRules },
  );
  /** Every value change (a new object each time), so the errors below are read again. */
  private readonly formValue = toSignal(this.form.valueChanges, { initialValue: this.form.value });
  protected readonly groupErrors = computed(() => (this.formValue(), this.form.errors));

  protected async submit(): Promise<void> {
    this.form.markAllAsTouched();
    const { current, next, confirm } = this.form.getRawValue();
    const problem = !current ? 'Enter your current password.' : (newPasswordProblem(current, next) ?? confirmPasswordProblem(next, confirm));
    if (problem) {
      this.error.set(problem);
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.changePassword(current, next);
      await this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    } catch (err) {
      this.error.set(describeHttpError(err));
    } finally {
      this.busy.set(false);
    }
  }

  protected cancel(): void {
    if (this.mustChange()) void this.auth.logout();
    else void this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
  }
}
