import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatTableModule } from '@angular/material/table';
import type { StreamSummary } from '@vigil/protocol';
import { ProctorApi } from '../core/proctor-api';
import { StreamsStore } from '../core/streams-store';
import { formatAge, formatBitrate, formatFps, formatResolution } from '../core/format';

/** `/streams`: every stream this user may watch (their exams'), updated live from the `streams` messages. */
@Component({
  selector: 'vigil-stream-list',
  imports: [RouterLink, MatTableModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Live streams <span class="muted">· {{ store.liveCount() }} live of {{ store.streams().length }}</span></h1>
    @if (store.loadError(); as err) {
      <p class="notice" role="alert">{{ err }}</p>
    }
    <div class="table-card">
      <table mat-table [dataSource]="store.streams()" [trackBy]="track" data-testid="stream-table">
        <ng-container matColumnDef="exam">
          <th mat-header-cell *matHeaderCellDef>Exam</th>
          <td mat-cell *matCellDef="let s">{{ examName(s.examId) }}</td>
        </ng-container>
        <ng-container matColumnDef="seat">
          <th mat-header-cell *matHeaderCellDef>Seat</th>
          <td mat-cell *matCellDef="let s" class="mono">{{ s.seatId }}</td>
        </ng-container>
        <ng-container matColumnDef="state">
          <th mat-header-cell *matHeaderCellDef>State</th>
          <td mat-cell *matCellDef="let s">
            <span class="badge" [attr.data-state]="s.state">{{ s.state }}</span>
            @if (s.storage === 'storage-failed') {
              <span class="badge" data-state="storage-failed" data-testid="storage-failed"
                title="Recording writes fail on the server: the stream is still live, the server retries, the student's computer keeps what is not saved yet">storage failed</span>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="resolution">
          <th mat-header-cell *matHeaderCellDef>Resolution</th>
          <td mat-cell *matCellDef="let s" class="num">{{ resolution(s.width, s.height) }}</td>
        </ng-container>
        <ng-container matColumnDef="fps">
          <th mat-header-cell *matHeaderCellDef class="r">FPS</th>
          <td mat-cell *matCellDef="let s" class="num r">{{ fps(s.fps) }}</td>
        </ng-container>
        <ng-container matColumnDef="bitrate">
          <th mat-header-cell *matHeaderCellDef class="r">Bitrate</th>
          <td mat-cell *matCellDef="let s" class="num r">{{ bitrate(s.bitrateBps) }}</td>
        </ng-container>
        <ng-container matColumnDef="last">
          <th mat-header-cell *matHeaderCellDef class="r">Last fragment</th>
          <td mat-cell *matCellDef="let s" class="num r">{{ age(s.lastFragmentAtMs, store.now()) }}</td>
        </ng-container>
        <ng-container matColumnDef="viewers">
          <th mat-header-cell *matHeaderCellDef class="r">Viewers</th>
          <td mat-cell *matCellDef="let s" class="num r">{{ s.viewers }}</td>
        </ng-container>
        <ng-container matColumnDef="watch">
          <th mat-header-cell *matHeaderCellDef></th>
          <td mat-cell *matCellDef="let s" class="r">
            <a mat-button [routerLink]="['/streams', s.streamId]" data-testid="watch">Watch</a>
          </td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let s; columns: columns" [attr.data-stream-id]="s.streamId"></tr>
        <tr class="mat-mdc-row empty-row" *matNoDataRow>
          <td class="mat-mdc-cell" [attr.colspan]="columns.length">{{ store.loaded() ? 'No streams yet.' : 'Loading…' }}</td>
        </tr>
      </table>
    </div>
  `,
  styles: `
    td, th { white-space: nowrap; }
    .r { text-align: right; }
    .notice { color: var(--bad); }
  `,
})
export class StreamListComponent {
  protected readonly store = inject(StreamsStore);
  protected readonly columns = ['exam', 'seat', 'state', 'resolution', 'fps', 'bitrate', 'last', 'viewers', 'watch'];
  private readonly examNames = signal<ReadonlyMap<string, string>>(new Map());
  protected readonly examName = (id: string) => this.examNames().get(id) ?? id;
  protected readonly track = (_: number, s: StreamSummary) => s.streamId;
  protected readonly resolution = formatResolution;
  protected readonly fps = formatFps;
  protected readonly bitrate = formatBitrate;
  protected readonly age = formatAge;

  constructor() {
    // Exam names for the first column; ids stand in when the list cannot be had.
    inject(ProctorApi)
      .exams()
      .subscribe({ next: (exams) => this.examNames.set(new Map(exams.map((e) => [e.id, e.name]))), error: () => undefined });
  }
}
