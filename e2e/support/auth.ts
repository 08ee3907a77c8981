import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * End-to-end helpers for the control plane (issue 3): the first admin, logins, exams,
 * seats with their kiosk URLs, proctors, and the session cookie for a Playwright
 * browser context. HTTP only (the e2e project imports no backend code).
 *
 * Typical use with `startServer` (support/server.ts):
 *
 *   server = await startServer({ ...adminEnv() });
 *   const admin = await loginAdmin(server);
 *   const exam = await createExam(admin, { name: 'E2E' });
 *   const seat = await createSeat(admin, exam.id, 'student-42');
 *   await sentinelPage.goto(`${seat.kioskUrl}&keyframeInterval=30`);
 *   const proctor = await createProctor(admin, 'proctor@e2e.test', [exam.id]);
 *   await context.addCookies([sessionCookie(await login(server.baseUrl, proctor.email, proctor.password))]);
 */

const ROOT = path.resolve(__dirname, '../..');

/** E-mail of the admin the helpers create. */
export const E2E_ADMIN_EMAIL = 'admin@e2e.test';
/** Password every helper-made user ends up with (after replacing the one-time password). */
export const E2E_PASSWORD = 'e2e password that is long enough';

/** Environment for `startServer`: the server creates the admin at start and logs its one-time password. */
export function adminEnv(email = E2E_ADMIN_EMAIL): Record<string, string> {
  return { VIGIL_ADMIN_EMAIL: email };
}

/**
 * The one-time password the server printed for `email` (VIGIL_ADMIN_EMAIL), read from its logs.
 * @throws Error when it does not appear within `timeoutMs`
 */
export async function oneTimePasswordFromLogs(server: { logs: string[] }, email = E2E_ADMIN_EMAIL, timeoutMs = 5000): Promise<string> {
  const pattern = new RegExp(`one-time password for ${email.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ([A-Za-z0-9]{20})`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(server.logs.join(''));
    if (match) return match[1];
    if (Date.now() > deadline) throw new Error(`no one-time password for ${email} in the server log; start the server with adminEnv()`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Creates an admin with the CLI against a data folder (`node dist/backend/main.js create-admin`),
 * for tests that prepare the data folder before starting the server.
 * @returns the one-time password
 */
export function createAdminWithCli(env: Record<string, string>, email = E2E_ADMIN_EMAIL): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist/backend/main.js'), 'create-admin', email], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const match = /one-time password for [^:]+: ([A-Za-z0-9]{20})/.exec(result.stdout);
  if (result.status !== 0 || !match) throw new Error(`create-admin failed (${result.status}): ${result.stdout}${result.stderr}`);
  return match[1];
}

/** A JSON answer: status and body. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** An authenticated API client: a session cookie (like the portal) or an admin API key (like a script). */
export class ApiSession {
  constructor(
    readonly baseUrl: string,
    /** `vigil_session=…`, or null with an API key. */
    readonly cookie: string | null,
    readonly apiKey: string | null = null,
  ) {}

  /**
   * Sends one request; JSON in and out.
   * @throws Error when the status is not `expect` (default: any 2xx)
   */
  async request<T = unknown>(method: string, pathName: string, body?: unknown, expect?: number): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { origin: this.baseUrl };
    if (this.cookie) headers['cookie'] = this.cookie;
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${pathName}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : null) as T;
    const ok = expect === undefined ? res.status >= 200 && res.status < 300 : res.status === expect;
    if (!ok) throw new Error(`${method} ${pathName}: ${res.status} ${text}`);
    return { status: res.status, body: parsed };
  }

  async get<T = unknown>(pathName: string): Promise<T> {
    return (await this.request<T>('GET', pathName)).body;
  }
  async post<T = unknown>(pathName: string, body?: unknown): Promise<T> {
    return (await this.request<T>('POST', pathName, body)).body;
  }
  async put<T = unknown>(pathName: string, body?: unknown): Promise<T> {
    return (await this.request<T>('PUT', pathName, body)).body;
  }
}

/**
 * Logs in. With `newPassword`, replaces a one-time password first (the server refuses
 * everything else until then).
 */
