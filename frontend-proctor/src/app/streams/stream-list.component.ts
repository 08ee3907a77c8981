import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { StreamsStore } from '../core/streams-store';
import { formatAge, formatBitrate, formatFps, formatResolution } from '../core/format';

/** `/`: every stream this proctor may watch, updated live from the `streams` messages. */
@Component({
  selector: 'vigil-stream-list',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Streams <span class="muted">· {{ store.liveCount() }} live of {{ store.streams().length }}</span></h1>
    @if (store.loadError(); as err) {
      <p class="notice" role="alert">{{ err }}</p>
    }
    <div class="card table-wrap">
      <table data-testid="stream-table">
        <thead>
          <tr>
            <th>Exam</th><th>Seat</th><th>State</th><th>Resolution</th><th class="r">FPS</th>
            <th class="r">Bitrate</th><th class="r">Last fragment</th><th class="r">Viewers</th><th></th>
          </tr>
        </thead>
        <tbody>
          @for (s of store.streams(); track s.streamId) {
            <tr [attr.data-stream-id]="s.streamId">
              <td>{{ s.examId }}</td>
              <td>{{ s.seatId }}</td>
              <td><span class="badge" [attr.data-state]="s.state">{{ s.state }}</span></td>
              <td class="num">{{ resolution(s.width, s.height) }}</td>
              <td class="num r">{{ fps(s.fps) }}</td>
              <td class="num r">{{ bitrate(s.bitrateBps) }}</td>
              <td class="num r">{{ age(s.lastFragmentAtMs, store.now()) }}</td>
              <td class="num r">{{ s.viewers }}</td>
              <td class="r"><a [routerLink]="['/streams', s.streamId]" data-testid="watch">Watch</a></td>
            </tr>
          } @empty {
            <tr>
              <td colspan="9" class="empty">{{ store.loaded() ? 'No streams yet.' : 'Loading…' }}</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    .table-wrap { overflow-x: auto; }
    table { width: 100%; border-collapse: collapse; }
    th, td { padding: 0.55rem 0.9rem; text-align: left; border-bottom: 1px solid var(--border); white-space: nowrap; }
    th { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
    tbody tr:last-child td { border-bottom: none; }
    tbody tr:hover { background: color-mix(in srgb, var(--accent) 5%, transparent); }
    .r { text-align: right; }
    .empty { text-align: center; color: var(--muted); padding: 2rem; }
    .notice { color: var(--bad); }
  `,
})
export class StreamListComponent {
  protected readonly store = inject(StreamsStore);
  protected readonly resolution = formatResolution;
  protected readonly fps = formatFps;
  protected readonly bitrate = formatBitrate;
  protected readonly age = formatAge;
}
