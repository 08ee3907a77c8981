import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, input, signal, untracked, viewChild } from '@angular/core';
import { Clipboard } from '@angular/cdk/clipboard';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatDialog } from '@angular/material/dialog';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { firstValueFrom } from 'rxjs';
import type { Exam, Seat, SeatStatus } from '@vigil/api';
import { formatAge } from '../core/format';
import { describeHttpError, httpStatus } from '../core/http-error';
import { formatExamWindow } from '../exams/exam-schedule';
import { seatStatusLabel } from '../exams/seat-status';
import { NotFoundComponent } from '../shared/not-found.component';
import { MAX_IMPORT_BYTES } from '@vigil/api';
import { AdminApi } from './admin-api';
import { confirmAction } from './dialogs/confirm-dialog.component';
import { SeatDialogComponent, type SeatDialogData } from './dialogs/seat-dialog.component';
import {
  applyImportAnswer,
  kioskCsvFileName,
  planCounts,
  planImport,
  readSeatCsv,
  rowLabel,
  type ImportRow,
  type RowOutcome,
} from './seat-import';

const STATUS_CHIP: Record<SeatStatus, string> = { streaming: 'chip-ok', offline: 'chip-warn', 'never-connected': 'chip-muted' };
const OUTCOME_CHIP: Record<RowOutcome, string> = {
  created: 'chip-ok',
  updated: 'chip-primary',
  unchanged: 'chip-muted',
  error: 'chip-bad',
  'not-imported': 'chip-muted',
  pending: 'chip-muted',
};

/** A picked CSV file, read and planned against the current seats. */
interface ImportState {
  fileName: string;
  text: string;
  rows: ImportRow[];
  summary: string | null;
  ok: boolean | null;
  busy: boolean;
}

/**
 * `/admin/exams/:examId/seats`: the exam's seats. Add, rename, delete; CSV
 * import (preview of every row, then each row's outcome); export of every
 * seat's kiosk URL as CSV; copy one kiosk URL; revoke a seat's token.
 */
