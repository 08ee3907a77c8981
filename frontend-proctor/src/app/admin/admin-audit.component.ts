import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { AUDIT_ACTIONS, type AuditEntry } from '@vigil/api';
import { describeHttpError } from '../core/http-error';
import { formatDateTime } from '../exams/exam-schedule';
import { AdminApi } from './admin-api';
import { formatAuditDetails, formatAuditTarget } from './audit-format';

/** Entries fetched per page. */
const PAGE = 100;

/** `/admin/audit`: the audit log of control actions, newest first (read-only). */
@Component({
  selector: 'vigil-admin-audit',
  imports: [MatTableModule, MatButtonModule, MatFormFieldModule, MatSelectModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-header">
      <h1>Audit log</h1>
      <span class="spacer"></span>
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="filter">
        <mat-label>Action</mat-label>
        <mat-select [value]="action()" (valueChange)="filter($event)" data-testid="audit-action">
          <mat-option value="">All actions</mat-option>
          @for (a of actions; track a) {
            <mat-option [value]="a">{{ a }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <button mat-stroked-button type="button" (click)="filter(action())">Refresh</button>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="table-card">
      @if (busy()) {
        <mat-progress-bar mode="indeterminate" />
      }
      <table mat-table [dataSource]="entries()" data-testid="audit-table">
        <ng-container matColumnDef="at">
          <th mat-header-cell *matHeaderCellDef>When</th>
          <td mat-cell *matCellDef="let e" class="num nowrap">{{ date(e.atMs) }}</td>
        </ng-container>
        <ng-container matColumnDef="actor">
          <th mat-header-cell *matHeaderCellDef>Who</th>
          <td mat-cell *matCellDef="let e">{{ e.actor }}</td>
        </ng-container>
        <ng-container matColumnDef="action">
          <th mat-header-cell *matHeaderCellDef>Action</th>
          <td mat-cell *matCellDef="let e" class="mono nowrap">{{ e.action }}</td>
        </ng-container>
        <ng-container matColumnDef="target">
          <th mat-header-cell *matHeaderCellDef>Target</th>
          <td mat-cell *matCellDef="let e" class="mono nowrap" [title]="e.targetId ?? ''">{{ target(e) }}</td>
        </ng-container>
        <ng-container matColumnDef="details">
          <th mat-header-cell *matHeaderCellDef>Details</th>
          <td mat-cell *matCellDef="let e" class="details" [title]="json(e.details)">{{ details(e.details) }}</td>
        </ng-container>
        <ng-container matColumnDef="ip">
          <th mat-header-cell *matHeaderCellDef>Address</th>
          <td mat-cell *matCellDef="let e" class="mono muted">{{ e.ip ?? '' }}</td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let e; columns: columns" [attr.data-action]="e.action"></tr>
        <tr class="mat-mdc-row empty-row" *matNoDataRow>
          <td class="mat-mdc-cell" [attr.colspan]="columns.length">{{ busy() ? 'Loading…' : 'No entries.' }}</td>
        </tr>
      </table>
    </div>
    @if (more()) {
      <div class="more"><button mat-button type="button" (click)="older()" [disabled]="busy()">Load older entries</button></div>
    }
  `,
  styles: `
    .filter { width: 240px; }
    .nowrap { white-space: nowrap; }
    .details { font: var(--mat-sys-body-small); color: var(--mat-sys-on-surface-variant); max-width: 420px; }
    .more { display: flex; justify-content: center; margin-top: 0.75rem; }
    .error { color: var(--mat-sys-error); }
  `,
})
export class AdminAuditComponent {
  private readonly api = inject(AdminApi);
  protected readonly actions = AUDIT_ACTIONS;
  protected readonly columns = ['at', 'actor', 'action', 'target', 'details', 'ip'];
  protected readonly entries = signal<AuditEntry[]>([]);
  protected readonly action = signal('');
  protected readonly busy = signal(false);
  protected readonly more = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly date = (ms: number) => formatDateTime(ms);
  protected readonly details = (d: unknown) => formatAuditDetails(d);
  protected readonly json = (v: unknown) => JSON.stringify(v, null, 1);
  protected readonly target = (e: AuditEntry) => formatAuditTarget(e.targetType, e.targetId);

  constructor() {
    this.load(false);
  }

  protected filter(action: string): void {
    this.action.set(action);
    this.load(false);
  }

  protected older(): void {
    this.load(true);
  }

  private load(append: boolean): void {
    const last = append ? this.entries().at(-1) : undefined;
    this.busy.set(true);
    this.api.audit({ limit: PAGE, action: this.action() || undefined, beforeId: last?.id }).subscribe({
      next: (page) => {
        this.entries.set(append ? [...this.entries(), ...page] : page);
        this.more.set(page.length === PAGE);
        this.error.set(null);
        this.busy.set(false);
      },
      error: (err: unknown) => {
        this.error.set(describeHttpError(err));
        this.busy.set(false);
      },
    });
  }
}
