import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import type { Observable } from 'rxjs';
import type { StreamSummary } from '@vigil/protocol';
import type { Exam, Seat } from '@vigil/api';

/** A live stream as `GET /api/streams/:streamId` describes it. */
export type StreamDetails = StreamSummary & { sentinelStatus?: string; bufferedBytes?: number };

/**
 * The control API a proctor's pages use (docs/control-api.md): their exams, an
 * exam's seats with live status, one stream, and live control of a stream
 * (keyframe for proctors; frame rate and ending for admins). The server answers
 * 404 for exams and streams the caller is not assigned to, 403 for admin-only calls.
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

  /** Asks the stream's Sentinel for an IDR frame now; 409 when no Sentinel is connected. */
  requestKeyframe(streamId: string): Observable<{ requested: true }> {
    return this.http.post<{ requested: true }>(`/api/streams/${encodeURIComponent(streamId)}/keyframe`, {});
  }

  /** Sets the stream's frame rate, 0.2..5 fps (admins); `applied` false = on the Sentinel's reconnect. */
  setFps(streamId: string, fps: number): Observable<{ fps: number; applied: boolean }> {
    return this.http.put<{ fps: number; applied: boolean }>(`/api/streams/${encodeURIComponent(streamId)}/fps`, { fps });
  }

  /**
   * Sets the frame rate of every stream of the exam now, 0.2..5 fps (admins). `streams`: the
   * exam's streams in the relay; `applied`: of those, with a connected Sentinel.
   */
  setExamFps(examId: string, fps: number): Observable<{ fps: number; streams: number; applied: number }> {
    return this.http.put<{ fps: number; streams: number; applied: number }>(`/api/exams/${encodeURIComponent(examId)}/fps`, { fps });
  }

  /** Ends the stream (admins): its Sentinel is sent `stop` and stops capturing. */
  endStream(streamId: string): Observable<{ ended: true }> {
    return this.http.post<{ ended: true }>(`/api/streams/${encodeURIComponent(streamId)}/end`, {});
  }
}