export async function login(baseUrl: string, email: string, password: string, newPassword?: string): Promise<ApiSession> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const value = /vigil_session=([A-Za-z0-9_-]{43})/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!value) throw new Error(`login ${email}: no session cookie`);
  const session = new ApiSession(baseUrl, `vigil_session=${value}`);
  if (newPassword) await session.request('POST', '/api/auth/password', { currentPassword: password, newPassword }, 204);
  return session;
}

/** The admin of a server started with {@link adminEnv}: logged in, one-time password replaced by {@link E2E_PASSWORD}. */
export async function loginAdmin(server: { baseUrl: string; logs: string[] }, email = E2E_ADMIN_EMAIL): Promise<ApiSession> {
  return login(server.baseUrl, email, await oneTimePasswordFromLogs(server, email), E2E_PASSWORD);
}

/** A new admin API key (`Authorization: Bearer`), as a client. */
export async function apiKeySession(admin: ApiSession, name = 'e2e'): Promise<ApiSession> {
  const { key } = await admin.post<{ key: string }>('/api/api-keys', { name });
  return new ApiSession(admin.baseUrl, null, key);
}

/** An exam as the API returns it. */
export interface E2eExam {
  id: string;
  name: string;
  startsAtMs: number;
  endsAtMs: number;
  defaultFps: number;
}

/** Creates an exam; its window runs from an hour ago to three hours from now unless given. */
export async function createExam(admin: ApiSession, fields: Partial<Omit<E2eExam, 'id'>> & { retentionDays?: number } = {}): Promise<E2eExam> {
  const now = Date.now();
  return admin.post<E2eExam>('/api/exams', { name: 'E2E exam', startsAtMs: now - 3600_000, endsAtMs: now + 3 * 3600_000, ...fields });
}

/** A seat with its kiosk URL (`<base>/sentinel/?exam=…&seat=…#token=…`). */
export interface E2eSeat {
  id: string;
  examId: string;
  studentId: string;
  token: string;
  kioskUrl: string;
}

/** Creates a seat in an exam. */
export async function createSeat(admin: ApiSession, examId: string, studentId: string, displayName = `Student ${studentId}`): Promise<E2eSeat> {
  return admin.post<E2eSeat>(`/api/exams/${examId}/seats`, { studentId, displayName });
}

/** The current kiosk URL of a seat. */
export async function kioskUrl(admin: ApiSession, examId: string, seatId: string): Promise<string> {
  return (await admin.get<{ kioskUrl: string }>(`/api/exams/${examId}/seats/${seatId}/kiosk-url`)).kioskUrl;
}

/**
 * Creates a proctor assigned to `examIds` and replaces their one-time password.
 * @returns e-mail and the password to log in with ({@link E2E_PASSWORD})
 */
export async function createProctor(admin: ApiSession, email: string, examIds: string[]): Promise<{ id: string; email: string; password: string }> {
  const created = await admin.post<{ user: { id: string }; oneTimePassword: string }>('/api/users', { email, role: 'proctor' });
  for (const examId of examIds) await admin.request('PUT', `/api/exams/${examId}/proctors/${created.user.id}`, undefined, 204);
  await login(admin.baseUrl, email, created.oneTimePassword, E2E_PASSWORD);
  return { id: created.user.id, email, password: E2E_PASSWORD };
}

/** The session cookie of `session` for Playwright's `context.addCookies([...])` (portal pages, /ws/proctor). */
export function sessionCookie(session: ApiSession): { name: string; value: string; url: string; httpOnly: boolean; sameSite: 'Strict' } {
  if (!session.cookie) throw new Error('an API key session has no cookie');
  return { name: 'vigil_session', value: session.cookie.slice('vigil_session='.length), url: session.baseUrl, httpOnly: true, sameSite: 'Strict' };
}

/** `GET /api/recordings/:streamId` as far as the e2e tests read it. */
export interface RecordingIndex {
  meta: { streamId: string; examId: string; seatId: string };
  parts: { init: { file: string }; segments: { file: string; startMs: number; join: boolean }[] }[];
}
