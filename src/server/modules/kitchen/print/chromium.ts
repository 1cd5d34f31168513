import { access, constants } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The headless Chromium that lays print blocks out (docs/print.md). One browser per process,
 * launched on first use and reused: a render opens a fresh context (no JavaScript, offline, so
 * nothing in a story can reach the network or run), sets the HTML, prints it and closes the
 * context. The browser closes itself after a quiet spell and on `close()` (the app's shutdown).
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

export function createChromiumRenderer(opts: { executablePath?: string; idleMs?: number; launchTimeoutMs?: number } = {}): ChromiumRenderer {
  const executablePath = opts.executablePath || DEFAULT_CHROMIUM_PATH;
  const idleMs = opts.idleMs ?? 5 * 60_000;
  let browser: Promise<Browser> | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let busy = 0;

  async function launch(): Promise<Browser> {
    try {
      await access(executablePath, constants.X_OK);
    } catch {
      throw new ChromiumError('missing', executablePath, `no Chromium executable at ${executablePath}`);
    }
    try {
      const b = await chromium.launch({
        executablePath,
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
        timeout: opts.launchTimeoutMs ?? 30_000,
      });
      b.on('disconnected', () => {
        if (browser && current === b) browser = null;
      });
      current = b;
      return b;
    } catch (err) {
      throw new ChromiumError('failed', executablePath, firstLine(err));
    }
  }
  let current: Browser | null = null;

  function get(): Promise<Browser> {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (!browser) {
      browser = launch();
      // A failed launch is not kept: the next render tries again (after an install, say).
      browser.catch(() => {
        browser = null;
      });
    }
    return browser;
  }

  function release() {
    busy -= 1;
    if (busy === 0 && browser) {
      idleTimer = setTimeout(() => void close(), idleMs);
      idleTimer.unref();
    }
  }

  async function withPage<T>(fn: (page: Page) => Promise<T>, timeoutMs: number, scale = 1): Promise<T> {
    busy += 1;
    try {
      const b = await get();
      let context;
      try {
        context = await b.newContext({ javaScriptEnabled: false, offline: true, deviceScaleFactor: scale });
      } catch (err) {
        throw new ChromiumError('failed', executablePath, firstLine(err));
      }
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(timeoutMs);
        return await fn(page);
      } catch (err) {
        if (err instanceof ChromiumError) throw err;
        throw new ChromiumError('failed', executablePath, firstLine(err));
      } finally {
        await context.close().catch(() => {});
      }
    } finally {
      release();
    }
  }

  async function close() {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const b = browser;
    browser = null;
    current = null;
    if (b) await (await b.catch(() => null))?.close().catch(() => {});
  }

  return {
    executablePath,
    pdf: (html, o = {}) =>
      withPage(async (page) => {
        await page.setContent(html, { waitUntil: 'load' });
        return page.pdf({ preferCSSPageSize: true, printBackground: true });
      }, o.timeoutMs ?? 60_000),
    screenshot: (html, selector, o = {}) =>
      withPage(
        async (page) => {
          await page.emulateMedia({ media: 'print' });
          await page.setContent(html, { waitUntil: 'load' });
          return page.locator(selector).first().screenshot({ scale: 'device' });
        },
        60_000,
        o.scale ?? 2,
      ),
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
