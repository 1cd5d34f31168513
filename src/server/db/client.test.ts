import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { DatabaseUnavailableError, openDatabase, redactUrl } from './client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'bin/paike.mjs');
const PASSWORD = 's3cret-Pa55word';

const servers: Server[] = [];
let closedPort: number;
let garbagePort: number;
let hangupPort: number;
let httpPort: number;
let silentPort: number;
const dataDir = mkdtempSync(path.join(tmpdir(), 'paike-client-'));

const sockets = new Set<Socket>();
function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

beforeAll(async () => {
  // A port that was just free and is closed again: nothing listens there.
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise<void>((r) => probe.close(() => r()));
  servers.splice(servers.indexOf(probe), 1);

  garbagePort = await listen(createServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\nthis is not postgres\r\n')));
  hangupPort = await listen(createServer((s) => s.destroy()));
  silentPort = await listen(createServer(() => {}));
  httpPort = await listen(createHttpServer((_req, res) => res.end('hello')) as unknown as Server);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  rmSync(dataDir, { recursive: true, force: true });
});

const urlFor = (port: number) => `postgres://paike:${PASSWORD}@127.0.0.1:${port}/paike`;
const configFor = (port: number) => loadConfig({ DATABASE_URL: urlFor(port), DATA_DIR: dataDir });

async function openError(port: number, withinMs = 8_000): Promise<DatabaseUnavailableError> {
  const started = Date.now();
  const err = await openDatabase(configFor(port)).then(
    async (db) => {
      await db.sql.close();
      throw new Error('openDatabase succeeded against a non-database');
    },
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(withinMs);
  expect(err).toBeInstanceOf(DatabaseUnavailableError);
  return err as DatabaseUnavailableError;
}

describe('openDatabase with a DATABASE_URL that does not lead to PostgreSQL', () => {
  it('names DATABASE_URL and hides the password when nothing listens there', async () => {
    const err = await openError(closedPort);
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toContain(`127.0.0.1:${closedPort}`);
    expect(err.message).not.toContain(PASSWORD);
    expect(err.message).toContain('***');
  });

  it.each([
    ['writes garbage', () => garbagePort],
    ['hangs up at once', () => hangupPort],
    ['is an HTTP server', () => httpPort],
  ])('fails promptly when the server %s', async (_what, port) => {
    const err = await openError(port());
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).not.toContain(PASSWORD);
  });
});

describe('openDatabase against a server that accepts and never answers', () => {
  it('gives up after the connection timeout instead of hanging start-up', async () => {
    const err = await openError(silentPort, 15_000);
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toMatch(/timeout/i);
  }, 20_000);
});

describe('redactUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl(`postgres://paike:${PASSWORD}@db:5432/x`)).toBe('postgres://paike:***@db:5432/x');
    expect(redactUrl('postgres://db:5432/x')).toBe('postgres://db:5432/x');
    expect(redactUrl('::not a url::')).not.toContain('not a url');
  });
});

describe('paike migrate with an unusable DATABASE_URL', () => {
  function runMigrate(port: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: urlFor(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.DATABASE_SCHEMA;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'migrate'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`paike migrate still running after 20 s; stderr: ${stderr}`));
      }, 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it.each([
    ['nothing listens', () => closedPort],
    ['the server is not PostgreSQL', () => garbagePort],
  ])(
    'exits 1 with a message naming DATABASE_URL when %s',
    async (_what, port) => {
      const r = await runMigrate(port());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Cannot use the PostgreSQL database at DATABASE_URL');
      expect(r.stderr).not.toContain(PASSWORD);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).not.toContain('up to date');
    },
    30_000,
  );
});
