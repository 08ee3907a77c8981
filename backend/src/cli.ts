import { Logger } from '@nestjs/common';
import { DatabaseService } from './db/database.service';
import { AuditService } from './audit/audit.service';
import { SessionService } from './auth/session.service';
import { ExamAccessService } from './auth/exam-access.service';
import { UsersService } from './users-api/users.service';
import type { VigilConfig } from './config/vigil-config';

/** Commands of `node dist/backend/main.js <command> …`. */
export const CLI_COMMANDS = ['create-admin', 'reset-password'] as const;

/** Output of a command: what to print and the exit code. */
export interface CliResult {
  code: number;
  out: string;
}

/**
 * Runs an admin command against the server's database (same `VIGIL_DATA_DIR` /
 * `DATABASE_URL`), without starting the server:
 * - `create-admin EMAIL`: a new admin with a one-time password (printed once);
 * - `reset-password EMAIL`: a new one-time password for an existing user; sessions end.
 */
export async function runCli(config: VigilConfig, args: string[]): Promise<CliResult> {
  const [command, email] = args;
  const usage = 'usage: node dist/backend/main.js create-admin EMAIL | reset-password EMAIL';
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email) || args.length !== 2) return { code: 2, out: usage };
  const database = await DatabaseService.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, { log: () => undefined });
  try {
    const audit = new AuditService(database);
    const access = new ExamAccessService(database);
    const users = new UsersService(database, new SessionService(database, config), audit, access);
    const actor = { principal: null, ip: null };
    if (command === 'create-admin') {
      const created = await users.ensureAdmin(email, actor);
      if (!created) return { code: 1, out: `a user ${email.toLowerCase()} already exists; use reset-password ${email} for a new one-time password` };
      return { code: 0, out: `created admin ${created.user.email}\none-time password for ${created.user.email}: ${created.oneTimePassword}\n(change it at first login: the portal asks for a new one)` };
    }
    if (command === 'reset-password') {
      const user = await users.findByEmail(email);
      if (!user) return { code: 1, out: `no user ${email.toLowerCase()}` };
      const password = await users.resetPassword(actor, user.id);
      return { code: 0, out: `one-time password for ${user.email}: ${password}\n(every session of ${user.email} ended; change it at first login)` };
    }
    return { code: 2, out: usage };
  } finally {
    await database.close();
  }
}

/** Logs the CLI's failure the way the server does. */
export function cliFailure(e: unknown): CliResult {
  new Logger('Vigil').error(e instanceof Error ? e.message : String(e));
  return { code: 1, out: '' };
}
