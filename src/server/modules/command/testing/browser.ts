import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const WEB_COMMAND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../web/features/command');
const SESSION = path.join(WEB_COMMAND, 'call/janus-session.ts');

/**
 * The browser's Janus session (web/features/command/call/janus-session.ts) as one script that
 * defines `window.PaikeJanus.openJanusSession`: tests and the bench drive the real session in
 * Chromium on any same-origin page, without the call pages of part live.
 */
export async function janusSessionScript(): Promise<string> {
  const out = await build({
    entryPoints: [SESSION],
    bundle: true,
    format: 'iife',
    globalName: 'PaikeJanus',
    write: false,
    platform: 'browser',
    target: 'chrome120',
  });
  return out.outputFiles[0]!.text;
}

/**
 * The page's hub client and peer-to-peer session (web/features/command/live/hubClient.ts and
 * call/p2p-session.ts) as one script defining `window.PaikeP2p.{HubClient, openP2pSession}`:
 * the bench drives a real peer-to-peer call, signalled through Paike's hub, without the pages.
 */
export async function p2pSessionScript(): Promise<string> {
  const out = await build({
    stdin: {
      contents: "export { HubClient } from './live/hubClient.ts'; export { openP2pSession } from './call/p2p-session.ts';",
      resolveDir: WEB_COMMAND,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'PaikeP2p',
    write: false,
    platform: 'browser',
    target: 'chrome120',
  });
  return out.outputFiles[0]!.text;
}

/** Debian's Chromium with a fake camera and microphone that need no permission prompt. */
export function launchMediaBrowser(opts: { executablePath?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: opts.executablePath ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A page at `origin` signed in with `cookie` ("name=value"), with the session script loaded. */
export async function sessionPage(
  browser: Browser,
  opts: { origin: string; cookie: string; script: string },
): Promise<{ context: BrowserContext; page: Page }> {
  // The server's API answers carry a strict CSP; the test script is ours, not the page's.
  const context = await browser.newContext({ bypassCSP: true });
  const eq = opts.cookie.indexOf('=');
  await context.addCookies([{ name: opts.cookie.slice(0, eq), value: opts.cookie.slice(eq + 1).split(';')[0]!, url: opts.origin }]);
  const page = await context.newPage();
  await page.goto(`${opts.origin}/healthz`).catch(() => {});
  await page.addScriptTag({ content: opts.script });
  return { context, page };
}

/** Opens a Janus session in the page (camera and microphone unless a watcher); it stays on `window.__janus`. */
export async function openInPage(page: Page, opts: { callId: string; selfId: string; role: 'director' | 'guest' | 'watcher' }): Promise<void> {
  await page.evaluate(async (o) => {
    // Runs in the page; the server's tsconfig has no DOM types, hence the shape spelled out here.
    const w = globalThis as unknown as {
      PaikeJanus: { openJanusSession: (x: unknown) => Promise<unknown> };
      __janus: unknown;
      MediaStream: new () => unknown;
      navigator: { mediaDevices: { getUserMedia(c: unknown): Promise<unknown> } };
    };
    const local = o.role === 'watcher' ? new w.MediaStream() : await w.navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    w.__janus = await w.PaikeJanus.openJanusSession({ ...o, local, iceServers: [] });
  }, opts);
}

/** The session's inbound figures (frames decoded from others). */
export function statsInPage(page: Page): Promise<{ videoBytesReceived: number; framesDecoded: number; audioBytesReceived: number }> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { __janus: { inboundStats(): Promise<{ videoBytesReceived: number; framesDecoded: number; audioBytesReceived: number }> } }
    ).__janus.inboundStats(),
  );
}

export async function waitForFrames(page: Page, min = 10, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await statsInPage(page);
    if (s.framesDecoded >= min) return s.framesDecoded;
    if (Date.now() > deadline) throw new Error(`only ${s.framesDecoded} frames decoded in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
