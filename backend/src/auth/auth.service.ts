import { BadRequestException, ForbiddenException, HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { DatabaseService } from '../db/database.service';
import { AuditService } from '../audit/audit.service';
import type { UserRow } from '../db/database.types';
import type { Actor, Principal } from './principal';
import { SessionService, type NewSession } from './session.service';
import { ExamAccessService } from './exam-access.service';
import { readSessionCookie } from './session-cookie';
import { API_KEY_PATTERN } from './api-key-format';
import { DUMMY_PASSWORD_HASH, hashPassword, sha256Hex, verifyPassword } from './secrets';
import { LoginLimiter } from './login-limiter';

/**
 * 429 for an account with too many failed logins in the window ({@link LoginLimiter}); the
 * controller turns `retryAfterSeconds` into a `Retry-After` header (RFC 9110 §10.2.3).
 */
export class TooManyLoginsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      { statusCode: 429, error: 'Too Many Requests', message: `too many failed logins for this account: try again in ${retryAfterSeconds} s` },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** What a login returns to the controller. */
export interface LoginResult {
  user: UserRow;
  session: NewSession;
}

/** Headers a request or WebSocket upgrade authenticates with. */
export interface Credentials {
  cookie?: string;
  authorization?: string;
}

/** API key `lastUsedAt` is written at most this often. */
const API_KEY_TOUCH_MS = 60_000;

/**
 * Who is calling: logins (argon2id), session cookies and admin API keys, resolved to a
 * {@link Principal}. Disabled users, expired or ended sessions and revoked keys resolve
 * to null (401).
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly database: DatabaseService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly access: ExamAccessService,
    private readonly limiter: LoginLimiter,
  ) {}

  /**
   * Checks e-mail and password and opens a session. Every failure (unknown e-mail, wrong
   * password, disabled user) gets the same answer and takes the same time. An account (the
   * e-mail as typed, known or not) with `VIGIL_LOGIN_ACCOUNT_LIMIT` failures in the last
   * `VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES` is refused before its password is checked.
   * @throws UnauthorizedException `email or password is wrong`
   * @throws TooManyLoginsException (429) while the account is over its failed-login limit
   */
  async login(email: string, password: string, ip: string | null, userAgent: string | null): Promise<LoginResult> {
    const normalized = email.trim().toLowerCase();
    const retryAfter = this.limiter.retryAfterSeconds(normalized, Date.now());
    if (retryAfter > 0) throw new TooManyLoginsException(retryAfter);
    // counted as failed until it succeeds: parallel guesses cannot overtake the limit
    this.limiter.fail(normalized, Date.now());
    const user = await this.database.db.selectFrom('users').selectAll().where('email', '=', normalized).executeTakeFirst();
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_PASSWORD_HASH, password);
    if (!user || !ok || user.disabledAt !== null) {
      await this.audit.record({ principal: null, ip }, 'auth.login-failed', user ? { type: 'user', id: user.id } : null, {
        email: normalized.slice(0, 200),
        reason: !user ? 'unknown e-mail' : !ok ? 'wrong password' : 'user disabled',
      });
      throw new UnauthorizedException('email or password is wrong');
    }
    this.limiter.succeed(normalized);
    const session = await this.sessions.create(user.id, ip, userAgent);
    await this.audit.record({ principal: this.principalOf(user, 'session', session.id), ip }, 'auth.login', { type: 'user', id: user.id });
    return { user, session };
  }

  /** Ends the caller's session (API keys: nothing to end). */
  async logout(actor: Actor): Promise<void> {
    const p = actor.principal;
    if (!p || p.via !== 'session' || !p.sessionId) return;
    await this.sessions.delete(p.sessionId);
    this.access.notifyChanged(p.userId);
    await this.audit.record(actor, 'auth.logout', { type: 'user', id: p.userId });
  }

  /**
   * Changes the caller's own password; their other sessions end, this one becomes unrestricted.
   * @throws BadRequestException when the current password is wrong or the new one equals it
   */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const p = actor.principal;
    if (!p || p.via !== 'session') throw new ForbiddenException('log in with a password to change it (API keys cannot)');
    const user = await this.database.db.selectFrom('users').selectAll().where('id', '=', p.userId).executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.passwordHash, currentPassword))) throw new BadRequestException('currentPassword is wrong');
    if (currentPassword === newPassword) throw new BadRequestException('newPassword must differ from currentPassword');
    await this.database.db
      .updateTable('users')
      .set({ passwordHash: await hashPassword(newPassword), mustChangePassword: 0, updatedAt: Date.now() })
      .where('id', '=', user.id)
      .execute();
    await this.sessions.deleteForUser(user.id, p.sessionId);
    this.access.notifyChanged(user.id);
    await this.audit.record(actor, 'auth.password-change', { type: 'user', id: user.id });
  }

  /**
   * The principal behind a request's credentials. An `Authorization` header wins over the
   * cookie (and must then be a valid API key: no fall-back).
   */
  async resolve(credentials: Credentials): Promise<Principal | null> {
    if (credentials.authorization !== undefined) return this.resolveApiKey(credentials.authorization);
    const token = readSessionCookie(credentials.cookie);
    if (!token) return null;
    const session = await this.sessions.resolve(token);
    if (!session) return null;
    const user = await this.database.db.selectFrom('users').selectAll().where('id', '=', session.userId).executeTakeFirst();
    if (!user || user.disabledAt !== null) return null;
    return this.principalOf(user, 'session', session.id);
  }

  /** Re-checks a principal (long-lived WebSockets): null once its session or key or user is gone. */
  async recheck(principal: Principal): Promise<Principal | null> {
    if (principal.via === 'session') {
      if (!principal.sessionId || !(await this.sessions.isAlive(principal.sessionId))) return null;
      await this.sessions.touch(principal.sessionId);
    } else {
      const key = await this.database.db.selectFrom('apiKeys').select('revokedAt').where('id', '=', principal.apiKeyId ?? '').executeTakeFirst();
      if (!key || key.revokedAt !== null) return null;
    }
    const user = await this.database.db.selectFrom('users').selectAll().where('id', '=', principal.userId).executeTakeFirst();
    if (!user || user.disabledAt !== null || (principal.via === 'api-key' && user.role !== 'admin')) return null;
    return { ...principal, role: user.role, email: user.email, mustChangePassword: user.mustChangePassword === 1 };
  }

  private async resolveApiKey(header: string): Promise<Principal | null> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !API_KEY_PATTERN.test(match[1])) return null;
    const row = await this.database.db
      .selectFrom('apiKeys')
      .innerJoin('users', 'users.id', 'apiKeys.createdBy')
      .select(['apiKeys.id as keyId', 'apiKeys.prefix', 'apiKeys.revokedAt', 'apiKeys.lastUsedAt', 'users.id as userId'])
      .where('apiKeys.keyHash', '=', sha256Hex(match[1]))
      .executeTakeFirst();
    if (!row || row.revokedAt !== null) return null;
    const user = await this.database.db.selectFrom('users').selectAll().where('id', '=', row.userId).executeTakeFirst();
    // an API key acts as the admin who made it: a disabled or demoted creator takes the key down too
    if (!user || user.disabledAt !== null || user.role !== 'admin') return null;
    const now = Date.now();
    if (row.lastUsedAt === null || now - row.lastUsedAt >= API_KEY_TOUCH_MS) {
      await this.database.db.updateTable('apiKeys').set({ lastUsedAt: now }).where('id', '=', row.keyId).execute();
    }
    return { ...this.principalOf(user, 'api-key', null), apiKeyId: row.keyId, apiKeyPrefix: row.prefix, mustChangePassword: false };
  }

  private principalOf(user: UserRow, via: 'session' | 'api-key', sessionId: string | null): Principal {
    return {
      userId: user.id,
      email: user.email,
      role: user.role,
      via,
      sessionId,
      apiKeyId: null,
      apiKeyPrefix: null,
      mustChangePassword: user.mustChangePassword === 1,
    };
  }
}
