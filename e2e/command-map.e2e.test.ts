import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { coarsen } from '../src/contracts/command.limits.js';
import { apiSession, withServerServices } from './flows.js';
import { ARTIFACTS, PHONE_DEVICE, REPO, launchBrowser, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Where the phone says it is: a village in Luanping county, with more digits than a 100 m grid keeps.
const FIX = { latitude: 40.941234, longitude: 117.331987, accuracy: 12 };

/** Signs in through the API and hands the session cookie to the browser context (one sign-in, no page). */
async function signInContext(server: TestServer, context: BrowserContext, email: string, password: string) {
  const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    return { name: pair!.slice(0, i), value: pair!.slice(i + 1), url: server.url };
  });
  await context.addCookies(cookies);
}

/** The built JS and JSON files a page asks for (its own and the shell's), by path. */
function assetsOf(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith('/assets/') && /\.(?:js|json)$/.test(pathname)) seen.add(pathname);
  });
  return seen;
}

/** Gzip bytes (level 9, as dist/web's .gz files) of those files, JS and JSON apart. */
function gzipWeight(paths: Iterable<string>): { js: number; json: number; files: number } {
  const out = { js: 0, json: 0, files: 0 };
  for (const p of paths) {
    const file = join(REPO, 'dist', 'web', p);
    const bytes = existsSync(`${file}.gz`) ? readFileSync(`${file}.gz`).length : gzipSync(readFileSync(file), { level: 9 }).length;
    out[p.endsWith('.json') ? 'json' : 'js'] += bytes;
    out.files += 1;
  }
  return out;
}

