import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The database schema as Kysely sees it (camelCase here; snake_case in SQL through
 * Kysely's CamelCasePlugin). Times are integers: milliseconds since the Unix epoch.
 * Booleans are nullable timestamps (`disabledAt`, `revokedAt`) or 0/1 integers, which
 * read back the same from SQLite and PostgreSQL. Migrations: `migrations/`.
 */
export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  exams: ExamsTable;
  seats: SeatsTable;
  examProctors: ExamProctorsTable;
  streams: StreamsTable;
  streamChanges: StreamChangesTable;
  apiKeys: ApiKeysTable;
  auditLog: AuditLogTable;
}

/** Admins and proctors. */
export interface UsersTable {
  id: string;
  /** Lower case, unique. */
  email: string;
  role: 'admin' | 'proctor';
  displayName: string;
  /** argon2id PHC string. */
  passwordHash: string;
  /** 1 while the user still has a one-time password. */
  mustChangePassword: number;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Login sessions; the id is the SHA-256 (hex) of the cookie value, never the value itself. */
export interface SessionsTable {
  id: string;
  userId: string;
  createdAt: number;
  /** Absolute end. */
  expiresAt: number;
  /** End unless used again before (sliding). */
  idleExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** An exam: a time window, capture defaults and how long recordings are kept. */
export interface ExamsTable {
  id: string;
  name: string;
  startsAt: number;
  endsAt: number;
  defaultFps: number;
  retentionDays: number;
  createdAt: number;
  updatedAt: number;
}

/** A student's place in an exam; the Sentinel's identity. */
export interface SeatsTable {
  id: string;
  examId: string;
  studentId: string;
  displayName: string;
  /** Part of every seat token; incremented to revoke all earlier tokens. */
  tokenVersion: ColumnType<number, number | undefined, number>;
  createdAt: number;
  updatedAt: number;
}

/** Which proctor watches which exam. */
export interface ExamProctorsTable {
  examId: string;
  userId: string;
  createdAt: number;
}

/** One row per relay stream (one Sentinel capture), kept after the stream ends. No foreign keys: history outlives seats. */
export interface StreamsTable {
  id: string;
  examId: string;
  seatId: string;
  encoder: string;
  userAgent: string;
  state: 'live' | 'disconnected' | 'ended';
  startedAt: number;
  endedAt: number | null;
  lastSeenAt: number;
  codec: string | null;
  width: number;
  height: number;
  fps: number;
}

/** A stream's history: state, resolution and frame-rate changes. */
export interface StreamChangesTable {
  id: Generated<number>;
  streamId: string;
  at: number;
  kind: 'state' | 'resolution' | 'fps';
  /** JSON object. */
  details: string;
}

/** Admin API keys; only the SHA-256 of the key is stored. */
export interface ApiKeysTable {
  id: string;
  name: string;
  /** First characters of the key, for recognising it in lists. */
  prefix: string;
  keyHash: string;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Who did what to what, when. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actorId: string | null;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** JSON object. */
  details: string;
  ip: string | null;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ExamRow = Selectable<ExamsTable>;
export type SeatRow = Selectable<SeatsTable>;
export type StreamRow = Selectable<StreamsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AuditRow = Selectable<AuditLogTable>;
