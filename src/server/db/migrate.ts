import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlClient } from './client.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies the forward-only SQL files in db/migrations in name order, each in its own
 * transaction, recording them in `paike_migrations`. Concurrent processes (serve and
 * worker starting together) serialise on an advisory lock.
 */
export async function migrate(sql: SqlClient, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return sql.withAdvisoryLock(`paike:migrate:${sql.schema}`, async (conn) => {
    await conn.exec(`CREATE TABLE IF NOT EXISTS paike_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await conn.query<{ name: string }>('SELECT name FROM paike_migrations');
    const done = new Set(rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const body = await readFile(path.join(dir, file), 'utf8');
      const name = file.replace(/'/g, "''");
      await conn.exec(`BEGIN;\n${body}\n;INSERT INTO paike_migrations (name) VALUES ('${name}');\nCOMMIT;`).catch(async (err: unknown) => {
        await conn.exec('ROLLBACK').catch(() => {});
        throw new Error(`Migration ${file} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      });
      applied.push(file);
    }
    return { applied };
  });
}
