import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const ARTIFACTS = join(REPO, 'e2e', 'artifacts');
const BIN = join(REPO, 'bin', 'paike.mjs');

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'Harbour lanterns at dusk 2026';

export interface TestServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  /**
   * Stops the server, runs `fn` on its data (the embedded database admits one process at a
   * time), and starts it again on the same address, so pages and cookies carry on. For set-up
   * that only the server's own services can do, such as recording a platform's figures.
   */
  whileStopped<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T>;
  /**
   * What the server has printed to stdout so far. The console SMS provider prints each code
   * there, and with LOG_LEVEL=info the console mailer each email: tests read codes and links from it.
   */
  output(): string;
}

function serverEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    PAIKE_SEED: 'demo',
    LOG_LEVEL: 'warn',
    NODE_ENV: process.env.NODE_ENV === 'production' ? 'production' : 'test',
    // Rain anti-abuse (docs/rain.md) refuses accounts younger than 10 minutes and holds wins by
    // accounts younger than 24 hours; every e2e account is seconds old, so rain.e2e.test.ts
    // could neither grab nor see the win paid. Nothing else in the browser tests touches rain.
    RAIN_MIN_ACCOUNT_AGE_MINUTES: '0',
    RAIN_HOLD_ACCOUNT_AGE_HOURS: '0',
  };
  // CI also runs against a real PostgreSQL; a fresh schema per run keeps runs apart.
  if (process.env.DATABASE_URL) env.DATABASE_SCHEMA = `e2e_${randomBytes(6).toString('hex')}`;
  return env;
}

function createAdmin(env: NodeJS.ProcessEnv): void {
  const created = spawnSync(
    process.execPath,
    [BIN, 'admin', 'create-user', '--email', ADMIN_EMAIL, '--password', ADMIN_PASSWORD, '--role', 'admin', '--name', 'Admin'],
    { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 },
  );
  if (created.status !== 0) throw new Error(`paike admin create-user failed (${created.status}):\n${created.stdout}\n${created.stderr}`);
}

/** A migrated PGlite data dir holding the admin account, made once per set of migrations and copied per server. */
function pgliteTemplate(): string {
  const migrations = join(REPO, 'src', 'server', 'db', 'migrations');
  const hash = createHash('sha256').update(ADMIN_EMAIL).update(ADMIN_PASSWORD);
  for (const f of readdirSync(migrations).sort()) hash.update(f).update(readFileSync(join(migrations, f)));
  const dir = join(tmpdir(), `paike-e2e-template-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'db'))) return dir;
  const building = mkdtempSync(join(tmpdir(), 'paike-e2e-template-building-'));
  try {
    createAdmin(serverEnv(building));
    // Atomic: a reader sees a whole template or none; a concurrent builder's copy is dropped.
    renameSync(building, dir);
  } catch (e) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(dir, 'db'))) throw e;
  }
  return dir;
}

/** Creates a data dir and the admin account, starts `paike start`, resolves once it prints its URL. */
export async function startServer(opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<TestServer> {
  if (!existsSync(join(REPO, 'dist', 'web', 'index.html'))) {
    throw new Error('dist/web/index.html is missing: run `npm run build:web` before the browser tests');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'paike-e2e-'));
  const env = { ...serverEnv(dataDir), ...opts.env };
  try {
    if (process.env.DATABASE_URL) createAdmin(env);
    // On PGlite every file would boot and migrate a database twice (create-user, then start):
    // copy one migrated data dir with the admin in it instead. Keyed by the migrations' content.
    else cpSync(pgliteTemplate(), dataDir, { recursive: true });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  let running: Spawned;
  try {
    running = await spawnPaike(env, opts.timeoutMs);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  const server: TestServer = {
    url: running.url,
    dataDir,
    async stop() {
      await stopChild(running.child, running.exited);
      rmSync(dataDir, { recursive: true, force: true });
      if (env.DATABASE_SCHEMA && process.env.DATABASE_URL) await dropSchema(process.env.DATABASE_URL, env.DATABASE_SCHEMA);
    },
    output: () => running.output(),
    async whileStopped(fn) {
      await stopChild(running.child, running.exited);
      const again = { ...env, PORT: new URL(running.url).port };
      try {
        return await fn(again);
      } finally {
        running = await spawnPaike(again, opts.timeoutMs);
      }
    },
  };
  return server;
}

interface Spawned {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/** Starts `paike start` and resolves once it prints its URL. */
async function spawnPaike(env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<Spawned> {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  // E2E_SERVER_LOG=<file>: keep the server's log (errors from jobs, say) for a failing run.
  if (process.env.E2E_SERVER_LOG) {
    const log = createWriteStream(process.env.E2E_SERVER_LOG, { flags: 'a' });
    child.stdout!.on('data', (d: Buffer | string) => log.write(d));
    child.stderr!.on('data', (d: Buffer | string) => log.write(d));
    void exited.then(() => log.end());
  }
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in time.\nstdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      const m = /Paike is running at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!.replace(/\/$/, ''));
      }
    });
    child.stderr!.on('data', (d: string) => {
      err += d;
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited (${code}) before it was ready.\nstdout:\n${out}\nstderr:\n${err}`));
    });
  }).catch(async (e: unknown) => {
    await stopChild(child, exited);
    throw e;
  });
  return { url, child, exited, output: () => out };
}

/** Leaves the shared PostgreSQL as the run found it. */
async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_pgboss" CASCADE`);
  } finally {
    await client.end();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Content-Security-Policy violations seen in a context's pages (the server's page CSP must not
 * block anything the app does). withScreenshots fails a test that caused any.
 */
const cspViolations = new WeakMap<BrowserContext, string[]>();

async function watchCsp(context: BrowserContext): Promise<BrowserContext> {
  const seen: string[] = [];
  cspViolations.set(context, seen);
  // A string, not a function: this file is type-checked without the DOM library.
  await context.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber));",
  );
  context.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('CSP violation:') || text.includes('Content Security Policy')) seen.push(text);
  });
  return context;
}

/** The phone every contributor journey and the weak-network bench use (a Pixel 8-sized Android). */
export const PHONE_DEVICE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
};

export async function phoneContext(browser: Browser, locale: 'zh-CN' | 'en-US' = 'zh-CN'): Promise<BrowserContext> {
  return watchCsp(await browser.newContext({ ...PHONE_DEVICE, locale }));
}

export async function desktopContext(browser: Browser, locale: 'zh-CN' | 'en-US' = 'en-US'): Promise<BrowserContext> {
  return watchCsp(await browser.newContext({ viewport: { width: 1366, height: 900 }, locale }));
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * Runs a test body; on failure saves a screenshot of every open page into e2e/artifacts/ and
 * prints each page's address and visible text.
 */
export async function withScreenshots(context: BrowserContext, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    const pages = context.pages();
    for (const [i, p] of pages.entries()) {
      await screenshot(p, `FAILED-${name}-${i}`).catch(() => undefined);
      // CI keeps only the log, not e2e/artifacts: say where each page was and what it showed.
      const text = await p
        .locator('body')
        .innerText({ timeout: 2_000 })
        .catch((err: unknown) => `(unreadable: ${String(err)})`);
      console.error(`[${name}] page ${i} at ${p.url()} showed:\n${text.slice(0, 1_500)}`);
    }
    throw e;
  }
  const csp = cspViolations.get(context) ?? [];
  if (csp.length) throw new Error(`the page Content-Security-Policy blocked something:\n${[...new Set(csp)].join('\n')}`);
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
