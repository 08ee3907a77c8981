import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../db/database.service';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { randomToken, sha256Hex } from './secrets';

/** A session just created: the cookie value (shown to the browser once) and its end. */
export interface NewSession {
  token: string;
  id: string;
  expiresAtMs: number;
}

/** The stored part of a live session. */
export interface SessionRecord {
  id: string;
  userId: string;
  expiresAtMs: number;
}

/** Idle expiry is pushed forward at most this often (spares a write per request). */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Server-side login sessions. The cookie carries 256 random bits; the table stores only
 * their SHA-256, so a leaked database holds no usable cookie. A session ends at its
 * absolute expiry, after `sessionIdleMinutes` without use, on logout, or when its user's
 * password changes or the user is disabled.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly database: DatabaseService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  async create(userId: string, ip: string | null, userAgent: string | null): Promise<NewSession> {
    const now = Date.now();
    const token = randomToken();
    const id = sha256Hex(token);
    const expiresAtMs = now + this.config.sessionTtlMinutes * 60_000;
    await this.database.db
      .insertInto('sessions')
      .values({ id, userId, createdAt: now, expiresAt: expiresAtMs, idleExpiresAt: this.idleEnd(now), ip, userAgent: userAgent?.slice(0, 256) ?? null })
      .execute();
    // opportunistic clean-up of dead sessions (logins are rare enough to carry it)
    await this.database.db.deleteFrom('sessions').where((eb) => eb.or([eb('expiresAt', '<=', now), eb('idleExpiresAt', '<=', now)])).execute();
    return { token, id, expiresAtMs };
  }

  /** The live session for a cookie value, its idle expiry pushed forward; null when unknown or expired. */
  async resolve(token: string): Promise<SessionRecord | null> {
    const now = Date.now();
    const id = sha256Hex(token);
    const row = await this.database.db.selectFrom('sessions').select(['id', 'userId', 'expiresAt', 'idleExpiresAt']).where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    if (row.expiresAt <= now || row.idleExpiresAt <= now) {
      await this.database.db.deleteFrom('sessions').where('id', '=', id).execute();
      return null;
    }
    if (this.idleEnd(now) - row.idleExpiresAt >= TOUCH_INTERVAL_MS) await this.touch(id, now);
    return { id, userId: row.userId, expiresAtMs: row.expiresAt };
  }

  /** Pushes a session's idle expiry forward (an open proctor WebSocket counts as use). */
  async touch(id: string, now = Date.now()): Promise<void> {
    await this.database.db.updateTable('sessions').set({ idleExpiresAt: this.idleEnd(now) }).where('id', '=', id).execute();
  }

  /** Whether the session still exists and has not expired. */
  async isAlive(id: string): Promise<boolean> {
    const now = Date.now();
    const row = await this.database.db.selectFrom('sessions').select('id').where('id', '=', id).where('expiresAt', '>', now).where('idleExpiresAt', '>', now).executeTakeFirst();
    return row !== undefined;
  }

  async delete(id: string): Promise<void> {
    await this.database.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user, except `keepId` (the one changing its password). */
  async deleteForUser(userId: string, keepId: string | null = null): Promise<void> {
    let q = this.database.db.deleteFrom('sessions').where('userId', '=', userId);
    if (keepId) q = q.where('id', '!=', keepId);
    await q.execute();
  }

  private idleEnd(now: number): number {
    return now + this.config.sessionIdleMinutes * 60_000;
  }
}
