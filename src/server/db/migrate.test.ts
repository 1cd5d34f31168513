import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { openDatabase, pgliteDatabase, type Database } from './client.js';
import { migrate } from './migrate.js';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const REAL = readdirSync(MIGRATIONS)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const onPostgres = !!process.env.DATABASE_URL;

const opened: { database: Database; schema: string }[] = [];
const dirs: string[] = [];

/** A database of its own: a fresh in-memory PGlite, or a fresh schema on the PostgreSQL server. */
async function freshDatabase(schema = `t_${randomBytes(6).toString('hex')}`): Promise<Database> {
  const database = onPostgres
    ? await openDatabase(loadConfig({ DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: '3' }))
    : await pgliteDatabase(await PGlite.create());
  opened.push({ database, schema });
  return database;
}

function migrationsDirWith(extra: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'paike-migrations-'));
  dirs.push(dir);
  for (const f of REAL) copyFileSync(path.join(MIGRATIONS, f), path.join(dir, f));
  for (const [name, body] of Object.entries(extra)) writeFileSync(path.join(dir, name), body);
  return dir;
}

async function tableExists(database: Database, table: string): Promise<boolean> {
  const { rows } = await database.sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${database.sql.schema}".${table}`]);
  return rows[0]?.t != null;
}

async function recorded(database: Database): Promise<string[]> {
  const { rows } = await database.sql.query<{ name: string }>('SELECT name FROM paike_migrations ORDER BY name');
  return rows.map((r) => r.name);
}

// Each test closes what it opened: an in-memory PGlite holds a few hundred MB.
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const { database, schema } of opened.splice(0)) {
    if (onPostgres) await database.sql.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await database.sql.close().catch(() => {});
  }
});

describe('migrate', () => {
  it('applies every migration once; a second run applies nothing and leaves the data alone', async () => {
    const database = await freshDatabase();
    expect((await migrate(database.sql)).applied).toEqual(REAL);
    expect(await recorded(database)).toEqual(REAL);
    expect(await tableExists(database, 'users')).toBe(true);
    await database.sql.query(`INSERT INTO users (email, name) VALUES ('a@example.test', 'A')`);

    expect((await migrate(database.sql)).applied).toEqual([]);
    expect(await recorded(database)).toEqual(REAL);
    const { rows } = await database.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(rows[0]?.n).toBe(1);
  });

  it('ignores files that are not named like migrations', async () => {
    const database = await freshDatabase();
    const dir = migrationsDirWith({
      'README.md': 'not sql',
      '0002_draft.sql.bak': 'CREATE TABLE bak_table (id int);',
      '2_short.sql': 'CREATE TABLE short_table (id int);',
    });
    expect((await migrate(database.sql, dir)).applied).toEqual(REAL);
    expect(await tableExists(database, 'bak_table')).toBe(false);
    expect(await tableExists(database, 'short_table')).toBe(false);
  });

  it('a broken migration fails naming its file, leaves nothing of itself behind, and applies once fixed', async () => {
    const database = await freshDatabase();
    const dir = migrationsDirWith({
      '0999_broken.sql': `CREATE TABLE broken_partial (id int PRIMARY KEY);\nINSERT INTO broken_partial VALUES (1);\nSELEC oops FROM nowhere;\n`,
    });
    await expect(migrate(database.sql, dir)).rejects.toThrow(/Migration 0999_broken\.sql failed: .*syntax error/);

    // The migrations before it are applied and recorded; the broken one is neither.
    expect(await recorded(database)).toEqual(REAL);
    expect(await tableExists(database, 'users')).toBe(true);
    expect(await tableExists(database, 'broken_partial')).toBe(false);

    // The connection is usable again (not stuck in an aborted transaction).
    const { rows } = await database.sql.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);

    // Running again fails the same way rather than skipping it.
    await expect(migrate(database.sql, dir)).rejects.toThrow(/0999_broken\.sql/);

    writeFileSync(path.join(dir, '0999_broken.sql'), 'CREATE TABLE broken_partial (id int PRIMARY KEY);\n-- a trailing comment with no newline');
    expect((await migrate(database.sql, dir)).applied).toEqual(['0999_broken.sql']);
    expect(await tableExists(database, 'broken_partial')).toBe(true);
    expect(await recorded(database)).toEqual([...REAL, '0999_broken.sql']);
  });

  it.runIf(onPostgres)('two processes migrating the same schema at once apply each migration exactly once', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const a = await freshDatabase(schema);
    const b = await freshDatabase(schema);
    const [ra, rb] = await Promise.all([migrate(a.sql), migrate(b.sql)]);
    expect([...ra.applied, ...rb.applied].sort()).toEqual(REAL);
    expect(await recorded(a)).toEqual(REAL);
  });
});
