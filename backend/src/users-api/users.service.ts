import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatabaseService } from '../db/database.service';
import { AuditService } from '../audit/audit.service';
import { SessionService } from '../auth/session.service';
import { ExamAccessService } from '../auth/exam-access.service';
import { generateOneTimePassword, hashPassword } from '../auth/secrets';
import type { Actor } from '../auth/principal';
import type { UserRow } from '../db/database.types';
import { userView, type CreatedUserView, type UpdateUserDto, type UserView } from './users.dto';

/**
 * Admin and proctor accounts. New accounts and password resets get a generated one-time
 * password (shown once, stored as argon2id) that must be changed at first login; there
 * is no default password anywhere.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly database: DatabaseService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly access: ExamAccessService,
  ) {}

  async list(): Promise<UserView[]> {
    const users = await this.database.db.selectFrom('users').selectAll().orderBy('email').execute();
    const assignments = await this.database.db.selectFrom('examProctors').select(['userId', 'examId']).orderBy('examId').execute();
    return users.map((u) => userView(u, assignments.filter((a) => a.userId === u.id).map((a) => a.examId)));
  }

  async get(userId: string): Promise<UserView> {
    const user = await this.row(userId);
    return userView(user, await this.examIds(userId));
  }

  /**
   * Creates a user with a one-time password.
   * @throws ConflictException when the e-mail is taken
   */
  async create(actor: Actor, input: { email: string; role?: 'admin' | 'proctor'; displayName?: string }): Promise<CreatedUserView> {
    const email = input.email.trim().toLowerCase();
    const oneTimePassword = generateOneTimePassword();
    const now = Date.now();
    const row: UserRow = {
      id: randomUUID(),
      email,
      role: input.role ?? 'proctor',
      displayName: input.displayName?.trim() || email,
      passwordHash: await hashPassword(oneTimePassword),
      mustChangePassword: 1,
      disabledAt: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.database.db.insertInto('users').values(row).execute();
    } catch (e) {
      if (this.database.isUniqueViolation(e)) throw new ConflictException(`email ${email.slice(0, 40)} is already used by another user`);
      throw e;
    }
    await this.audit.record(actor, 'user.create', { type: 'user', id: row.id }, { email, role: row.role });
    return { user: userView(row, []), oneTimePassword };
  }

  /**
   * Changes name, role or disabled state. Disabling ends the user's sessions.
   * @throws ConflictException when an admin would lock themselves out or remove the last active admin
   */
  async update(actor: Actor, userId: string, input: UpdateUserDto): Promise<UserView> {
    const user = await this.row(userId);
    const demoted = input.role === 'proctor' && user.role === 'admin';
    const disabling = input.disabled === true && user.disabledAt === null;
    if ((demoted || disabling) && user.role === 'admin') await this.assertNotLastAdmin(actor, user, demoted ? 'demote' : 'disable');
    const now = Date.now();
    await this.database.db
      .updateTable('users')
      .set({
        ...(input.displayName !== undefined ? { displayName: input.displayName.trim() } : {}),
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(input.disabled !== undefined ? { disabledAt: input.disabled ? (user.disabledAt ?? now) : null } : {}),
        updatedAt: now,
      })
      .where('id', '=', userId)
      .execute();
    // API keys act as their creator: a demoted admin's keys are revoked
    if (demoted) await this.database.db.updateTable('apiKeys').set({ revokedAt: now }).where('createdBy', '=', userId).where('revokedAt', 'is', null).execute();
    if (disabling || demoted) {
      await this.sessions.deleteForUser(userId);
      this.access.notifyChanged(userId);
    }
    await this.audit.record(actor, 'user.update', { type: 'user', id: userId }, { ...input });
    return this.get(userId);
  }

  /** Deletes a user (sessions, assignments and API keys go with it). */
  async remove(actor: Actor, userId: string): Promise<void> {
    const user = await this.row(userId);
    if (user.role === 'admin') await this.assertNotLastAdmin(actor, user, 'delete');
    await this.database.db.deleteFrom('users').where('id', '=', userId).execute();
    this.access.notifyChanged(userId);
    await this.audit.record(actor, 'user.delete', { type: 'user', id: userId }, { email: user.email });
  }

  /** A new one-time password; the user's sessions end. */
  async resetPassword(actor: Actor, userId: string): Promise<string> {
    await this.row(userId);
    const oneTimePassword = generateOneTimePassword();
    await this.database.db
      .updateTable('users')
      .set({ passwordHash: await hashPassword(oneTimePassword), mustChangePassword: 1, updatedAt: Date.now() })
      .where('id', '=', userId)
      .execute();
    await this.sessions.deleteForUser(userId);
    this.access.notifyChanged(userId);
    await this.audit.record(actor, 'user.reset-password', { type: 'user', id: userId });
    return oneTimePassword;
  }

  /**
   * Creates an admin unless one with this e-mail exists (first start, CLI).
   * @returns the one-time password, or null when the user already existed
   */
  async ensureAdmin(email: string, actor: Actor): Promise<{ user: UserView; oneTimePassword: string } | null> {
    const existing = await this.database.db.selectFrom('users').select('id').where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    if (existing) return null;
    return this.create(actor, { email, role: 'admin' });
  }

  /** Whether any active admin exists. */
  async hasAdmin(): Promise<boolean> {
    const row = await this.database.db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabledAt', 'is', null).executeTakeFirst();
    return row !== undefined;
  }

  /** The user with this e-mail, or null. */
  async findByEmail(email: string): Promise<UserView | null> {
    const row = await this.database.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row ? userView(row, await this.examIds(row.id)) : null;
  }

  private async assertNotLastAdmin(actor: Actor, user: UserRow, what: 'disable' | 'demote' | 'delete'): Promise<void> {
    if (actor.principal?.userId === user.id) throw new ConflictException(`you cannot ${what} yourself; ask another admin`);
    const others = await this.database.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('disabledAt', 'is', null)
      .where('id', '!=', user.id)
      .execute();
    if (others.length === 0) throw new ConflictException(`${user.email} is the last active admin and cannot be ${what === 'demote' ? 'demoted' : what + 'd'}`);
  }

  private async row(userId: string): Promise<UserRow> {
    const user = await this.database.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!user) throw new NotFoundException(`no user ${userId.slice(0, 40)}; GET /api/users lists them`);
    return user;
  }

  private async examIds(userId: string): Promise<string[]> {
    const rows = await this.database.db.selectFrom('examProctors').select('examId').where('userId', '=', userId).orderBy('examId').execute();
    return rows.map((r) => r.examId);
  }
}
