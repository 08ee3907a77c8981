import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import type { Observable } from 'rxjs';
import type { StreamSummary } from '@vigil/protocol';
import type { Exam, Seat } from './api-types';

/** A live stream as `GET /api/streams/:streamId` describes it. */
export type StreamDetails = StreamSummary & { sentinelStatus?: string; bufferedBytes?: number };

/**
 * The read side of the control API a proctor uses (docs/control-api.md):
 * their exams, an exam's seats with live status, one stream. The server
 * answers 404 for exams and streams the caller is not assigned to.
 */
@Injectable({ providedIn: 'root' })
export class ProctorApi {
  private readonly http = inject(HttpClient);

  /** Assigned exams (admins: all), by start time. */
  exams(): Observable<Exam[]> {
    return this.http.get<Exam[]>('/api/exams');
  }

  exam(examId: string): Observable<Exam> {
    return this.http.get<Exam>(`/api/exams/${encodeURIComponent(examId)}`);
  }

  /** The exam's seats by student id, with live status. */
  seats(examId: string): Observable<Seat[]> {
    return this.http.get<Seat[]>(`/api/exams/${encodeURIComponent(examId)}/seats`);
  }

  seat(examId: string, seatId: string): Observable<Seat> {
    return this.http.get<Seat>(`/api/exams/${encodeURIComponent(examId)}/seats/${encodeURIComponent(seatId)}`);
  }

  /** A stream the relay holds (live or disconnected); 404 for unknown, ended or other exams' streams. */
  stream(streamId: string): Observable<StreamDetails> {
    return this.http.get<StreamDetails>(`/api/streams/${encodeURIComponent(streamId)}`);
  }
}
