import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../db/database.service';
import { actorLabel, type Actor } from '../auth/principal';
import type { AuditRow } from '../db/database.types';
import { AuditEntryView } from './audit.dto';
import type { AuditAction } from '@vigil/api';

/** What an audit entry is about. */
export interface AuditTarget {
  type: 'user' | 'exam' | 'seat' | 'stream' | 'api-key' | 'session';
  id: string;
}

/** Filters of {@link AuditService.list}. */
export interface AuditQuery {
  limit: number;
  beforeId?: number;
  action?: string;
  targetId?: string;
}

/** Appends to and reads the audit log (who did what to what, when). */
@Injectable()
export class AuditService {
  constructor(private readonly database: DatabaseService) {}

  /** Appends one entry; `action` is one of `AUDIT_ACTIONS` (`@vigil/api`). `details` is stored as JSON; keep secrets out of it. */
  async record(actor: Actor, action: AuditAction, target: AuditTarget | null, details: Record<string, unknown> = {}): Promise<void> {
    await this.database.db
      .insertInto('auditLog')
      .values({
        at: Date.now(),
        actorId: actor.principal?.userId ?? null,
        actor: actorLabel(actor.principal),
        action,
        targetType: target?.type ?? null,
        targetId: target?.id ?? null,
        details: JSON.stringify(details),
        ip: actor.ip,
      })
      .execute();
  }

  /** Newest first, paged backwards with `beforeId`. */
  async list(query: AuditQuery): Promise<AuditEntryView[]> {
    let q = this.database.db.selectFrom('auditLog').selectAll().orderBy('id', 'desc').limit(query.limit);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.targetId !== undefined) q = q.where('targetId', '=', query.targetId);
    return (await q.execute()).map(toView);
  }
}

function toView(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    atMs: row.at,
    actorId: row.actorId,
    actor: row.actor,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    details: JSON.parse(row.details) as Record<string, unknown>,
    ip: row.ip,
  };
}