@Component({
  selector: 'vigil-admin-seats',
  imports: [RouterLink, NotFoundComponent, MatTableModule, MatButtonModule, MatChipsModule, MatMenuModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (notFound()) {
      <vigil-not-found />
    } @else {
      <nav class="crumbs"><a routerLink="/admin/exams">Exams</a> ›</nav>
      <div class="page-header">
        <h1>{{ exam()?.name ?? 'Exam' }} <span class="muted">· seats</span></h1>
        @if (exam(); as e) {
          <span class="muted num">{{ window(e) }}</span>
        }
        <span class="spacer"></span>
        <a mat-button [routerLink]="['/exams', examId()]">Live status</a>
        <button mat-stroked-button type="button" (click)="exportUrls()" [disabled]="!seats()?.length" data-testid="export-urls">
          Export kiosk URLs
        </button>
        <button mat-stroked-button type="button" (click)="fileInput().nativeElement.click()" data-testid="import-csv">Import CSV…</button>
        <input #file type="file" accept=".csv,text/csv,text/plain" hidden (change)="picked($event)" data-testid="import-file" />
        <button mat-flat-button type="button" (click)="addSeat()" data-testid="add-seat">Add seat</button>
      </div>

      @if (importState(); as imp) {
        <section class="table-card import" data-testid="import-panel">
          @if (imp.busy) {
            <mat-progress-bar mode="indeterminate" />
          }
          <div class="import-head">
            <h2>Import <span class="mono">{{ imp.fileName }}</span></h2>
            <mat-chip-set>
              <mat-chip class="chip-ok" [disableRipple]="true">{{ counts().created }} new</mat-chip>
              <mat-chip class="chip-primary" [disableRipple]="true">{{ counts().updated }} renamed</mat-chip>
              <mat-chip class="chip-muted" [disableRipple]="true">{{ counts().unchanged }} unchanged</mat-chip>
              @if (counts().invalid) {
                <mat-chip class="chip-bad" [disableRipple]="true">{{ counts().invalid }} invalid</mat-chip>
              }
            </mat-chip-set>
            <span class="spacer"></span>
            <button mat-button type="button" (click)="importState.set(null)">Close</button>
            @if (imp.ok === null) {
              <button mat-flat-button type="button" (click)="runImport()" [disabled]="imp.busy || imp.rows.length === 0" data-testid="import-run">
                Import {{ imp.rows.length }} {{ imp.rows.length === 1 ? 'row' : 'rows' }}
              </button>
            }
          </div>
          @if (fileProblem(); as p) {
            <p class="error" role="alert">{{ p }}</p>
          } @else if (counts().invalid && imp.ok === null) {
            <p class="warn">The server refuses the whole file while a row is invalid (all rows or none): fix the rows marked Invalid.</p>
          }
          @if (imp.summary) {
            <p [class]="imp.ok ? 'ok' : 'error'" role="status" data-testid="import-summary">{{ imp.summary }}</p>
          }
          <div class="import-rows">
            <table mat-table [dataSource]="imp.rows" data-testid="import-rows">
              <ng-container matColumnDef="line">
                <th mat-header-cell *matHeaderCellDef class="r">Line</th>
                <td mat-cell *matCellDef="let r" class="num r">{{ r.line }}</td>
              </ng-container>
              <ng-container matColumnDef="studentId">
                <th mat-header-cell *matHeaderCellDef>Student id</th>
                <td mat-cell *matCellDef="let r" class="mono">{{ r.studentId }}</td>
              </ng-container>
              <ng-container matColumnDef="displayName">
                <th mat-header-cell *matHeaderCellDef>Name</th>
                <td mat-cell *matCellDef="let r">{{ r.displayName }}</td>
              </ng-container>
              <ng-container matColumnDef="result">
                <th mat-header-cell *matHeaderCellDef>{{ imp.ok === null ? 'Will be' : 'Result' }}</th>
                <td mat-cell *matCellDef="let r">
                  <mat-chip-set>
                    <mat-chip [class]="rowChip(r)" [disableRipple]="true" data-testid="import-row-result">{{ label(r) }}</mat-chip>
                  </mat-chip-set>
                  @if (r.message) {
                    <span class="row-msg">{{ r.message }}</span>
                  }
                </td>
              </ng-container>
              <tr mat-header-row *matHeaderRowDef="importColumns; sticky: true"></tr>
              <tr mat-row *matRowDef="let r; columns: importColumns" [attr.data-line]="r.line"></tr>
            </table>
          </div>
        </section>
      }

      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
      <div class="table-card">
        @if (seats() === null) {
          <mat-progress-bar mode="indeterminate" />
        }
        <table mat-table [dataSource]="seats() ?? []" data-testid="admin-seat-table">
          <ng-container matColumnDef="studentId">
            <th mat-header-cell *matHeaderCellDef>Student id</th>
            <td mat-cell *matCellDef="let s" class="mono">{{ s.studentId }}</td>
          </ng-container>
          <ng-container matColumnDef="displayName">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let s">{{ s.displayName }}</td>
          </ng-container>
          <ng-container matColumnDef="status">
            <th mat-header-cell *matHeaderCellDef>Status</th>
            <td mat-cell *matCellDef="let s">
              <mat-chip-set><mat-chip [class]="statusChip(s.status)" [disableRipple]="true">{{ statusLabel(s.status) }}</mat-chip></mat-chip-set>
            </td>
          </ng-container>
          <ng-container matColumnDef="lastSeen">
            <th mat-header-cell *matHeaderCellDef>Last seen</th>
            <td mat-cell *matCellDef="let s" class="num">{{ age(s.lastSeenAtMs) }}</td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef></th>
            <td mat-cell *matCellDef="let s" class="r actions">
              <button mat-stroked-button type="button" (click)="copyUrl(s)" data-testid="copy-kiosk-url">Copy kiosk URL</button>
              <button mat-button type="button" (click)="editSeat(s)">Edit</button>
              <button mat-button type="button" [matMenuTriggerFor]="more" aria-label="More actions">More ▾</button>
              <mat-menu #more="matMenu" xPosition="before">
                <button mat-menu-item type="button" (click)="revoke(s)">Revoke token (new kiosk URL)</button>
                <button mat-menu-item type="button" class="danger" (click)="removeSeat(s)">Delete seat</button>
              </mat-menu>
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let s; columns: columns" [attr.data-seat-id]="s.id" [attr.data-student-id]="s.studentId"></tr>
          <tr class="mat-mdc-row empty-row" *matNoDataRow>
            <td class="mat-mdc-cell" [attr.colspan]="columns.length">
              {{ seats() === null ? 'Loading…' : 'No seats yet: add them one by one or import a CSV (header: studentId,displayName).' }}
            </td>
          </tr>
        </table>
      </div>
    }
  `,
  styles: `
    .r { text-align: right; }
    .actions { white-space: nowrap; }
    .actions > * { margin-left: 0.25rem; }
    .danger { color: var(--mat-sys-error); }
    .error { color: var(--mat-sys-error); }
    .warn { color: var(--warn); }
    .ok { color: var(--ok); }
    .import { margin-bottom: 1.25rem; padding: 0.75rem 1rem; }
    .import-head { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; }
    .import-head h2 { margin: 0; }
    .import-rows { max-height: 360px; overflow: auto; }
    .row-msg { margin-left: 0.5rem; color: var(--mat-sys-error); font: var(--mat-sys-body-small); }
  `,
})
export class AdminSeatsComponent {
  /** Route parameter `:examId`. */
  readonly examId = input.required<string>();

  private readonly api = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly clipboard = inject(Clipboard);
  protected readonly fileInput = viewChild.required<ElementRef<HTMLInputElement>>('file');

  protected readonly columns = ['studentId', 'displayName', 'status', 'lastSeen', 'actions'];
  protected readonly importColumns = ['line', 'studentId', 'displayName', 'result'];
  protected readonly exam = signal<Exam | null>(null);
  protected readonly seats = signal<Seat[] | null>(null);
  protected readonly notFound = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly importState = signal<ImportState | null>(null);
  /** A problem with the file as a whole (line 0) or its header (line 1). */
  protected readonly fileProblem = signal<string | null>(null);
  protected readonly counts = computed(() => planCounts(this.importState()?.rows ?? []));

  protected readonly statusLabel = seatStatusLabel;
  protected readonly label = rowLabel;

  constructor() {
    effect(() => {
      const id = this.examId();
      untracked(() => {
        this.importState.set(null);
        this.load(id);
      });
    });
  }

  protected window(e: Exam): string {
    return formatExamWindow(e.startsAtMs, e.endsAtMs);
  }

  protected statusChip(status: SeatStatus): string {
    return STATUS_CHIP[status];
  }

  protected rowChip(r: ImportRow): string {
    if (r.outcome === 'pending') return r.planned === 'invalid' ? 'chip-bad' : r.planned === 'create' ? 'chip-ok' : r.planned === 'update' ? 'chip-primary' : 'chip-muted';
    return OUTCOME_CHIP[r.outcome];
  }

  protected age(atMs: number | null): string {
    return formatAge(atMs, Date.now());
  }

  protected async addSeat(): Promise<void> {
    const seat = await this.openSeatDialog({ examId: this.examId(), seat: null });
    if (!seat) return;
    this.snackBar.open(`Seat ${seat.studentId} added.`, 'OK', { duration: 4000 });
    this.load(this.examId());
  }

  protected async editSeat(s: Seat): Promise<void> {
    if (await this.openSeatDialog({ examId: this.examId(), seat: s })) this.load(this.examId());
  }

  protected async removeSeat(s: Seat): Promise<void> {
    const ok = await confirmAction(this.dialog, {
      title: `Delete seat ${s.studentId}?`,
      message: `${s.displayName}'s kiosk URL stops working and a live stream of the seat ends now. Recordings are kept.`,
      confirm: 'Delete seat',
    });
    if (!ok) return;
    await this.attempt(() => firstValueFrom(this.api.deleteSeat(this.examId(), s.id)), `Seat ${s.studentId} deleted.`);
  }

  protected async revoke(s: Seat): Promise<void> {
    const ok = await confirmAction(this.dialog, {
      title: `New kiosk URL for ${s.studentId}?`,
      message: 'Every earlier kiosk URL of this seat stops working at once and its live stream ends. Hand the new URL to the machine.',
      confirm: 'Revoke token',
    });
    if (!ok) return;
    await this.attempt(async () => {
      const k = await firstValueFrom(this.api.revokeToken(this.examId(), s.id));
      this.clipboard.copy(k.kioskUrl);
    }, `Token of ${s.studentId} revoked; the new kiosk URL is on the clipboard.`);
  }

  /** Copies one seat's kiosk URL (the server derives the current token). */
  protected async copyUrl(s: Seat): Promise<void> {
    try {
      const k = await firstValueFrom(this.api.kioskUrl(this.examId(), s.id));
      const copied = this.clipboard.copy(k.kioskUrl);
      this.snackBar.open(copied ? `Kiosk URL of ${s.studentId} copied.` : `Copy failed; the URL is: ${k.kioskUrl}`, 'OK', { duration: 5000 });
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  /** Downloads every seat's kiosk URL as CSV. */
  protected async exportUrls(): Promise<void> {
    try {
      const blob = await firstValueFrom(this.api.exportKioskUrls(this.examId()));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = kioskCsvFileName(this.exam()?.name ?? this.examId());
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  /** A CSV file was picked: read it and show the plan. */
  protected async picked(ev: Event): Promise<void> {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ''; // picking the same file again fires change again
    if (!file) return;
    this.fileProblem.set(null);
    if (file.size > MAX_IMPORT_BYTES) {
      this.importState.set({ fileName: file.name, text: '', rows: [], summary: null, ok: null, busy: false });
      this.fileProblem.set(`The file has ${(file.size / 1048576).toFixed(1)} MiB; the server takes at most 1 MiB per import.`);
      return;
    }
    const text = await file.text();
    const csv = readSeatCsv(text);
    const whole = csv.problems.find((p) => p.line <= 1);
    this.fileProblem.set(whole ? (whole.line === 1 ? `line 1: ${whole.message}` : whole.message) : null);
    this.importState.set({ fileName: file.name, text, rows: planImport(csv, this.seats() ?? []), summary: null, ok: null, busy: false });
  }

  /** Sends the file; marks each row with the outcome. */
  protected async runImport(): Promise<void> {
    const imp = this.importState();
    if (!imp) return;
    this.importState.set({ ...imp, busy: true });
    let report;
    try {
      const result = await firstValueFrom(this.api.importSeats(this.examId(), imp.text));
      report = applyImportAnswer(imp.rows, { ok: true, result });
    } catch (err) {
      if (httpStatus(err) !== 400) {
        this.importState.set({ ...imp, busy: false });
        this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
        return;
      }
      report = applyImportAnswer(imp.rows, { ok: false, message: describeHttpError(err) });
    }
    this.importState.set({ ...imp, rows: report.rows, summary: report.summary, ok: report.ok, busy: false });
    if (report.ok) this.load(this.examId());
  }

  private openSeatDialog(data: SeatDialogData): Promise<Seat | undefined> {
    return firstValueFrom(this.dialog.open<SeatDialogComponent, SeatDialogData, Seat>(SeatDialogComponent, { data, width: '440px' }).afterClosed());
  }

  private async attempt(action: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await action();
      this.snackBar.open(done, 'OK', { duration: 5000 });
      this.load(this.examId());
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    }
  }

  private load(examId: string): void {
    this.notFound.set(false);
    this.api.exam(examId).subscribe({
      next: (e) => this.exam.set(e),
      error: (err: unknown) => (httpStatus(err) === 404 ? this.notFound.set(true) : this.error.set(describeHttpError(err))),
    });
    this.api.seats(examId).subscribe({
      next: (seats) => {
        this.seats.set(seats);
        this.error.set(null);
      },
      error: (err: unknown) => {
        if (httpStatus(err) === 404) this.notFound.set(true);
        else this.error.set(describeHttpError(err));
        this.seats.set(this.seats() ?? []);
      },
    });
  }
}
