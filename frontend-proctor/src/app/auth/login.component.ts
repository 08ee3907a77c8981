import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { Router } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { describeHttpError } from '../core/http-error';
import { AuthService, CHANGE_PASSWORD_PATH } from './auth.service';
import { safeReturnUrl } from './return-url';

/** `/login`: e-mail and password; shows the server's message on 401 (wrong) and 429 (too many attempts). */
@Component({
  selector: 'vigil-login',
  imports: [ReactiveFormsModule, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="center">
      <mat-card class="login" appearance="outlined">
        @if (busy()) {
          <mat-progress-bar mode="indeterminate" />
        }
        <mat-card-header>
          <div mat-card-avatar class="logo" aria-hidden="true">◉</div>
          <mat-card-title>Vigil</mat-card-title>
          <mat-card-subtitle>Proctor portal</mat-card-subtitle>
        </mat-card-header>
        <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
          <mat-card-content>
            @if (expired()) {
              <p class="info" data-testid="login-expired">Your session has ended: log in again.</p>
            }
            <mat-form-field appearance="outline">
              <mat-label>E-mail</mat-label>
              <input matInput type="email" formControlName="email" autocomplete="username" data-testid="login-email" />
              @if (form.controls.email.hasError('required')) {
                <mat-error>Enter your e-mail address.</mat-error>
              } @else if (form.controls.email.hasError('email')) {
                <mat-error>This is not an e-mail address.</mat-error>
              }
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Password</mat-label>
              <input matInput type="password" formControlName="password" autocomplete="current-password" data-testid="login-password" />
              @if (form.controls.password.hasError('required')) {
                <mat-error>Enter your password.</mat-error>
              }
            </mat-form-field>
            @if (error(); as message) {
              <p class="error" role="alert" data-testid="login-error">{{ message }}</p>
            }
          </mat-card-content>
          <mat-card-actions align="end">
            <button mat-flat-button type="submit" [disabled]="busy()" data-testid="login-submit">Log in</button>
          </mat-card-actions>
        </form>
      </mat-card>
      <p class="hint">Accounts are created by your exam administrator.</p>
    </div>
  `,
  styles: `
    .center { min-height: 100vh; display: flex; flex-direction: column; align-items: center; justify-content: center; padding: 1rem; }
    .login { width: min(400px, 100%); overflow: hidden; }
    mat-progress-bar { position: absolute; top: 0; left: 0; right: 0; }
    mat-card-header { margin-bottom: 1rem; }
    .logo { display: grid; place-items: center; font-size: 2rem; color: var(--mat-sys-primary); }
    mat-form-field { width: 100%; }
    .error { color: var(--mat-sys-error); margin: 0 0 0.5rem; }
    .info { color: var(--mat-sys-on-surface-variant); margin: 0 0 1rem; }
    .hint { color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-small); }
  `,
})
export class LoginComponent {
  /** Query parameter: where to go after logging in. */
  readonly returnUrl = input<string | undefined>();
  /** Query parameter: set when a 401 sent the user here. */
  readonly expired = input<string | undefined>();

  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email]],
    password: ['', Validators.required],
  });

  protected async submit(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      const { email, password } = this.form.getRawValue();
      const state = await this.auth.login(email.trim(), password);
      const returnUrl = safeReturnUrl(this.returnUrl());
      if (state.kind === 'user' && state.mustChangePassword) {
        await this.router.navigate([CHANGE_PASSWORD_PATH], { queryParams: { returnUrl: returnUrl === '/' ? null : returnUrl } });
      } else {
        await this.router.navigateByUrl(returnUrl);
      }
    } catch (err) {
      this.error.set(describeHttpError(err));
      this.form.controls.password.reset();
    } finally {
      this.busy.set(false);
    }
  }
}
