import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { Services } from '../src/server/services.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, uniqueSuffix, type TestServer } from './harness.js';

/** A real phone-shaped H.264/AAC video made with ffmpeg's test sources (argument array, no shell). */
export function makeVideo(dir: string, name: string, seconds: number, opts: { size?: string; bitrate?: string } = {}): string {
  const out = join(dir, name);
  const r = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${opts.size ?? '320x568'}:rate=15`,
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      ...(opts.bitrate ? ['-b:v', opts.bitrate] : []),
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      '-movflags',
      '+faststart',
      out,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed (${r.status}): ${r.stderr}`);
  return out;
}

/** A signed-in session's Cookie header (a Node client), for requests apiSession cannot make (raw bodies, redirects). */
export async function sessionCookie(server: TestServer, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** A signed-in API session for set-up steps (a Node client: no browser, so no CSRF headers needed). */
export async function apiSession(server: TestServer, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  const cookie = await sessionCookie(server, email, password);
  return async <T>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<{ status: number; data: T }> => {
    const r = await fetch(`${server.url}${path}`, {
      method: opts.method ?? 'GET',
      headers: { cookie, ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await r.text();
    return { status: r.status, data: (text ? JSON.parse(text) : undefined) as T };
  };
}

export async function createStaff(server: TestServer, role: 'editor' | 'chief_editor' | 'finance', name: string): Promise<{ email: string; password: string }> {
  const admin = await apiSession(server);
  const email = `${role}.${uniqueSuffix()}@example.test`;
  const password = `Kitchen lamps ${role} ${uniqueSuffix()}`;
  const r = await admin('/api/admin/users', { method: 'POST', body: { email, password, name, roles: [role] } });
  expect(r.status, JSON.stringify(r.data)).toBe(201);
  return { email, password };
}

export async function signInEnglish(page: Page, server: TestServer, email: string, password: string): Promise<void> {
  await page.goto(`${server.url}/sign-in`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname !== '/sign-in');
}

export async function signUpInto(page: Page, server: TestServer, campaign: Campaign, name: string): Promise<void> {
  const suffix = uniqueSuffix();
  await page.goto(`${server.url}/c/${campaign.slug}/join`);
  await page.waitForURL((u) => u.pathname === '/sign-up');
  // Chinese pages open on the phone tab (issue 13); this journey signs up by email.
  await page.getByRole('tab', { name: '用邮箱' }).click();
  await page.getByLabel('姓名', { exact: true }).fill(name);
  await page.getByRole('textbox', { name: '邮箱', exact: true }).fill(`paike.${suffix}@example.test`);
  await page.getByLabel('密码', { exact: true }).fill(`回家的路 river bamboo ${suffix}`);
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/account');
}

/** Uploads a video from the phone's submit page and waits until it is in review. */
export async function submitVideo(page: Page, server: TestServer, video: string, title: string): Promise<void> {
  await page.goto(`${server.url}/submit`);
  await expect.poll(() => page.getByLabel('征集活动').evaluate((el) => (el as unknown as { value: string }).value)).not.toBe('');
  await page.getByLabel('征集主题').selectOption({ label: '回家的路' });
  await page.getByLabel('标题', { exact: true }).fill(title);
  await page.getByLabel('简介（选填）').fill('从成都东站到家，一路的街景。');
  await page.getByLabel('这段视频是我本人拍摄的，我同意以上条款。').check();
  await page.getByLabel('选择视频').setInputFiles(video);
  await page.getByRole('button', { name: '上传', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/submissions', { timeout: 60_000 });
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title }) });
  await card.getByText('审核中', { exact: true }).waitFor({ timeout: 120_000 });
}

/**
 * Runs `fn` with the server's own services on its data while the server is stopped, then starts
 * it again on the same address (see TestServer.whileStopped). For set-up no HTTP route offers,
 * such as a platform reporting figures. The server modules load only when this is called.
 */
export async function withServerServices<T>(server: TestServer, fn: (services: Services) => Promise<T>): Promise<T> {
  return server.whileStopped(async (env) => {
    const [{ loadConfig }, { openRuntime }, { default: pino }] = await Promise.all([
      import('../src/server/config.js'),
      import('../src/server/runtime.js'),
      import('pino'),
    ]);
    const runtime = await openRuntime({ config: loadConfig(env), logger: pino({ level: 'silent' }), jobs: 'send' });
    try {
      return await fn(runtime.services);
    } finally {
      await runtime.close();
    }
  });
}

/**
 * A contributor (signed up into the first campaign) and one adopted video of theirs, written
 * straight into the tables: for journeys that use an adopted video but are not about uploading
 * and processing it (the submissions journeys are). Restarts the server once (withServerServices).
 */
export async function adoptedVideo(
  server: TestServer,
  opts: { title: string; contributorName: string },
): Promise<{ submissionId: string; contributorId: string }> {
  const suffix = uniqueSuffix();
  const { campaigns } = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
  const campaign = campaigns[0]!;
  const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `contributor.${suffix}@example.test`,
      password: `Bamboo river ${suffix}`,
      name: opts.contributorName,
      campaignId: campaign.id,
    }),
  });
  expect(signUp.status).toBe(201);
  const contributorId = ((await signUp.json()) as { user: { id: string } }).user.id;
  const submissionId = await withServerServices(server, async (s) => {
    const row = await s.submissionsRepo.create({
      userId: contributorId,
      campaignId: campaign.id,
      theme: campaign.themes[0]!.key,
      title: opts.title,
      consentAt: new Date(),
      status: 'adopted',
      progress: 100,
      uploadLength: 1000,
      originalFilename: 'a.mp4',
      durationSeconds: 75,
      processedAt: new Date(),
    });
    return row.id;
  });
  return { submissionId, contributorId };
}
