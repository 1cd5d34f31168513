import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'bin/paike.mjs');

const tmpDirs: string[] = [];
const children: ChildProcess[] = [];
function tmp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'paike-lock-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** The embedded database only: a DATABASE_URL/REDIS_URL from the test run must not leak in. */
function childEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', PAIKE_SEED: 'none', LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  delete env.DATABASE_URL;
  delete env.DATABASE_SCHEMA;
  delete env.REDIS_URL;
  delete env.PUBLIC_URL;
  return env;
}

function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${text}"; stdout: ${out}; stderr: ${err}`));
    });
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? -1 : null));
    });
  });
}

describe('one process per data directory (embedded database)', { timeout: 120_000 }, () => {
  it('refuses a second `paike start` on the same DATA_DIR, and the first one shuts down cleanly on SIGTERM', async () => {
    const dataDir = tmp();
    const first = spawn(process.execPath, [CLI, 'start'], { cwd: ROOT, env: childEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(first);
    const out = await waitForOutput(first, 'Paike is running at', 50_000);
    expect(out).toMatch(/Paike is running at http:\/\/127\.0\.0\.1:\d+/);
    const lockFile = path.join(dataDir, 'paike.lock');
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(first.pid));

    const second = spawnSync(process.execPath, [CLI, 'start'], { cwd: ROOT, env: childEnv(dataDir), encoding: 'utf8', timeout: 30_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('already using the data directory');
    expect(second.stderr).toContain(`pid ${first.pid}`);
    // A clear message, not a stack trace.
    expect(second.stderr).not.toMatch(/\n\s+at /);
    // The refused process must not have taken or removed the first one's lock.
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(first.pid));

    first.kill('SIGTERM');
    expect(await waitForExit(first, 10_000)).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 90_000);
});

describe('lockDataDir', () => {
  it('takes over a stale lock left by a process that no longer runs', () => {
    const dir = tmp();
    // A pid that certainly ran and exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    expect(dead).toBeGreaterThan(0);
    writeFileSync(path.join(dir, 'paike.lock'), String(dead));
    const release = lockDataDir(dir);
    expect(readFileSync(path.join(dir, 'paike.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(path.join(dir, 'paike.lock'))).toBe(false);
  });

  it('takes over a lock file with garbage in it', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'paike.lock'), 'not a pid');
    const release = lockDataDir(dir);
    expect(readFileSync(path.join(dir, 'paike.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('refuses a lock held by a live process and leaves its file alone', () => {
    const dir = tmp();
    // The parent of this test worker is alive for as long as the test runs.
    writeFileSync(path.join(dir, 'paike.lock'), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(/already using the data directory/);
    expect(readFileSync(path.join(dir, 'paike.lock'), 'utf8')).toBe(String(process.ppid));
  });

  it('refuses to lock the same directory twice in one process, and frees it on release', () => {
    const dir = tmp();
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    release();
    release(); // idempotent
    const again = lockDataDir(dir);
    again();
  });

  it('creates the data directory when it does not exist yet', () => {
    const dir = path.join(tmp(), 'nested', 'data');
    const release = lockDataDir(dir);
    expect(existsSync(path.join(dir, 'paike.lock'))).toBe(true);
    release();
  });
});
