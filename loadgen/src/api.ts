/**
 * The control API as the load generator uses it (I/O, HTTP): log in, make an exam with its
 * seats (CSV import, then the kiosk URLs as CSV), proctor accounts, and clean up.
 * Routes: backend/src/{auth,exams-api,seats-api,users-api}/*.controller.ts.
 */
import { parse } from 'csv-parse/sync';
import type { Seat } from './sentinel';

/** An HTTP answer that was not what the caller expected. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A logged-in session (cookie), as the portal. */
export class ApiSession {
  constructor(
    readonly baseUrl: string,
    /** `vigil_session=…` */
    readonly cookie: string,
  ) {}

  /**
   * One request. JSON body (or text with `contentType`); JSON or text answer.
   * @throws ApiError when the status is not 2xx
   */
  async request<T = unknown>(method: string, pathName: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { origin: this.baseUrl, cookie: this.cookie };
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await fetch(`${this.baseUrl}${pathName}`, {
      method,
      headers,
      body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : String(body),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 299) throw new ApiError(res.status, `${method} ${pathName}: ${res.status} ${text.slice(0, 300)}`);
    if (!text) return undefined as T;
    return (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  }
}

/**
 * Logs in (POST /api/auth/login); with `newPassword`, replaces a one-time password at once
 * (the session stays valid: only other sessions end). Waits out `429` (Retry-After) up to
 * `maxWaitMs` in total: a server allows few logins per address per minute.
 * @param note told about each wait
 * @throws ApiError for a wrong password, or when the waits run out
 */
export async function login(
  baseUrl: string,
  email: string,
  password: string,
  o: { newPassword?: string; maxWaitMs?: number; note?: (line: string) => void } = {},
): Promise<ApiSession> {
  const deadline = Date.now() + (o.maxWaitMs ?? 180_000);
  for (;;) {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ email, password }),
    });
    if (res.status === 429) {
      const waitS = Math.max(1, Number(res.headers.get('retry-after') ?? '5') || 5);
      await res.text();
      if (Date.now() + waitS * 1000 > deadline) throw new ApiError(429, `login ${email}: the server keeps refusing logins (429, rate limit)`);
      o.note?.(`login rate limit of the server (VIGIL_LOGIN_RATE_LIMIT): waiting ${waitS} s …`);
      await new Promise((r) => setTimeout(r, waitS * 1000));
      continue;
    }
    const text = await res.text();
    if (res.status !== 200) throw new ApiError(res.status, `login ${email}: ${res.status} ${text.slice(0, 300)}`);
    const value = /vigil_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    if (!value) throw new ApiError(res.status, `login ${email}: no session cookie in the answer`);
    const session = new ApiSession(baseUrl, `vigil_session=${value}`);
    const { mustChangePassword } = JSON.parse(text) as { mustChangePassword: boolean };
    if (mustChangePassword) {
      if (!o.newPassword) throw new ApiError(403, `login ${email}: the account still has its one-time password; log in once in the portal to set one`);
      await session.request('POST', '/api/auth/password', { currentPassword: password, newPassword: o.newPassword });
    }
    return session;
  }
}

/** An exam as the API answers it. */
export interface Exam {
  id: string;
  name: string;
}

/**
 * Makes an exam whose window covers the run (from an hour ago to `endsAtMs`), at `fps`,
 * keeping recordings one day (the shortest retention).
 */
export async function createExam(admin: ApiSession, name: string, fps: number, endsAtMs: number): Promise<Exam> {
  return admin.request<Exam>('POST', '/api/exams', { name, startsAtMs: Date.now() - 3600_000, endsAtMs: Math.round(endsAtMs), defaultFps: fps, retentionDays: 1 });
}

/**
 * Adds seats `studentIds` to an exam (one CSV import) and answers every seat of the exam with
 * its token (the kiosk-URL CSV).
 */
export async function createSeats(admin: ApiSession, examId: string, studentIds: readonly string[]): Promise<(Seat & { studentId: string })[]> {
  const csv = 'studentId,displayName\n' + studentIds.map((s) => `${s},Loadgen ${s}`).join('\n') + '\n';
  await admin.request('POST', `/api/exams/${examId}/seats/import`, csv, 'text/csv');
  const urls = await admin.request<string>('GET', `/api/exams/${examId}/seats/kiosk-urls.csv`);
  const rows = parse(urls, { columns: true, skip_empty_lines: true }) as { studentId: string; seatId: string; kioskUrl: string }[];
  return rows.map((r) => ({ examId, seatId: r.seatId, studentId: r.studentId, token: tokenOfKioskUrl(r.kioskUrl) }));
}

/** The seat token of a kiosk URL (`#token=…`, or `?token=…` from older servers). */
export function tokenOfKioskUrl(kioskUrl: string): string {
  const url = new URL(kioskUrl);
  return new URLSearchParams(url.hash.replace(/^#/, '')).get('token') ?? url.searchParams.get('token') ?? '';
}

/** Makes a proctor account assigned to `examIds`. @returns its id and one-time password */
export async function createProctor(admin: ApiSession, email: string, examIds: readonly string[]): Promise<{ id: string; oneTimePassword: string }> {
  const created = await admin.request<{ user: { id: string }; oneTimePassword: string }>('POST', '/api/users', { email, role: 'proctor', displayName: 'Loadgen proctor' });
  for (const examId of examIds) await admin.request('PUT', `/api/exams/${examId}/proctors/${created.user.id}`);
  return { id: created.user.id, oneTimePassword: created.oneTimePassword };
}
