import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatDialog } from '@angular/material/dialog';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { firstValueFrom, forkJoin } from 'rxjs';
import type { CreatedUser, Exam, User } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { AuthService } from '../auth/auth.service';
import { AdminApi } from './admin-api';
import { examNames } from './assignments';
import { AssignDialogComponent, type AssignData } from './dialogs/assign-dialog.component';
import { confirmAction } from './dialogs/confirm-dialog.component';
import { showSecret } from './dialogs/secret-dialog.component';
import { UserDialogComponent } from './dialogs/user-dialog.component';

/**
 * `/admin/users`: proctor and admin accounts. Create (the one-time password
 * is shown once), assign proctors to exams, disable / enable, reset the
 * password (a new one-time password), delete.
 */
@Component({
  selector: 'vigil-admin-users',
  imports: [MatTableModule, MatButtonModule, MatChipsModule, MatMenuModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-header">
      <h1>Accounts</h1>
      <span class="spacer"></span>
      <button mat-flat-button type="button" (click)="create()" data-testid="new-user">New account</button>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="table-card">
      @if (users() === null) {
        <mat-progress-bar mode="indeterminate" />
      }
      <table mat-table [dataSource]="users() ?? []" data-testid="user-table">
        <ng-container matColumnDef="email">
          <th mat-header-cell *matHeaderCellDef>Account</th>
          <td mat-cell *matCellDef="let u">
            <div class="email">{{ u.email }}</div>
            @if (u.displayName && u.displayName !== u.email) {
              <div class="muted small">{{ u.displayName }}</div>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="role">
          <th mat-header-cell *matHeaderCellDef>Role</th>
          <td mat-cell *matCellDef="let u">
            <mat-chip-set><mat-chip [class]="u.role === 'admin' ? 'chip-primary' : 'chip-muted'" [disableRipple]="true">{{ u.role }}</mat-chip></mat-chip-set>
          </td>
        </ng-container>
        <ng-container matColumnDef="exams">
          <th mat-header-cell *matHeaderCellDef>Exams</th>
          <td mat-cell *matCellDef="let u">
            @if (u.role === 'admin') {
              <span class="muted">all</span>
            } @else {
              <mat-chip-set>
                @for (name of assigned(u); track name) {
                  <mat-chip [disableRipple]="true">{{ name }}</mat-chip>
                } @empty {
                  <span class="muted">none</span>
                }
              </mat-chip-set>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="state">
          <th mat-header-cell *matHeaderCellDef>State</th>
          <td mat-cell *matCellDef="let u">
            @if (u.disabled) {
              <mat-chip-set><mat-chip class="chip-bad" [disableRipple]="true">Disabled</mat-chip></mat-chip-set>
            } @else if (u.mustChangePassword) {
              <mat-chip-set><mat-chip class="chip-warn" [disableRipple]="true">One-time password</mat-chip></mat-chip-set>
            } @else {
              <mat-chip-set><mat-chip class="chip-ok" [disableRipple]="true">Active</mat-chip></mat-chip-set>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="actions">
          <th mat-header-cell *matHeaderCellDef></th>
          <td mat-cell *matCellDef="let u" class="r actions">
            @if (u.role === 'proctor') {
              <button mat-stroked-button type="button" (click)="assign(u)" data-testid="assign">Exams…</button>
            }
            <button mat-button type="button" [matMenuTriggerFor]="more" [disabled]="u.id === me()" aria-label="More actions">More ▾</button>
            <mat-menu #more="matMenu" xPosition="before">
              <button mat-menu-item type="button" (click)="resetPassword(u)">Reset password</button>
              <button mat-menu-item type="button" (click)="toggleDisabled(u)">{{ u.disabled ? 'Enable' : 'Disable' }}</button>
              <button mat-menu-item type="button" class="danger" (click)="remove(u)">Delete account</button>
            </mat-menu>
          </td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let u; columns: columns" [attr.data-user-email]="u.email" [class.disabled]="u.disabled"></tr>
        <tr class="mat-mdc-row empty-row" *matNoDataRow>
          <td class="mat-mdc-cell" [attr.colspan]="columns.length">Loading…</td>
        </tr>
      </table>
    </div>
  `,
  styles: `
    .r { text-align: right; }
    .actions { white-space: nowrap; }
    .actions > * { margin-left: 0.25rem; }
    .email { font-weight: 600; }
    .small { font: var(--mat-sys-body-small); }
    .danger { color: var(--mat-sys-error); }
    .error { color: var(--mat-sys-error); }
    tr.disabled td { opacity: 0.6; }
  `,
})
export class AdminUsersComponent {
  private readonly api = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly auth = inject(AuthService);
  /** The admin's own account: no disabling or deleting oneself from here. */
  protected readonly me = computed(() => this.auth.user()?.id ?? null);
  protected readonly columns = ['email', 'role', 'exams', 'state', 'actions'];
  protected readonly users = signal<User[] | null>(null);
  private readonly exams = signal<Exam[]>([]);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.reload();
  }

  protected assigned(u: User): string[] {
    return examNames(u.examIds, this.exams());
  }

  protected async create(): Promise<void> {
    const ref = this.dialog.open<UserDialogComponent, void, CreatedUser>(UserDialogComponent, { width: '480px' });
    const created = await firstValueFrom(ref.afterClosed());
    if (!created) return;
    this.reload();
    await showSecret(this.dialog, {
      title: 'One-time password',
      intro: `Give ${created.user.email} this password. They log in with it and must then choose their own.`,
      secret: created.oneTimePassword,
    });
    if (created.user.role === 'proctor') await this.assign(created.user);
  }

  protected async assign(u: User): Promise<void> {
    const ref = this.dialog.open<AssignDialogComponent, AssignData, boolean>(AssignDialogComponent, {
      data: { user: u, exams: this.exams() },
      width: '560px',
    });
    if (await firstValueFrom(ref.afterClosed())) {
      this.snackBar.open(`Exams of ${u.email} saved.`, 'OK', { duration: 4000 });
      this.reload();
    }
  }

  protected async resetPassword(u: User): Promise<void> {
    const ok = await confirmAction(this.dialog, {
      title: `Reset the password of ${u.email}?`,
      message: 'Their sessions end now. They log in with the new one-time password and must then choose their own.',
      confirm: 'Reset password',
    });
    if (!ok) return;
    try {
      const { oneTimePassword } = await firstValueFrom(this.api.resetPassword(u.id));
      this.reload();
      await showSecret(this.dialog, { title: 'New one-time password', intro: `Give ${u.email} this password.`, secret: oneTimePassword });
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  protected async toggleDisabled(u: User): Promise<void> {
    if (!u.disabled) {
      const ok = await confirmAction(this.dialog, {
        title: `Disable ${u.email}?`,
        message: 'Their sessions end now, their API keys stop working, and they cannot log in until enabled again.',
        confirm: 'Disable',
      });
      if (!ok) return;
    }
    try {
      await firstValueFrom(this.api.updateUser(u.id, { disabled: !u.disabled }));
      this.snackBar.open(`${u.email} ${u.disabled ? 'enabled' : 'disabled'}.`, 'OK', { duration: 4000 });
      this.reload();
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  protected async remove(u: User): Promise<void> {
    const ok = await confirmAction(this.dialog, {
      title: `Delete ${u.email}?`,
      message: 'The account and its sessions go at once. Audit entries keep the e-mail.',
      confirm: 'Delete account',
    });
    if (!ok) return;
    try {
      await firstValueFrom(this.api.deleteUser(u.id));
      this.snackBar.open(`${u.email} deleted.`, 'OK', { duration: 4000 });
      this.reload();
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  private reload(): void {
    forkJoin({ users: this.api.users(), exams: this.api.exams() }).subscribe({
      next: ({ users, exams }) => {
        this.exams.set(exams);
        this.users.set(users);
        this.error.set(null);
      },
      error: (err: unknown) => {
        this.users.set(this.users() ?? []);
        this.error.set(describeHttpError(err));
      },
    });
  }
}
