import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { ExamStatsView, StreamStatsView } from '@vigil/api';

/** The live statistics routes of the control API (docs/control-api.md "stats"; backend/src/stats). */
@Injectable({ providedIn: 'root' })
export class StatsApi {
  private readonly http = inject(HttpClient);

  /** The exam's live figures: seats connected of expected, ingest, viewers, latencies (last minute). */
  exam(examId: string): Observable<ExamStatsView> {
    return this.http.get<ExamStatsView>(`/api/exams/${encodeURIComponent(examId)}/stats`, { cache: 'no-store' });
  }

  /** One stream's live figures; 404 once the relay no longer holds it. */
  stream(streamId: string): Observable<StreamStatsView> {
    return this.http.get<StreamStatsView>(`/api/streams/${encodeURIComponent(streamId)}/stats`, { cache: 'no-store' });
  }
}
