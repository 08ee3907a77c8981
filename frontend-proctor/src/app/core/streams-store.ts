import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { filter, interval, map } from 'rxjs';
import { streamsSchema, type StreamSummary } from '@vigil/protocol';
import { ProctorConnection } from './proctor-connection';

/**
 * The live list of streams: `GET /api/streams` first (so the page has content
 * before the socket opens), then every `streams` message on the proctor
 * WebSocket (the full list, sent on connect and on every change).
 */
@Injectable({ providedIn: 'root' })
export class StreamsStore {
  private readonly http = inject(HttpClient);
  private readonly connection = inject(ProctorConnection);
  private readonly listFromSocket = signal(false);

  /** All streams, sorted by exam then seat. */
  readonly streams = signal<readonly StreamSummary[]>([]);
  /** A list has arrived (HTTP or WebSocket). */
  readonly loaded = signal(false);
  /** Why the initial HTTP request failed, if it did. */
  readonly loadError = signal<string | null>(null);
  /** Wall clock, Unix epoch ms, updated every second (for "last fragment" ages). */
  readonly now = signal(Date.now());
  /** Streams with state `live`. */
  readonly liveCount = computed(() => this.streams().filter((s) => s.state === 'live').length);

  private readonly destroyRef = inject(DestroyRef);

  constructor() {
    const destroyRef = this.destroyRef;
    // the socket may have sent its list before this store existed (it opens before the pages load)
    const sent = this.connection.latestStreams;
    if (sent) {
      this.listFromSocket.set(true);
      this.setStreams(sent);
    }
    this.refresh();
    this.connection.messages$
      .pipe(
        map((m) => (m.type === 'text' && m.message.type === 'streams' ? m.message.streams : null)),
        filter((s): s is StreamSummary[] => s !== null),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((streams) => {
        this.listFromSocket.set(true);
        this.loadError.set(null);
        this.setStreams(streams);
      });
    // Logout: the list belonged to the old session; the next socket sends a new one.
    this.connection.closed$.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => {
      this.streams.set([]);
      this.loaded.set(false);
      this.listFromSocket.set(false);
    });
    interval(1000)
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => this.now.set(Date.now()));
  }

  /** Fetches the list over HTTP (used until the socket's first `streams` message). */
  refresh(): void {
    this.http
      .get<unknown>('/api/streams')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (body) => {
          if (this.listFromSocket()) return; // the socket's list is newer
          try {
            this.setStreams(streamsSchema.parse({ type: 'streams', streams: body }).streams);
          } catch (err) {
            this.loadError.set(`GET /api/streams returned an unexpected body: ${String(err)}`);
          }
        },
        error: (err: { status?: number; message?: string }) =>
          this.loadError.set(`GET /api/streams failed${err.status ? ` (${err.status})` : ''}: ${err.message ?? ''}`),
      });
  }

  /** The summary of one stream, as a signal. */
  byId(streamId: () => string) {
    return computed(() => this.streams().find((s) => s.streamId === streamId()) ?? null);
  }

  private setStreams(streams: readonly StreamSummary[]): void {
    this.streams.set(
      [...streams].sort((a, b) => a.examId.localeCompare(b.examId) || a.seatId.localeCompare(b.seatId, undefined, { numeric: true })),
    );
    this.loaded.set(true);
  }
}
