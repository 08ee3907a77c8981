import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { CreateProctorEventBody, StreamEventView, StreamEventsView } from '@vigil/api';

/**
 * The event track routes of the control API (docs/control-api.md "Recordings"): a recording's
 * events in a time range, and a proctor's flag or note on a moment. Reusable wherever a stream's
 * moment is on screen (the review page; the live view: see `proctor-flags.ts`).
 */
@Injectable({ providedIn: 'root' })
export class EventTrackApi {
  private readonly http = inject(HttpClient);

  /** `GET /api/recordings/:streamId/events?from=&to=` (ms since the Unix epoch), oldest first. */
  events(streamId: string, fromMs: number, toMs: number): Promise<StreamEventsView> {
    return firstValueFrom(
      this.http.get<StreamEventsView>(`/api/recordings/${encodeURIComponent(streamId)}/events?from=${Math.floor(fromMs)}&to=${Math.ceil(toMs)}`, {
        cache: 'no-store',
        timeout: 20_000,
      }),
    );
  }

  /** `POST /api/recordings/:streamId/events`: the stored event (with `by` and `receivedAtMs`). Build the body with `proctorEventBody`. */
  post(streamId: string, body: CreateProctorEventBody): Promise<StreamEventView> {
    return firstValueFrom(this.http.post<StreamEventView>(`/api/recordings/${encodeURIComponent(streamId)}/events`, body));
  }
}
