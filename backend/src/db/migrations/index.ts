import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../sql-dialect';
import { initialSchema } from './0001-initial';

/**
 * Every migration, in order, bundled with the server (esbuild inlines them, so they
 * are listed here instead of read from a folder). Names sort in run order.
 */
export function migrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001-initial': initialSchema(dialect),
  };
}

/** Kysely's Migrator reads migrations from here. */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
