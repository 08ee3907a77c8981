import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpHeaders, HttpParams } from '@angular/common/http';
import type { Observable } from 'rxjs';
import type { ApiKey, AuditEntry, CreatedApiKey, CreatedSeat, CreatedUser, Exam, ImportResult, KioskUrl, Seat, User } from '@vigil/api';
import type { ExamBody } from './exam-form';

const enc = encodeURIComponent;

/** Query of `GET /api/audit`. */
export interface AuditQuery {
  /** 1..500, default 100 */
  limit?: number;
  /** Entries older than this id (paging backwards). */
  beforeId?: number;
  action?: string;
  targetId?: string;
}

/**
 * The admin side of the control API (docs/control-api.md): exams, seats,
 * proctor accounts and assignments, API keys, the audit log. Lives in the
 * admin chunk; every call here answers 403 to a proctor anyway.
 */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly http = inject(HttpClient);

  // Exams
  exams(): Observable<Exam[]> {
    return this.http.get<Exam[]>('/api/exams');
  }
  exam(examId: string): Observable<Exam> {
    return this.http.get<Exam>(`/api/exams/${enc(examId)}`);
  }
  createExam(body: ExamBody): Observable<Exam> {
    return this.http.post<Exam>('/api/exams', body);
  }
  updateExam(examId: string, patch: Partial<ExamBody>): Observable<Exam> {
    return this.http.patch<Exam>(`/api/exams/${enc(examId)}`, patch);
  }
  deleteExam(examId: string): Observable<void> {
    return this.http.delete<void>(`/api/exams/${enc(examId)}`);
  }
  examProctors(examId: string): Observable<User[]> {
    return this.http.get<User[]>(`/api/exams/${enc(examId)}/proctors`);
  }
  assignProctor(examId: string, userId: string): Observable<void> {
    return this.http.put<void>(`/api/exams/${enc(examId)}/proctors/${enc(userId)}`, null);
  }
  unassignProctor(examId: string, userId: string): Observable<void> {
    return this.http.delete<void>(`/api/exams/${enc(examId)}/proctors/${enc(userId)}`);
  }

  // Seats
  seats(examId: string): Observable<Seat[]> {
    return this.http.get<Seat[]>(`/api/exams/${enc(examId)}/seats`);
  }
  createSeat(examId: string, body: { studentId: string; displayName: string }): Observable<CreatedSeat> {
    return this.http.post<CreatedSeat>(`/api/exams/${enc(examId)}/seats`, body);
  }
  updateSeat(examId: string, seatId: string, body: { studentId?: string; displayName?: string }): Observable<Seat> {
    return this.http.patch<Seat>(`/api/exams/${enc(examId)}/seats/${enc(seatId)}`, body);
  }
  deleteSeat(examId: string, seatId: string): Observable<void> {
    return this.http.delete<void>(`/api/exams/${enc(examId)}/seats/${enc(seatId)}`);
  }
  kioskUrl(examId: string, seatId: string): Observable<KioskUrl> {
    return this.http.get<KioskUrl>(`/api/exams/${enc(examId)}/seats/${enc(seatId)}/kiosk-url`);
  }
  revokeToken(examId: string, seatId: string): Observable<KioskUrl> {
    return this.http.post<KioskUrl>(`/api/exams/${enc(examId)}/seats/${enc(seatId)}/revoke-token`, null);
  }
  /** CSV body as text (`content-type: text/csv`); all rows or none. */
  importSeats(examId: string, csv: string): Observable<ImportResult> {
    return this.http.post<ImportResult>(`/api/exams/${enc(examId)}/seats/import`, csv, {
      headers: new HttpHeaders({ 'content-type': 'text/csv; charset=utf-8' }),
    });
  }
  /** `studentId,displayName,seatId,kioskUrl` CSV. */
  exportKioskUrls(examId: string): Observable<Blob> {
    return this.http.get(`/api/exams/${enc(examId)}/seats/kiosk-urls.csv`, { responseType: 'blob' });
  }

  // Users
  users(): Observable<User[]> {
    return this.http.get<User[]>('/api/users');
  }
  createUser(body: { email: string; role: 'proctor' | 'admin'; displayName?: string }): Observable<CreatedUser> {
    return this.http.post<CreatedUser>('/api/users', body);
  }
  updateUser(userId: string, body: { displayName?: string; role?: 'proctor' | 'admin'; disabled?: boolean }): Observable<User> {
    return this.http.patch<User>(`/api/users/${enc(userId)}`, body);
  }
  deleteUser(userId: string): Observable<void> {
    return this.http.delete<void>(`/api/users/${enc(userId)}`);
  }
  resetPassword(userId: string): Observable<{ oneTimePassword: string }> {
    return this.http.post<{ oneTimePassword: string }>(`/api/users/${enc(userId)}/reset-password`, null);
  }

  // API keys
  apiKeys(): Observable<ApiKey[]> {
    return this.http.get<ApiKey[]>('/api/api-keys');
  }
  createApiKey(name: string): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>('/api/api-keys', { name });
  }
  revokeApiKey(keyId: string): Observable<void> {
    return this.http.delete<void>(`/api/api-keys/${enc(keyId)}`);
  }

  // Audit log
  audit(q: AuditQuery = {}): Observable<AuditEntry[]> {
    let params = new HttpParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params = params.set(k, String(v));
    return this.http.get<AuditEntry[]>('/api/audit', { params });
  }
}
