import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { adoptedVideo, apiSession, createStaff, signInEnglish } from './flows.js';
import { desktopContext, launchBrowser, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Issue 14 item 1: an editor writes a story (heading, quote, an image with a caption, an adopted
// video), saves, edits again and reads the revision diff; a second editor saving a stale
// version is told who saved the newer one and opens it.
describe('kitchen stories: write, illustrate, embed, revise, conflict', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // Many staff sign in from 127.0.0.1 within a minute here: above the default 10 sign-ins a minute per address.
    server = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '100' } });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an editor writes a story with an image and a video; a stale save is refused with who and when', { timeout: 240_000 }, async () => {
    const suffix = uniqueSuffix();
    const videoTitle = `返乡列车 ${suffix}`;
    await adoptedVideo(server, { title: videoTitle, contributorName: '拍客小王' });
    const chief = await createStaff(server, 'chief_editor', 'Chief Wang');
    const editor = await createStaff(server, 'editor', 'Editor Li');
    const photo = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: { r: 180, g: 40, b: 40 } } })
      .jpeg()
      .toBuffer();

    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    let storyId = '';
    await withScreenshots(context, 'kitchen-stories', async () => {
      await signInEnglish(page, server, chief.email, chief.password);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Kitchen' }).click();
      await page.getByRole('heading', { level: 1, name: 'Stories' }).waitFor();
      await page.getByRole('link', { name: 'Write a story' }).click();
      await page.getByRole('heading', { level: 1, name: 'New story' }).waitFor();
      await page.waitForLoadState('networkidle');
      await page.getByLabel('Headline', { exact: true }).fill('春运首日 返乡路上的年味');
      await page.getByLabel('Standfirst').fill('记者与拍客一起记录返乡路。');
      const body = page.getByRole('textbox', { name: 'Body' });
      await body.click();
      await page.keyboard.type('一路向家');
      await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Heading', exact: true }).click();
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('回家过年，是中国人最朴素的心愿。');
      await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Quote' }).click();
      await page.getByLabel('Byline').fill('本报记者 李明');
      expect(await page.getByLabel('Headline', { exact: true }).inputValue()).toBe('春运首日 返乡路上的年味');
      await page.getByRole('button', { name: 'Create story' }).click();
      await page.waitForURL(/\/kitchen\/stories\/[0-9a-f-]{36}$/);
      storyId = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByText(/^Version 1, last saved by Chief Wang/).waitFor();

      // An image, with its caption and credit, into the body.
      await page.getByLabel(/^Image file/).setInputFiles({ name: 'station.jpg', mimeType: 'image/jpeg', buffer: photo });
      const upload = page.locator('form.k-stories-upload');
      await upload.getByLabel('Caption').fill('清晨的车站');
      await upload.getByLabel('Credit').fill('拍客 小王');
      await upload.getByRole('button', { name: 'Upload' }).click();
      const image = page.locator('.k-stories-image').filter({ has: page.locator('img[alt="清晨的车站"]') });
      await image.getByText('2400 × 1600 px').waitFor();
      await image.getByRole('button', { name: 'Insert into body' }).click();

      // An adopted video, credited to its contributor, into the body.
      await page.getByRole('searchbox', { name: 'Search adopted videos' }).fill(suffix);
      await page.getByRole('searchbox', { name: 'Search adopted videos' }).press('Enter');
      await page.getByRole('button', { name: `Embed: ${videoTitle}` }).click();
      const embedded = page.locator('.k-stories-videos li').filter({ hasText: videoTitle }).filter({ hasText: 'by 拍客小王' });
      await embedded.getByRole('button', { name: 'Insert into body' }).click();

      await page.getByText('Unsaved changes').waitFor();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText('Saved as version 2.').waitFor();
      const html = await body.innerHTML();
      expect(html).toContain('<h2>一路向家</h2>');
      expect(html).toMatch(/<blockquote>[^<]*回家过年/);
      expect(html).toMatch(/<img src="\/api\/kitchen\/images\/[0-9a-f-]{36}\/web"/);
      expect(html).toContain('data-paike-video=');
      // The image really is served, to staff.
      expect(await page.locator('.k-stories-body img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1600);

      // Edit again: the headline.
      await page.getByLabel('Headline', { exact: true }).fill('春运次日 返乡路上的年味');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText('Saved as version 3.').waitFor();
      await screenshot(page, 'kitchen-story-editor');

      await page.getByRole('link', { name: 'Revisions' }).click();
      await page.getByRole('heading', { name: 'Version 2 → Version 3' }).waitFor();
      await page.locator('del.k-stories-del', { hasText: '首' }).waitFor();
      await page.locator('ins.k-stories-ins', { hasText: '次' }).waitFor();
      await screenshot(page, 'kitchen-story-revisions');
      await page.getByRole('link', { name: 'Version 2', exact: true }).click();
      await page.getByRole('heading', { name: 'Version 1 → Version 2' }).waitFor();
      await page.locator('.k-stories-block-added ins', { hasText: `[video` }).first().waitFor();
    });

    // A second editor opens version 3; meanwhile the chief saves version 4.
    const second = await desktopContext(browser, 'en-US');
    const page2 = await second.newPage();
    await withScreenshots(second, 'kitchen-stories-conflict', async () => {
      await signInEnglish(page2, server, editor.email, editor.password);
      await page2.goto(`${server.url}/kitchen/stories/${storyId}`);
      await page2.getByText(/^Version 3, last saved by Chief Wang/).waitFor();
      const chiefApi = await apiSession(server, chief.email, chief.password);
      expect((await chiefApi(`/api/kitchen/stories/${storyId}`, { method: 'PATCH', body: { version: 3, standfirst: '主编改过的导语。' } })).status).toBe(200);

      await page2.getByLabel('Headline', { exact: true }).fill('编辑李的标题');
      await page2.getByRole('button', { name: 'Save', exact: true }).click();
      const alert = page2.getByRole('alert').filter({ hasText: 'Someone saved a newer version' });
      await alert
        .getByText(/^Chief Wang saved a newer version \(version 4\) at \d{4}-\d{2}-\d{2} \d{2}:\d{2} Beijing time; your changes were not saved/)
        .waitFor();
      await screenshot(page2, 'kitchen-story-conflict');
      await alert.getByRole('button', { name: 'Open the newer version' }).click();
      await page2.getByText(/^Version 4, last saved by Chief Wang/).waitFor();
      expect(await page2.getByLabel('Standfirst').inputValue()).toBe('主编改过的导语。');
      expect(await page2.getByLabel('Headline', { exact: true }).inputValue()).toBe('春运次日 返乡路上的年味');
    });
    await second.close();
    await context.close();
  });
});
