import { access, constants } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * The headless Chromium that lays print blocks out (docs/print.md). One browser per process,
 * launched on first use and reused, with one context that runs no JavaScript and is offline (so
 * nothing in a story can reach the network or run). A render takes a page kept from the last one
 * (or opens one), sets the HTML and prints it; a page that failed is closed, never reused. The
 * browser closes itself after a quiet spell and on `close()` (the app's shutdown); one that
 * crashed is forgotten and the next render launches a new one.
 *
 * Faults are classified so the render state can say what to do:
 *   - `missing`: no executable at the configured path (install it: `apt-get install chromium fonts-noto-cjk`);
 *   - `failed`: it would not start, crashed or timed out.
 */
export class ChromiumError extends Error {
  constructor(
    readonly kind: 'missing' | 'failed',
    readonly executablePath: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'ChromiumError';
  }
}

export interface PdfOptions {
  /** Milliseconds the whole render may take. */
  timeoutMs?: number;
}

export interface ChromiumRenderer {
  readonly executablePath: string;
  /** Prints `html` to PDF with the document's own @page size. */
  pdf(html: string, opts?: PdfOptions): Promise<Buffer>;
  /** A PNG of one element of `html` (print media), for checks of what the page shows (QR codes). */
  screenshot(html: string, selector: string, opts?: { scale?: number }): Promise<Buffer>;
  close(): Promise<void>;
}

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_INSTALL_HINT = 'apt-get install chromium fonts-noto-cjk';

export function createChromiumRenderer(
  opts: { executablePath?: string; idleMs?: number; launchTimeoutMs?: number; maxIdlePages?: number } = {},
): ChromiumRenderer {
  const executablePath = opts.executablePath || DEFAULT_CHROMIUM_PATH;
  const idleMs = opts.idleMs ?? 5 * 60_000;
  const maxIdlePages = opts.maxIdlePages ?? 2;

  /** The running browser, its print context (no JavaScript, offline) and the pages waiting for the next render. */
  interface Session {
    browser: Browser;
    context: BrowserContext;
    idle: Page[];
  }
  let session: Promise<Session> | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let busy = 0;

  async function launch(): Promise<Session> {
    try {
      await access(executablePath, constants.X_OK);
    } catch {
      throw new ChromiumError('missing', executablePath, `no Chromium executable at ${executablePath}`);
    }
    let browser: Browser;
    try {
      browser = await chromium.launch({
        executablePath,
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
        timeout: opts.launchTimeoutMs ?? 30_000,
      });
    } catch (err) {
      throw new ChromiumError('failed', executablePath, firstLine(err));
    }
    try {
      // One context for every print: nothing a page could keep (storage, cookies) is reachable
      // without JavaScript, and setContent replaces the whole document each time.
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      const s: Session = { browser, context, idle: [] };
      const mine = session;
      browser.on('disconnected', () => {
        // A crashed browser is forgotten: the next render launches a new one.
        if (session === mine) session = null;
      });
      return s;
    } catch (err) {
      await browser.close().catch(() => {});
      throw new ChromiumError('failed', executablePath, firstLine(err));
    }
  }

  function get(): Promise<Session> {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (!session) {
      const p = launch();
      session = p;
      // A failed launch is not kept: the next render tries again (after an install, say).
      p.catch(() => {
        if (session === p) session = null;
      });
    }
    return session;
  }

  function release() {
    busy -= 1;
    if (busy === 0 && session) {
      idleTimer = setTimeout(() => void close(), idleMs);
      idleTimer.unref();
    }
  }

  async function withPage<T>(fn: (page: Page) => Promise<T>, timeoutMs: number): Promise<T> {
    busy += 1;
    try {
      const s = await get();
      let page: Page;
      try {
        page = s.idle.pop() ?? (await s.context.newPage());
      } catch (err) {
        throw new ChromiumError('failed', executablePath, firstLine(err));
      }
      page.setDefaultTimeout(timeoutMs);
      try {
        const out = await fn(page);
        if (s.idle.length < maxIdlePages && !page.isClosed()) s.idle.push(page);
        else await page.close().catch(() => {});
        return out;
      } catch (err) {
        await page.close().catch(() => {});
        throw new ChromiumError('failed', executablePath, firstLine(err));
      }
    } finally {
      release();
    }
  }

  async function close() {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const p = session;
    session = null;
    const s = p ? await p.catch(() => null) : null;
    await s?.browser.close().catch(() => {});
  }

  return {
    executablePath,
    pdf: (html, o = {}) =>
      withPage(async (page) => {
        await page.setContent(html, { waitUntil: 'load' });
        return page.pdf({ preferCSSPageSize: true, printBackground: true });
      }, o.timeoutMs ?? 60_000),
    async screenshot(html, selector, o = {}) {
      busy += 1;
      try {
        const s = await get();
        const context = await s.browser.newContext({ javaScriptEnabled: false, offline: true, deviceScaleFactor: o.scale ?? 2 });
        try {
          const page = await context.newPage();
          await page.emulateMedia({ media: 'print' });
          await page.setContent(html, { waitUntil: 'load' });
          return await page.locator(selector).first().screenshot({ scale: 'device' });
        } finally {
          await context.close().catch(() => {});
        }
      } finally {
        release();
      }
    },
    close,
  };
}

function firstLine(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  // Playwright's messages carry a call log after the first lines; the reason is at the top.
  return (
    s
      .split('\n')
      .filter((l) => l.trim())[0]
      ?.slice(0, 500) ?? 'unknown error'
  );
}
