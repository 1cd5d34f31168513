import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { apiSession, createStaff, withServerServices } from './flows.js';
import { launchBrowser, phoneContext, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// A story's web form, ready after its review, published by an editor over HTTP and read by a
// phone in Chinese at /stories/<id>: headline, body, lead image with its caption and credit, and
// the embedded contributor video with its credit and a link to its page.

const HEADLINE = `春运首日 返乡路上的年味 ${uniqueSuffix()}`;
const CONTRIBUTOR = '拍客林勇刚';

describe('a published story on the public site', () => {
  let server: TestServer;
  let browser: Browser;
  let phone: BrowserContext;
  let storyId: string;
  let submissionId: string;
  let imageId: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    phone = await phoneContext(browser, 'zh-CN');
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    const campaign = list.campaigns[0]!;
    const editor = await createStaff(server, 'editor', 'Editor Zhang');
    const admin = await apiSession(server);
    const contributor = await admin<{ user: { id: string } }>('/api/admin/users', {
      method: 'POST',
      body: { email: `lin.${uniqueSuffix()}@example.test`, password: `Harbour lanterns ${uniqueSuffix()}`, name: CONTRIBUTOR, roles: ['contributor'] },
    });
    expect(contributor.status, JSON.stringify(contributor.data)).toBe(201);

    // The story, its image, an adopted video and a ready web form, straight into the tables
    // (the story routes and the review chain belong to the other parts of the kitchen).
    ({ storyId, submissionId, imageId } = await withServerServices(server, async (s) => {
      const { insertStory, insertForm } = await import('../src/server/modules/kitchen/testing/fixtures.js');
      const { storyImages, storyVideos, users } = await import('../src/server/db/schema.js');
      const { eq } = await import('drizzle-orm');
      const db = s.database.db;
      const [author] = await db.select().from(users).where(eq(users.name, 'Editor Zhang'));
      const [who] = await db.select().from(users).where(eq(users.name, CONTRIBUTOR));
      const st = await insertStory(db, { authorId: author!.id, headline: HEADLINE, byline: '本报记者 李明' });
      const sub = await s.submissionsRepo.create({
        userId: who!.id,
        campaignId: campaign.id,
        theme: 'food',
        title: '候车大厅里的年货',
        consentAt: new Date(),
        status: 'adopted',
        progress: 100,
        uploadLength: 1000,
        originalFilename: 'a.mp4',
        durationSeconds: 75,
        width: 720,
        height: 1280,
        processedAt: new Date(),
      });
      await db.insert(storyVideos).values({ storyId: st.id, submissionId: sub.id, position: 0 });
      const [img] = await db
        .insert(storyImages)
        .values({
          storyId: st.id,
          printKey: `kitchen/${st.id}/print.jpg`,
          webKey: `kitchen/${st.id}/web.jpg`,
          thumbKey: `kitchen/${st.id}/thumb.jpg`,
          width: 1600,
          height: 900,
          bytes: 1000,
          caption: '候车的旅客',
          credit: '本报记者 王芳',
          uploadedBy: author!.id,
        })
        .returning();
      await insertForm(db, {
        storyId: st.id,
        form: 'web',
        status: 'ready',
        content: { headline: HEADLINE, standfirst: '记者与拍客一起记录返乡路。', bodyHtml: '<p>清晨六点，车站已排起长队。</p><h2>一路向家</h2>' },
      });
      return { storyId: st.id, submissionId: sub.id, imageId: img!.id };
    }));

    const desk = await apiSession(server, editor.email, editor.password);
    const res = await desk<{ form: { status: string; url: string } }>(`/api/kitchen/stories/${storyId}/forms/web/publish`, { method: 'POST' });
    expect(res.status, JSON.stringify(res.data)).toBe(200);
    expect(res.data.form.status).toBe('published');
  }, 180_000);

  afterAll(async () => {
    await phone?.close();
    await browser?.close();
    await server?.stop();
  });

  it('is readable on a phone in Chinese, with its image and the video’s credit, under a CSP without inline script', { timeout: 120_000 }, async () => {
    const page = await phone.newPage();
    await withScreenshots(phone, 'kitchen-publish-story', async () => {
      const res = await page.goto(`${server.url}/stories/${storyId}`);
      expect(res?.status()).toBe(200);
      const csp = res?.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      // The link preview's head is the story's.
      expect(await page.locator('meta[property="og:title"]').getAttribute('content')).toBe(HEADLINE);

      await page.getByRole('heading', { level: 1, name: HEADLINE }).waitFor();
      await page.getByText('清晨六点，车站已排起长队。').waitFor();
      await page.getByRole('heading', { level: 2, name: '一路向家' }).waitFor();
      const lead = page.getByRole('img', { name: '候车的旅客' });
      expect(await lead.getAttribute('src')).toBe(`/api/kitchen/images/${imageId}/web`);
      await page.getByText('摄影：本报记者 王芳').waitFor();
      await page.getByRole('heading', { level: 2, name: '本文视频' }).waitFor();
      const credit = page.getByRole('link', { name: `拍客 ${CONTRIBUTOR} 拍摄` });
      await credit.waitFor();
      expect(await page.getByRole('link', { name: '观看视频：候车大厅里的年货' }).getAttribute('href')).toBe(`/v/${submissionId}`);
    });
    await page.close();
  });
});
