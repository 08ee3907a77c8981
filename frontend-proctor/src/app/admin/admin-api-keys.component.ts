import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { firstValueFrom } from 'rxjs';
import type { ApiKey, CreatedApiKey } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { formatDateTime } from '../exams/exam-schedule';
import { AdminApi } from './admin-api';
import { ApiKeyDialogComponent } from './dialogs/api-key-dialog.component';
import { confirmAction } from './dialogs/confirm-dialog.component';
import { showSecret } from './dialogs/secret-dialog.component';

/** `/admin/api-keys`: keys for scripts (`Authorization: Bearer vgk_…`). Create (shown once), revoke. */
@Component({
  selector: 'vigil-admin-api-keys',
  imports: [MatTableModule, MatButtonModule, MatChipsModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-header">
      <h1>API keys</h1>
      <span class="spacer"></span>
      <button mat-flat-button type="button" (click)="create()" data-testid="new-api-key">New API key</button>
    </div>
    <p class="muted intro">
      Scripts send <span class="mono">Authorization: Bearer vgk_…</span> and act as the admin who created the key. The API is
      described at <a href="/api/docs" target="_blank" rel="noopener">/api/docs</a>.
    </p>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="table-card">
      @if (keys() === null) {
        <mat-progress-bar mode="indeterminate" />
      }
      <table mat-table [dataSource]="keys() ?? []" data-testid="api-key-table">
        <ng-container matColumnDef="name">
          <th mat-header-cell *matHeaderCellDef>Name</th>
          <td mat-cell *matCellDef="let k"><strong>{{ k.name }}</strong></td>
        </ng-container>
        <ng-container matColumnDef="prefix">
          <th mat-header-cell *matHeaderCellDef>Key</th>
          <td mat-cell *matCellDef="let k" class="mono">{{ k.prefix }}…</td>
        </ng-container>
        <ng-container matColumnDef="created">
          <th mat-header-cell *matHeaderCellDef>Created</th>
          <td mat-cell *matCellDef="let k" class="num">{{ date(k.createdAtMs) }} <span class="muted">by {{ k.createdBy }}</span></td>
        </ng-container>
        <ng-container matColumnDef="used">
          <th mat-header-cell *matHeaderCellDef>Last used</th>
          <td mat-cell *matCellDef="let k" class="num">{{ k.lastUsedAtMs ? date(k.lastUsedAtMs) : 'never' }}</td>
        </ng-container>
        <ng-container matColumnDef="state">
          <th mat-header-cell *matHeaderCellDef>State</th>
          <td mat-cell *matCellDef="let k">
            <mat-chip-set>
              @if (k.revokedAtMs) {
                <mat-chip class="chip-bad" [disableRipple]="true">Revoked {{ date(k.revokedAtMs) }}</mat-chip>
              } @else {
                <mat-chip class="chip-ok" [disableRipple]="true">Active</mat-chip>
              }
            </mat-chip-set>
          </td>
        </ng-container>
        <ng-container matColumnDef="actions">
          <th mat-header-cell *matHeaderCellDef></th>
          <td mat-cell *matCellDef="let k" class="r">
            @if (!k.revokedAtMs) {
              <button mat-button type="button" class="danger" (click)="revoke(k)" data-testid="revoke-key">Revoke</button>
            }
          </td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let k; columns: columns" [attr.data-key-id]="k.id"></tr>
        <tr class="mat-mdc-row empty-row" *matNoDataRow>
          <td class="mat-mdc-cell" [attr.colspan]="columns.length">{{ keys() === null ? 'Loading…' : 'No API keys yet.' }}</td>
        </tr>
      </table>
    </div>
  `,
  styles: `
    .intro { margin-top: -0.5rem; }
    .r { text-align: right; }
    .danger { color: var(--mat-sys-error); }
    .error { color: var(--mat-sys-error); }
  `,
})
export class AdminApiKeysComponent {
  private readonly api = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  protected readonly columns = ['name', 'prefix', 'created', 'used', 'state', 'actions'];
  protected readonly keys = signal<ApiKey[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly date = (ms: number) => formatDateTime(ms);

  constructor() {
    this.reload();
  }

  protected async create(): Promise<void> {
    const ref = this.dialog.open<ApiKeyDialogComponent, void, CreatedApiKey>(ApiKeyDialogComponent, { width: '480px' });
    const created = await firstValueFrom(ref.afterClosed());
    if (!created) return;
    this.reload();
    await showSecret(this.dialog, {
      title: `API key “${created.apiKey.name}”`,
      intro: 'Store this key where the script can read it (a secret store, not the source code).',
      secret: created.key,
    });
  }

  protected async revoke(k: ApiKey): Promise<void> {
    const ok = await confirmAction(this.dialog, {
      title: `Revoke “${k.name}”?`,
      message: `Scripts using ${k.prefix}… are refused from now on. This cannot be undone.`,
      confirm: 'Revoke key',
    });
    if (!ok) return;
    try {
      await firstValueFrom(this.api.revokeApiKey(k.id));
      this.snackBar.open(`Key “${k.name}” revoked.`, 'OK', { duration: 4000 });
      this.reload();
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  private reload(): void {
    this.api.apiKeys().subscribe({
      next: (keys) => {
        this.keys.set(keys);
        this.error.set(null);
      },
      error: (err: unknown) => {
        this.keys.set(this.keys() ?? []);
        this.error.set(describeHttpError(err));
      },
    });
  }
}
