import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Config } from '../config.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; it is a Db, so repositories take either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Plain SQL access for migrations, pg-boss and health checks. */
export interface SqlClient {
  readonly kind: 'pglite' | 'postgres';
  readonly schema: string;
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs several statements (no parameters) in one round trip; returns the last one's rows. */
  exec(text: string): Promise<{ rows: unknown[] }>;
  /**
   * Runs `fn` on one connection holding a session-level advisory lock on it, so concurrent
   * processes serialise and a failed multi-statement transaction can be rolled back there.
   */
  withAdvisoryLock<T>(key: string, fn: (conn: Pick<SqlClient, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Database {
  db: Db;
  sql: SqlClient;
}

export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function openDatabase(config: Pick<Config, 'database' | 'DATABASE_SCHEMA' | 'DATABASE_POOL_SIZE'>): Promise<Database> {
  const schemaName = config.DATABASE_SCHEMA;
  if (config.database.kind === 'pglite') {
    const client = await PGlite.create(config.database.dir);
    return pgliteDatabase(client, schemaName);
  }
  return postgresDatabase(config.database.url, schemaName, config.DATABASE_POOL_SIZE);
}

/** An in-memory PGlite (tests) or one opened on a directory. */
export async function pgliteDatabase(client: PGlite, schemaName = 'public'): Promise<Database> {
  await client.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName)}; SET search_path TO ${quoteIdent(schemaName)}`);
  const sqlClient: SqlClient = {
    kind: 'pglite',
    schema: schemaName,
    async query<T>(text: string, values?: unknown[]) {
      const r = await client.query<T>(text, values as unknown[] | undefined);
      return { rows: r.rows };
    },
    async exec(text) {
      const results = await client.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
    // PGlite is one connection in one process (and the data dir is locked), so nothing
    // else can interleave: the lock is a no-op.
    withAdvisoryLock: (_key, fn) => fn(sqlClient),
    close: () => client.close(),
  };
  return { db: drizzlePglite(client, { schema }) as unknown as Db, sql: sqlClient };
}

async function postgresDatabase(url: string, schemaName: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    options: `-c search_path=${schemaName}`,
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => {});
  try {
    const { rows } = await pool.query<{ version: string; num: string }>(`SELECT version() AS version, current_setting('server_version_num') AS num`);
    const num = Number(rows[0]?.num ?? 0);
    if (!rows[0]?.version.startsWith('PostgreSQL') || num < 150000) {
      throw new DatabaseUnavailableError(`DATABASE_URL points at ${rows[0]?.version ?? 'an unknown server'}; Paike needs PostgreSQL 15 or newer.`);
    }
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName)}`);
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof DatabaseUnavailableError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseUnavailableError(
      `Cannot use the PostgreSQL database at DATABASE_URL (${redactUrl(url)}): ${reason}. ` +
        'Check that the server is running, reachable and speaks PostgreSQL 15 or newer.',
      { cause: err },
    );
  }
  const sqlClient: SqlClient = {
    kind: 'postgres',
    schema: schemaName,
    async query<T>(text: string, values?: unknown[]) {
      const r = await pool.query(text, values);
      return { rows: r.rows as T[] };
    },
    async exec(text) {
      return lastRows(await pool.query(text));
    },
    async withAdvisoryLock(key, fn) {
      const conn = await pool.connect();
      try {
        await conn.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        try {
          return await fn({
            query: async <T>(text: string, values?: unknown[]) => ({ rows: (await conn.query(text, values)).rows as T[] }),
            exec: async (text: string) => lastRows(await conn.query(text)),
          });
        } finally {
          await conn.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
        }
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
  return { db: drizzlePg(pool, { schema }) as unknown as Db, sql: sqlClient };
}

/** Never print a password that came in a URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Builds a drizzle SQL object from `$1`-style text, so pg-boss can run inside our transactions. */
export function rawQuery(text: string, values: unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) chunks.push(sql.raw(part));
    // One bound parameter each: drizzle drops an undefined chunk (pg-boss leaves unset
    // options undefined, which would delete the `$n`) and spreads an array into `(a, b)`.
    else chunks.push(sql`${sql.param(values[Number(part) - 1] ?? null)}`);
  });
  return sql.join(chunks);
}

/** A multi-statement simple query answers with one result per statement. */
function lastRows(r: pg.QueryResult | pg.QueryResult[]): { rows: unknown[] } {
  const last = Array.isArray(r) ? r.at(-1) : r;
  return { rows: last?.rows ?? [] };
}
