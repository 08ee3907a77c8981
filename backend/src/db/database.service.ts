import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import Sqlite from 'libsql';
import { Pool, types as pgTypes } from 'pg';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { DB } from './database.types';
import type { SqlDialect } from './sql-dialect';
import { migrationProvider } from './migrations';

/** Where the database is: the embedded SQLite file, or a PostgreSQL server. */
export interface DatabaseLocation {
  /** PostgreSQL connection string, or null for SQLite. */
  databaseUrl: string | null;
  /** Folder of the SQLite file `vigil.db` (the data folder). */
  dataDir: string;
}

/** int8 (`bigint`, our millisecond times and serial ids) as a JS number: every value we store is below 2^53. */
const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);

/**
 * The database connection (Kysely) and its dialect. One query builder for SQLite and
 * PostgreSQL: queries are written once; `dialect` is only for the few spots that differ
 * (error codes). Created and migrated by {@link DatabaseService.open} before anything
 * else starts; closed on shutdown.
 */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private closed = false;

  constructor(
    readonly db: Kysely<DB>,
    readonly dialect: SqlDialect,
    /** Human-readable location for logs (no password). */
    readonly description: string,
  ) {}

  /**
   * Opens the database and runs every pending migration.
   * @throws Error when the database cannot be reached or a migration fails (the server must not start then)
   */
  static async open(location: DatabaseLocation, logger: Pick<Logger, 'log'> = new Logger('Database')): Promise<DatabaseService> {
    let service: DatabaseService;
    if (location.databaseUrl) {
      const pool = new Pool({
        connectionString: location.databaseUrl,
        max: 10,
        types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? parseInt8 : pgTypes.getTypeParser(oid, format))) as typeof pgTypes.getTypeParser },
      });
      const url = new URL(location.databaseUrl);
      service = new DatabaseService(
        new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] }),
        'postgres',
        `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
      );
    } else {
      mkdirSync(location.dataDir, { recursive: true });
      const file = path.resolve(location.dataDir, 'vigil.db');
      closeSync(openSync(file, 'a', 0o600)); // a new database file is private (password and session hashes)
      const sqlite = new Sqlite(file);
      sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
      service = new DatabaseService(
        new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite as unknown as SqliteDatabase }), plugins: [new CamelCasePlugin()] }),
        'sqlite',
        `SQLite ${file}`,
      );
    }
    try {
      await service.migrate(logger);
    } catch (e) {
      await service.close();
      throw e;
    }
    return service;
  }

  /** Runs pending migrations (idempotent; concurrent servers wait on Kysely's migration lock). */
  async migrate(logger: Pick<Logger, 'log'>): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.dialect) });
    const { error, results } = await migrator.migrateToLatest();
    for (const r of results ?? []) {
      if (r.status === 'Success') logger.log(`migration ${r.migrationName} applied`);
    }
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(before any migration)';
      throw new Error(`database migration ${failed} failed on ${this.description}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** True when `e` is a unique-constraint violation (duplicate e-mail, student id, …). */
  isUniqueViolation(e: unknown): boolean {
    const err = e as { code?: unknown; message?: unknown } | null;
    if (!err) return false;
    if (this.dialect === 'postgres') return err.code === '23505';
    return typeof err.code === 'string' && err.code.startsWith('SQLITE_CONSTRAINT') && /UNIQUE|PRIMARY KEY/.test(String(err.message));
  }

  /** Closes the connection (pool). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
