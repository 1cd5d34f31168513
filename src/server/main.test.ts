import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD } from './testing/harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/paike.mjs');
const children: ChildProcess[] = [];
const dirs: string[] = [];

/** The environment of a child Paike: nothing inherited that points at shared services unless given. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'warn', PORT: '0', PAIKE_SEED: 'none', ...extra };
}

function run(args: string[], extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(extra) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running command and resolves once it prints `ready`. */
function startProcess(args: string[], extra: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(extra) });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "${ready}" within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before ready:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

afterAll(async () => {
  await Promise.all(children.map(stop));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('paike command line', { timeout: 120_000 }, () => {
  it('creates the first admin from the CLI, who can then sign in to `paike start`; start exits cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'paike-cli-'));
    dirs.push(dataDir);
    const weak = await run(['admin', 'create-user', '--email', 'root@example.test', '--password', 'password1234', '--role', 'admin'], { DATA_DIR: dataDir });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('too common');
    const badRole = await run(['admin', 'create-user', '--email', 'root@example.test', '--password', GOOD_PASSWORD, '--role', 'king'], { DATA_DIR: dataDir });
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('--role must be one of');
    const created = await run(['admin', 'create-user', '--email', 'Root@Example.test', '--password', GOOD_PASSWORD, '--role', 'admin', '--name', 'Root'], {
      DATA_DIR: dataDir,
    });
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('Created root@example.test with roles admin');

    const { child, match } = await startProcess(['start'], { DATA_DIR: dataDir, PAIKE_SEED: 'demo' }, /Paike is running at (http:\/\/\S+)/);
    const url = match[1]!;
    const res = await fetch(`${url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'root@example.test', password: GOOD_PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { roles: string[] } }).user.roles).toEqual(['admin']);
    // An admin already existed, so the demo seed made the campaign but no demo admin.
    const campaigns = (await (await fetch(`${url}/api/campaigns`)).json()) as { campaigns: { title: { 'zh-CN': string } }[] };
    expect(campaigns.campaigns.map((c) => c.title['zh-CN'])).toEqual(['全球寻找封面拍客']);
    expect(await stop(child)).toBe(0);
  });

  it('`npm start` on an empty data directory seeds the demo campaign and a demo admin whose password it prints once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'paike-seed-'));
    dirs.push(dataDir);
    const first = await startProcess(
      ['start'],
      { DATA_DIR: dataDir, PAIKE_SEED: 'demo' },
      /Sign in as (\S+) with password (\S+)\n[\s\S]*Paike is running at (http:\/\/\S+)/,
    );
    const [, email, password, url] = first.match;
    const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(signIn.status).toBe(200);
    const body = (await (await fetch(`${url}/api/campaigns`)).json()) as {
      campaigns: { title: { 'zh-CN': string }; themes: { title: { 'zh-CN': string } }[]; quota: number }[];
    };
    expect(body.campaigns).toHaveLength(1);
    expect(body.campaigns[0]).toMatchObject({ title: { 'zh-CN': '全球寻找封面拍客' }, quota: 1000 });
    expect(body.campaigns[0]!.themes.map((t) => t.title['zh-CN'])).toEqual(['美食', '旅行', '回家的路']);
    expect(await stop(first.child)).toBe(0);

    // The second start finds the data and prints no password.
    let out = '';
    const second = await startProcess(['start'], { DATA_DIR: dataDir, PAIKE_SEED: 'demo' }, /Paike is running at (http:\/\/\S+)/);
    second.child.stdout!.on('data', (d) => (out += d));
    expect(second.match.input).not.toContain('password');
    expect(await stop(second.child)).toBe(0);
    expect(out).not.toContain('password');
  });

  it('refuses serve and worker without DATABASE_URL, naming what to do', async () => {
    const out = await run(['serve'], { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'paike-cli-')) });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('set DATABASE_URL');
    const noRedis = await run(['start'], { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'paike-cli-')), REDIS_URL: 'redis://127.0.0.1:1' });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toContain('Cannot reach Redis at REDIS_URL');
    const bad = await run(['start'], { PORT: 'eighty' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PORT');
  });

  it.skipIf(!process.env.DATABASE_URL)('runs serve and worker as separate processes on one PostgreSQL database', async () => {
    const schema = `cli_${randomBytes(5).toString('hex')}`;
    const shared = { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: schema, REDIS_URL: process.env.REDIS_URL ?? '' };
    try {
      const worker = await startProcess(['worker'], shared, /Paike worker is running/);
      const serve = await startProcess(['serve'], shared, /Paike is running at (http:\/\/\S+)/);
      const url = serve.match[1]!;
      const health = await (await fetch(`${url}/healthz`)).json();
      expect(health).toEqual({ status: 'ok', database: 'ok', queue: 'ok (send only)' });
      const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'split@example.test', password: GOOD_PASSWORD, name: 'Split' }),
      });
      expect(signUp.status).toBe(201);
      // The worker put the hourly clean-up on pg-boss's clock in the shared database.
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT name, timezone FROM ${schema}_pgboss.schedule`);
        expect(rows).toContainEqual({ name: 'accounts.sessions-cleanup', timezone: 'Asia/Shanghai' });
      } finally {
        await client.end();
      }
      expect(await stop(serve.child)).toBe(0);
      expect(await stop(worker.child)).toBe(0);
    } finally {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`);
      await client.end();
    }
  });
});
