/** The two databases Vigil runs on: embedded SQLite (libSQL) by default, PostgreSQL with DATABASE_URL. */
export type SqlDialect = 'sqlite' | 'postgres';
