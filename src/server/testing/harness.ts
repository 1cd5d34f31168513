import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, pgliteDatabase, type Database } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { fixedClock, systemClock, type Clock } from '../lib/clock.js';
import type { SmsMessage, SmsProvider } from '../modules/accounts/sms/sms.provider.js';
import type { MailMessage, Mailer } from '../modules/propagation/mailer.js';
import { openRuntime, type Runtime } from '../runtime.js';

export interface TestContext {
  app: FastifyInstance;
  runtime: Runtime;
  config: Config;
  sms: { sent: SmsMessage[]; fail?: Error };
  /** Every email the app sent (password reset links, notices), as the recipient would read it. */
  mail: { sent: MailMessage[] };
  close(): Promise<void>;
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'db', 'migrations');

/**
 * A migrated, empty PGlite as a tarball, made once per set of migrations (and PGlite version)
 * and loaded by every test context: starting PGlite from nothing runs initdb, about 4 s of the
 * 5 s a context took to boot, where loading the tarball takes about 1 s.
 */
async function migratedPglite(): Promise<PGlite> {
  // A new PGlite may not read an older one's data directory: its version is part of the key.
  const hash = createHash('sha256').update(
    readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json')),
  );
  for (const f of readdirSync(MIGRATIONS_DIR).sort()) hash.update(f).update(readFileSync(path.join(MIGRATIONS_DIR, f)));
  const file = path.join(tmpdir(), `paike-test-template-${hash.digest('hex').slice(0, 16)}.tar`);
  if (existsSync(file)) return PGlite.create({ loadDataDir: new Blob([readFileSync(file)]) });
  const client = await PGlite.create();
  await migrate((await pgliteDatabase(client)).sql);
  const dump = await client.dumpDataDir('none');
  // Atomic: a worker building at the same moment either finds the whole file or none.
  const building = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(building, Buffer.from(await dump.arrayBuffer()));
  renameSync(building, file);
  return client;
}

/**
 * One Paike per test file: PGlite in memory by default, or a fresh schema on the
 * PostgreSQL server in DATABASE_URL (and Redis from REDIS_URL), so the same tests run
 * against both. The SMS provider records messages: the code is what a test reads.
 */
export async function createTestContext(opts: { env?: Record<string, string>; clock?: Clock; jobs?: 'send' | 'work' } = {}): Promise<TestContext> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'paike-test-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_SCHEMA: process.env.DATABASE_URL ? schema : 'public',
    REDIS_URL: process.env.REDIS_URL,
    PUBLIC_URL: 'http://paike.test',
    LOG_LEVEL: 'silent',
    PAIKE_SEED: 'none',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    SHUTDOWN_TIMEOUT_SECONDS: '2',
    ...opts.env,
  });
  const database: Database = config.DATABASE_URL ? await openDatabase(config) : await pgliteDatabase(await migratedPglite());
  const sms: TestContext['sms'] = { sent: [] };
  const provider: SmsProvider = {
    name: 'console',
    async send(msg) {
      if (sms.fail) throw sms.fail;
      sms.sent.push(msg);
    },
  };
  const mail: TestContext['mail'] = { sent: [] };
  const mailer: Mailer = {
    name: 'console',
    async send(msg) {
      mail.sent.push(msg);
    },
  };
  const logger = pino({ level: 'silent' });
  const runtime = await openRuntime({ config, logger, jobs: opts.jobs ?? 'send', clock: opts.clock ?? systemClock, sms: provider, mailer, database });
  const app = await buildApp({ services: runtime.services, redis: runtime.redis, serveWeb: false });
  await app.ready();
  return {
    app,
    runtime,
    config,
    sms,
    mail,
    async close() {
      await app.close();
      await runtime.close();
      if (config.DATABASE_URL) {
        await database.sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`).catch(() => {});
      }
      await database.sql.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { fixedClock };

/** A password that passes the policy. */
export const GOOD_PASSWORD = 'correct horse battery staple';

/** Pulls the session cookie out of a response, ready for the next request's `cookie` header. */
export function sessionCookie(res: { cookies: { name: string; value: string }[] }): string {
  const c = res.cookies.find((x) => x.name === 'paike_session');
  if (!c) throw new Error('no session cookie in response');
  return `paike_session=${c.value}`;
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}-${randomBytes(3).toString('hex')}@example.test`;
}

/** Signs up a contributor through the API and returns their cookie and id. */
export async function signUp(app: FastifyInstance, body: Partial<{ email: string; password: string; name: string; campaignId: string; locale: string }> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    payload: { email: uniqueEmail(), password: GOOD_PASSWORD, name: 'Test User', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  return { cookie: sessionCookie(res), user: res.json().user as { id: string; email: string; roles: string[] } };
}

/** Creates a staff account directly through the service (as the CLI does) and signs it in. */
export async function staff(ctx: TestContext, roles: ('reporter' | 'editor' | 'chief_editor' | 'finance' | 'admin')[]) {
  const email = uniqueEmail(roles.join('-'));
  await ctx.runtime.services.accounts.createUser(null, { email, password: GOOD_PASSWORD, name: 'Staff', roles });
  const res = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email, password: GOOD_PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`staff sign-in failed: ${res.body}`);
  return { cookie: sessionCookie(res), user: res.json().user as { id: string } };
}

/**
 * A processed 75 s portrait video straight into the submissions table (no upload, no ffmpeg):
 * what desk, ledger and authorization tests start from.
 */
export async function processedSubmission(
  ctx: TestContext,
  opts: { userId: string; campaignId: string; at: Date; theme?: string; title?: string; duplicateOf?: string | null },
) {
  const { at } = opts;
  return ctx.runtime.services.submissionsRepo.create({
    userId: opts.userId,
    campaignId: opts.campaignId,
    theme: opts.theme ?? 'food',
    title: opts.title ?? '街头小吃',
    consentAt: at,
    status: 'in_review',
    progress: 100,
    uploadLength: 1000,
    originalFilename: 'a.mp4',
    durationSeconds: 75,
    width: 720,
    height: 1280,
    duplicateOf: opts.duplicateOf ?? null,
    processedAt: at,
  });
}
