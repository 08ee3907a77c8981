import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatabaseService } from '../db/database.service';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { ExamAccessService } from '../auth/exam-access.service';
import { API_KEY_PREFIX_LENGTH, generateApiKey } from '../auth/api-key-format';
import { sha256Hex } from '../auth/secrets';
import type { ApiKeyView, CreatedApiKeyView } from './api-keys.dto';

/**
 * Admin API keys for scripts: 256 random bits, shown once, stored as SHA-256 with a
 * visible prefix, revocable. A key acts as the admin who created it (resolved by
 * `AuthService`).
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly database: DatabaseService,
    private readonly audit: AuditService,
    private readonly access: ExamAccessService,
  ) {}

  async list(): Promise<ApiKeyView[]> {
    const rows = await this.database.db
      .selectFrom('apiKeys')
      .innerJoin('users', 'users.id', 'apiKeys.createdBy')
      .select(['apiKeys.id', 'apiKeys.name', 'apiKeys.prefix', 'apiKeys.createdAt', 'users.email', 'apiKeys.lastUsedAt', 'apiKeys.revokedAt'])
      .orderBy('apiKeys.createdAt', 'desc')
      .orderBy('apiKeys.id')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, createdAtMs: r.createdAt, createdBy: r.email, lastUsedAtMs: r.lastUsedAt, revokedAtMs: r.revokedAt }));
  }

  async create(actor: Actor, name: string): Promise<CreatedApiKeyView> {
    const p = actor.principal;
    if (!p) throw new BadRequestException('an API key needs an admin to act as');
    const key = generateApiKey();
    const row = { id: randomUUID(), name: name.trim(), prefix: key.slice(0, API_KEY_PREFIX_LENGTH), keyHash: sha256Hex(key), createdBy: p.userId, createdAt: Date.now(), lastUsedAt: null, revokedAt: null };
    await this.database.db.insertInto('apiKeys').values(row).execute();
    await this.audit.record(actor, 'api-key.create', { type: 'api-key', id: row.id }, { name: row.name, prefix: row.prefix });
    return {
      apiKey: { id: row.id, name: row.name, prefix: row.prefix, createdAtMs: row.createdAt, createdBy: p.email, lastUsedAtMs: null, revokedAtMs: null },
      key,
    };
  }

  /** Revokes a key at once (idempotent; the row stays for the record). */
  async revoke(actor: Actor, keyId: string): Promise<void> {
    const row = await this.database.db.selectFrom('apiKeys').select(['id', 'prefix', 'revokedAt', 'createdBy']).where('id', '=', keyId).executeTakeFirst();
    if (!row) throw new NotFoundException(`no API key ${keyId.slice(0, 40)}; GET /api/api-keys lists them`);
    if (row.revokedAt !== null) return;
    await this.database.db.updateTable('apiKeys').set({ revokedAt: Date.now() }).where('id', '=', keyId).execute();
    this.access.notifyChanged(row.createdBy);
    await this.audit.record(actor, 'api-key.revoke', { type: 'api-key', id: keyId }, { prefix: row.prefix });
  }
}