describe('people on the desk’s map', () => {
  let server: TestServer;
  let browser: Browser;
  let assignmentId: string;
  let fieldId: string;
  let kioskId: string;
  const field = { email: `field.${uniqueSuffix()}@example.test`, password: `Luanping village road ${uniqueSuffix()}`, name: '王书记' };
  const chief = { email: `chief.${uniqueSuffix()}@example.test`, password: `Command desk lamps ${uniqueSuffix()}`, name: '指挥台' };

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const admin = await apiSession(server);
    for (const [who, roles] of [
      [field, ['contributor']],
      [chief, ['chief_editor']],
    ] as const) {
      const r = await admin<{ user: { id: string } }>('/api/admin/users', { method: 'POST', body: { ...who, roles } });
      expect(r.status, JSON.stringify(r.data)).toBe(201);
      if (who === field) fieldId = r.data.user.id;
    }
    // A kiosk screen the admin paired and placed in the county hall (it has never reported).
    const pairing = (await (await fetch(`${server.url}/api/kiosk/pairings`, { method: 'POST' })).json()) as { code: string };
    const claimed = await admin<{ id: string }>('/api/admin/kiosk-screens/claim', {
      method: 'POST',
      body: { code: pairing.code, name: '县政府大厅', place: { name: '滦平县政府', lat: 40.935, lng: 117.34 } },
    });
    expect(claimed.status, JSON.stringify(claimed.data)).toBe(201);
    kioskId = claimed.data.id;
    // The assignment the field person accepted (part assign's routes make it in the product).
    assignmentId = await withServerServices(server, async (services) => {
      const { db } = services.database;
      const { campaigns } = await import('../src/server/db/schema.js');
      const { insertAssignment, insertOffer } = await import('../src/server/modules/command/testing/fixtures.js');
      const [campaign] = await db.select({ id: campaigns.id }).from(campaigns).limit(1);
      const a = await insertAssignment(db, { createdBy: fieldId, campaignId: campaign!.id, title: '滦平驻村第一书记', lat: 40.94, lng: 117.33, radiusM: 3000 });
      await insertOffer(db, { assignmentId: a.id, userId: fieldId });
      return a.id;
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a phone consents and shares a coarse position; the desk sees the person and the assignment on the map', async () => {
    const phone = await browser.newContext({ ...PHONE_DEVICE, locale: 'en-US', geolocation: FIX, permissions: ['geolocation'] });
    const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(server, phone, field.email, field.password);
    await signInContext(server, desk, chief.email, chief.password);
    const p = await phone.newPage();
    const d = await desk.newPage();
    const phoneAssets = assetsOf(p);
    const deskAssets = assetsOf(d);
    await withScreenshots(phone, 'command-map-phone', async () => {
      await p.goto(`${server.url}/tasks/${assignmentId}/location`);
      await p.getByRole('heading', { name: 'Share my location' }).waitFor();
      // Approximate is the default; precise only if the person picks it.
      expect(await p.getByLabel('Approximate (to about 100 m) — recommended').isChecked()).toBe(true);
      expect(await p.getByLabel('Precise (what the phone measures)').isChecked()).toBe(false);
      await p.getByRole('button', { name: 'Start sharing' }).click();
      await p.getByRole('heading', { name: 'Sharing your location' }).waitFor();
      await p.getByText(/^Last sent /).waitFor({ timeout: 20_000 });
      await screenshot(p, 'command-map-phone-sharing');
      // The phone's page does not carry the desk map's outlines or d3.
      expect([...phoneAssets].filter((a) => /countries-110m|china-|commandMap/.test(a))).toEqual([]);
    });

    await withScreenshots(desk, 'command-map-desk', async () => {
      await d.goto(`${server.url}/command/map`);
      await d.getByRole('heading', { name: '现场地图' }).waitFor();
      const marker = d.locator(`svg g.cm-person[data-user="${fieldId}"]`);
      await marker.waitFor({ timeout: 20_000 });
      expect(await marker.locator('circle').count()).toBe(1);
      expect(await marker.getAttribute('aria-label')).toMatch(/^王书记 · 刚刚/);
      expect(await marker.locator('title').textContent()).toContain('约 100 米');
      expect(await marker.locator('text.cm-name').textContent()).toBe('王书记');
      await d.locator(`svg circle[data-assignment="${assignmentId}"]`).waitFor();
      await d.getByRole('complementary').getByText('滦平驻村第一书记').first().waitFor();
      // The kiosk stands on the map as a screen, labelled with its place and health.
      expect(await d.locator(`svg g.cm-kiosk[data-kiosk="${kioskId}"]`).getAttribute('aria-label')).toBe('阅报栏 县政府大厅（滦平县政府）：未上报');
      await d.getByTestId('cm-kiosks').getByText('县政府大厅').waitFor();
      // The base map came from its own lazily loaded assets.
      await expect.poll(() => d.locator('.cm-countries path').count(), { timeout: 20_000 }).toBeGreaterThan(100);
      expect(await d.locator('.cm-provinces path').count()).toBeGreaterThan(30);
      // What the desk got is the 100 m grid point, not the phone's fix.
      const map = (await d.evaluate(() => fetch('/api/command/map').then((r) => r.json()))) as { people: { userId: string; lat: number; lng: number }[] };
      const person = map.people.find((x) => x.userId === fieldId)!;
      expect({ lat: person.lat, lng: person.lng }).toEqual(coarsen({ lat: FIX.latitude, lng: FIX.longitude }));
      expect(person.lat).not.toBe(FIX.latitude);
      await screenshot(d, 'command-map-desk');
      // The page's weight (docs/benchmarks.md): every JS and JSON file it loaded, shell included.
      const weight = gzipWeight(deskAssets);
      expect([...deskAssets].filter((a) => /countries-110m|china-/.test(a))).toHaveLength(2);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'command-map-weight.json'), JSON.stringify({ ...weight, assets: [...deskAssets].sort() }, null, 2));
      console.log(`command map page: ${weight.files} files, JS ${weight.js} B + JSON ${weight.json} B gzip = ${weight.js + weight.json} B`);
    });

    // The person stops: the desk's map no longer has them.
    await p.getByRole('button', { name: 'Stop sharing' }).click();
    await p.getByRole('heading', { name: 'Share my location' }).waitFor();
    await expect.poll(async () => ((await d.evaluate(() => fetch('/api/command/map').then((r) => r.json()))) as { people: unknown[] }).people.length).toBe(0);
    await phone.close();
    await desk.close();
  }, 120_000);
});
