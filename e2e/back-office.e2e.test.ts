import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signInEnglish, withServerServices } from './flows.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, desktopContext, launchBrowser, startServer, withScreenshots, type TestServer } from './harness.js';

describe('the back office on a desktop, in English', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    // A contributor who signed up by phone (stored in E.164), as the SMS flow leaves them.
    await withServerServices(server, async (services) => {
      const { users } = await import('../src/server/db/schema.js');
      await services.database.db.insert(users).values({ phone: '+8613900139001', name: '手机拍客', roles: ['contributor'], locale: 'zh-CN' });
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin finds a user by the phone as people write it, changes roles, and the audit log says so in words', async () => {
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'back-office', async () => {
      await signInEnglish(page, server, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.goto(`${server.url}/admin/users`);
      await page.getByRole('searchbox', { name: 'Name, email or phone' }).fill('139 0013 9001');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByText('1 account', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Open 手机拍客' }).click();

      const editor = page.getByRole('region', { name: '手机拍客' });
      await editor.getByText('+8613900139001').waitFor();
      await editor.getByRole('checkbox', { name: 'Editor', exact: true }).check();
      await editor.getByRole('button', { name: 'Save roles' }).click();
      await editor.getByText('Roles saved.').waitFor();
      // Granting admin asks first.
      await editor.getByRole('checkbox', { name: 'Administrator', exact: true }).check();
      await editor.getByRole('button', { name: 'Save roles' }).click();
      await editor.getByRole('group', { name: 'Confirm the role change' }).getByRole('button', { name: 'Cancel' }).click();

      await editor.getByRole('link', { name: 'This user in the audit log' }).click();
      await page.waitForURL((u) => u.pathname === '/desk/audit');
      const row = page.getByRole('row').filter({ hasText: 'Changed the roles' });
      await row.getByRole('link', { name: '手机拍客' }).waitFor();
      expect(await row.getByRole('definition').allInnerTexts()).toContain('Editor');
    });
    await context.close();
  });
});
