import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiSession, createStaff, signInEnglish, withServerServices } from './flows.js';
import { desktopContext, launchBrowser, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

type Person = { email: string; password: string; id: string; name: string };

describe('many forms from one story pass the 三审 review chain', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let writer: Person;
  let second: Person;
  let lead: Person;
  let chief: Person;
  let storyId = '';
  const headline = `春运首日 返乡路上的年味 ${uniqueSuffix()}`;

  async function person(role: 'editor' | 'chief_editor', name: string): Promise<Person> {
    const p = await createStaff(server, role, name);
    const me = await (await apiSession(server, p.email, p.password))<{ user?: { id: string }; id?: string }>('/api/me');
    const id = me.data.user?.id ?? me.data.id!;
    return { ...p, id, name };
  }
  async function signedIn(p: Person): Promise<Page> {
    const context = await desktopContext(browser, 'en-US');
    contexts.push(context);
    const page = await context.newPage();
    await signInEnglish(page, server, p.email, p.password);
    return page;
  }

  beforeAll(async () => {
    // Many staff sign in from 127.0.0.1 within a minute here: above the default 10 sign-ins a minute per address.
    server = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '100' } });
    browser = await launchBrowser();
    writer = await person('editor', 'Editor Li');
    second = await person('editor', 'Editor Chen');
    lead = await person('editor', 'Lead Wang');
    chief = await person('chief_editor', 'Chief Zhao');
    const admin = await apiSession(server);
    const studio = await admin<{ studio: { id: string } }>('/api/desk/studios', {
      method: 'POST',
      body: { name: `侠客岛 ${uniqueSuffix()}`, leadUserId: lead.id, memberIds: [writer.id, second.id, lead.id] },
    });
    expect(studio.status, JSON.stringify(studio.data)).toBe(201);
    // The story routes belong to another part of the kitchen: the story goes straight into its table.
    storyId = await withServerServices(server, async (services) => {
      const { insertStory } = await import('../src/server/modules/kitchen/testing/fixtures.js');
      return (await insertStory(services.database.db, { authorId: writer.id, studioId: studio.data.studio.id, headline })).id;
    });
  }, 180_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  it(
    'an editor makes web and Weibo forms and submits them; the lead and the chief approve from their inbox; a send-back shows its note',
    { timeout: 300_000 },
    async () => {
      const page = await signedIn(writer);
      const formsUrl = `${server.url}/kitchen/stories/${storyId}/forms`;
      await withScreenshots(page.context(), 'kitchen-forms-writer', async () => {
        await page.goto(formsUrl);
        await page.getByRole('heading', { level: 1, name: `Forms: ${headline}` }).waitFor();
        for (const form of ['Web 网', 'Weibo 微博']) {
          await page.getByLabel('Make another form:').selectOption({ label: form });
          await page.getByRole('button', { name: 'Make from the story' }).click();
          await page.getByRole('tab', { name: `${form} · In edit` }).waitFor();
        }
        // The Weibo text is derived within its limit and counted live.
        await page.getByRole('tab', { name: 'Weibo 微博 · In edit' }).click();
        const text = page.getByLabel('Post text');
        await expect.poll(() => text.inputValue(), { timeout: 15_000 }).toContain('【春运首日');
        await text.fill('微'.repeat(111));
        await page.getByText('111 / 110').waitFor();
        await page.getByRole('button', { name: 'Discard my changes' }).click();
        await page.getByRole('button', { name: 'Submit for review' }).click();
        await page.getByRole('tab', { name: 'Weibo 微博 · In review' }).waitFor();
        await page.getByRole('tab', { name: 'Web 网 · In edit' }).click();
        await page.getByRole('button', { name: 'Submit for review' }).click();
        await page.getByRole('tab', { name: 'Web 网 · In review' }).waitFor();
        // The writer does not hold the first step of their own submission.
        await page.getByText('Waiting for someone else’s review.').waitFor();
        await screenshot(page, 'kitchen-forms-in-review');
      });

      // The first review (another editor of the studio), through the API.
      const editor2 = await apiSession(server, second.email, second.password);
      for (const form of ['web', 'weibo']) {
        const r = await editor2(`/api/kitchen/stories/${storyId}/forms/${form}/approve`, { method: 'POST', body: {} });
        expect(r.status, JSON.stringify(r.data)).toBe(200);
      }

      const leadPage = await signedIn(lead);
      await withScreenshots(leadPage.context(), 'kitchen-forms-lead', async () => {
        await leadPage.goto(`${server.url}/kitchen/review`);
        await leadPage.getByRole('heading', { level: 1, name: 'Review inbox' }).waitFor();
        const rows = leadPage.getByRole('row').filter({ has: leadPage.getByRole('link', { name: headline }) });
        await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
        await rows.first().getByText('Editor Li').waitFor();
        await rows.filter({ hasText: 'Web 网' }).getByRole('link', { name: headline }).click();
        await leadPage.waitForURL((u) => u.pathname === `/kitchen/stories/${storyId}/forms`);
        await leadPage.getByRole('tab', { name: 'Web 网 · In review' }).click();
        await leadPage.getByRole('button', { name: 'Approve (Studio lead)' }).click();
        await leadPage.getByText('Approved.').waitFor();
        // Weibo goes back with a note.
        await leadPage.getByRole('tab', { name: 'Weibo 微博 · In review' }).click();
        await leadPage.getByRole('button', { name: 'Send back…' }).click();
        await leadPage.getByLabel('Note for the author (required)').fill('话题标签加上 #春运#');
        await leadPage.getByRole('button', { name: 'Send back with this note' }).click();
        await leadPage.getByRole('tab', { name: 'Weibo 微博 · In edit' }).waitFor();
      });

      const chiefPage = await signedIn(chief);
      await withScreenshots(chiefPage.context(), 'kitchen-forms-chief', async () => {
        await chiefPage.goto(`${server.url}/kitchen/review`);
        const row = chiefPage.getByRole('row').filter({ has: chiefPage.getByRole('link', { name: headline }) });
        await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
        await row.getByText('Chief editor').waitFor();
        await row.getByRole('link', { name: headline }).click();
        await chiefPage.getByRole('tab', { name: 'Web 网 · In review' }).click();
        await chiefPage.getByRole('button', { name: 'Approve (Chief editor)' }).click();
        await chiefPage.getByRole('tab', { name: 'Web 网 · Ready' }).waitFor();
        await chiefPage.getByText('approved by Lead Wang', { exact: false }).waitFor();
        await chiefPage.getByRole('button', { name: 'Publish Web 网' }).waitFor();
        await screenshot(chiefPage, 'kitchen-forms-ready');
      });

      await withScreenshots(page.context(), 'kitchen-forms-writer-note', async () => {
        await page.reload();
        await page.getByRole('tab', { name: 'Web 网 · Ready' }).waitFor();
        await page.getByRole('tab', { name: 'Weibo 微博 · In edit' }).click();
        await page.getByText('Sent back by Lead Wang:').waitFor();
        await page.getByText('话题标签加上 #春运#').first().waitFor();
        await screenshot(page, 'kitchen-forms-sent-back');
      });
    },
  );
});
