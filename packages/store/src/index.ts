// The public API of @suanli/store.
export { KyselyStore } from './kysely-store.ts';
export { openPostgresStore, type PostgresOptions, PostgresStore } from './postgres/postgres-store.ts';
export { openSqliteStore } from './sqlite/sqlite-store.ts';
