import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpHeaders, type HttpResponse } from '@angular/common/http';
import type { Observable } from 'rxjs';
import type { StreamSummary } from '@vigil/protocol';
import type { Exam, RecordingRangeView, Seat, ShareLinkView } from '@vigil/api';
import type { RecordingMeta } from '@vigil/api';


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

  /** Recordings of the caller's exams (admins: all), newest first. */
  recordings(examId?: string): Observable<RecordingMeta[]> {
    return this.http.get<RecordingMeta[]>(examId === undefined ? '/api/recordings' : `/api/recordings?examId=${encodeURIComponent(examId)}`);
  }

  /** A recording's metadata (exam, seat); 404 for unknown recordings and other exams'. */
  recording(streamId: string): Observable<{ meta: RecordingMeta }> {
    return this.http.get<{ meta: RecordingMeta }>(`/api/recordings/${encodeURIComponent(streamId)}`);
  }

  /**
   * The recording's time-range index: segments (wall clock from prft, tfdt in 90 kHz
   * ticks), init segments and gaps, from `fromMs` (ms since the Unix epoch) on, or all.
   */
  recordingIndex(streamId: string, fromMs?: number): Observable<RecordingRangeView> {
    const query = fromMs === undefined ? '' : `?from=${Math.floor(fromMs)}`;
    return this.http.get<RecordingRangeView>(`/api/recordings/${encodeURIComponent(streamId)}/index${query}`, { cache: 'no-store', timeout: 20_000 });
  }

  /**
   * A stored init segment or segment file, from byte `fromByte` on (`Range: bytes=N-`;
   * the server answers 206, or 416 when the file has no bytes past N). Not through the
   * HTTP cache: the newest segment of a live recording grows, and a cached copy (or a
   * cached part of it) would be stale. Gives up after `timeoutMs`.
   */
  recordingFile(streamId: string, file: string, fromByte = 0, timeoutMs = 20_000): Observable<HttpResponse<ArrayBuffer>> {
    const headers = fromByte > 0 ? new HttpHeaders({ Range: `bytes=${fromByte}-` }) : undefined;
    return this.http.get(`/api/recordings/${encodeURIComponent(streamId)}/files/${encodeURIComponent(file)}`, {
      responseType: 'arraybuffer',
      observe: 'response',
      cache: 'no-store',
      timeout: timeoutMs,
      ...(headers ? { headers } : {}),
    });
  }

  /** A signed link to `[fromMs, toMs]` of the recording for a reviewer without an account (audited). */
  shareRecording(streamId: string, fromMs: number, toMs: number, minutes?: number): Observable<ShareLinkView> {
    return this.http.post<ShareLinkView>(`/api/recordings/${encodeURIComponent(streamId)}/share`, {
      fromMs: Math.floor(fromMs),
      toMs: Math.ceil(toMs),
      ...(minutes === undefined ? {} : { minutes }),
    });
  }
}
