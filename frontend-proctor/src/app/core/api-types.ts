/**
 * Resources of the control API, as docs/control-api.md defines them. Times are
 * Unix epoch milliseconds in fields named `…AtMs`.
 */

/** A portal or script user. `examIds`: the exams a proctor is assigned to. */
export interface User {
  id: string;
  email: string;
  role: 'admin' | 'proctor';
  displayName: string;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAtMs: number;
  examIds: string[];
}

/** An exam: its schedule window, the frame rate new streams start at and how long recordings are kept. */
export interface Exam {
  id: string;
  name: string;
  startsAtMs: number;
  endsAtMs: number;
  /** 0.2..5 */
  defaultFps: number;
  /** 1..3650 */
  retentionDays: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Live status of a seat, computed by the server. */
export type SeatStatus = 'streaming' | 'offline' | 'never-connected';

/** A student's place in an exam, with its live status. */
export interface Seat {
  id: string;
  examId: string;
  studentId: string;
  displayName: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** `streaming` = a live stream with a connected Sentinel. */
  status: SeatStatus;
  /** Last fragment or connection of any of its streams. */
  lastSeenAtMs: number | null;
  /** The seat's stream in the relay now (live or disconnected). */
  liveStreamId: string | null;
}

/** Answer of `POST /api/exams/:examId/seats`. */
export interface CreatedSeat extends Seat {
  kioskUrl: string;
  token: string;
}

/** The URL a kiosk opens for one seat. */
export interface KioskUrl {
  seatId: string;
  examId: string;
  kioskUrl: string;
  token: string;
  expiresAtMs: number;
}

/** Answer of the CSV seat import: counts over all rows (the import is all or nothing). */
export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  total: number;
}

/** An admin API key (never the key itself). */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAtMs: number;
  /** The creator's e-mail. */
  createdBy: string;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

/** One control action in the audit log. */
export interface AuditEntry {
  id: number;
  atMs: number;
  actorId: string | null;
  /** E-mail, `api-key vgk_abcd1234 (e-mail)` or `system`. */
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}

/** Answer of `POST /api/auth/login`. */
export interface LoginResult {
  user: User;
  mustChangePassword: boolean;
  expiresAtMs: number;
}

/** Answer of `GET /api/auth/me`. */
export interface MeResult {
  user: User;
  via: 'session' | 'api-key';
  mustChangePassword: boolean;
}

/** Answer of `POST /api/users`: the one-time password is shown once. */
export interface CreatedUser {
  user: User;
  oneTimePassword: string;
}

/** Answer of `POST /api/api-keys`: the key is shown once. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  key: string;
}

/** The audit actions the server logs (docs/control-api.md). */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login-failed',
  'auth.logout',
  'auth.password-change',
  'user.create',
  'user.update',
  'user.delete',
  'user.reset-password',
  'exam.create',
  'exam.update',
  'exam.delete',
  'exam.fps',
  'exam.proctor-assign',
  'exam.proctor-unassign',
  'seat.create',
  'seat.update',
  'seat.delete',
  'seat.import',
  'seat.revoke-token',
  'seat.export-urls',
  'stream.keyframe',
  'stream.fps',
  'stream.end',
  'api-key.create',
  'api-key.revoke',
] as const;
