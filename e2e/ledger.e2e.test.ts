import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createStaff, signInEnglish, withServerServices } from './flows.js';
import { desktopContext, launchBrowser, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Finance on a desktop: the ledger explorer, filtered to one contributor, and its CSV.
describe('finance ledger explorer', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finance opens the ledger, filters by a contributor and downloads the period as CSV', { timeout: 120_000 }, async () => {
    const name = `林勇刚${uniqueSuffix().slice(0, 4)}`;
    // Set-up through the services: a contributor credited 1,234.56 yuan.
    await withServerServices(server, async (services) => {
      const user = await services.accounts.createUser(null, {
        email: `ledger.${uniqueSuffix()}@example.test`,
        password: 'Kitchen lamps ledger 2026',
        name,
        roles: ['contributor'],
      });
      const [account, expense] = [await services.ledger.ensureContributorAccount(user.id), await services.ledger.systemAccount('rewards_expense')];
      await services.ledger.post({
        idempotencyKey: `e2e-ledger:${user.id}`,
        kind: 'adoption_reward',
        entries: [
          { accountId: account.id, amountFen: 123_456 },
          { accountId: expense.id, amountFen: -123_456 },
        ],
      });
    });
    const finance = await createStaff(server, 'finance', 'Finance Wang');
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'finance-ledger', async () => {
      await signInEnglish(page, server, finance.email, finance.password);
      await page.goto(`${server.url}/finance`);
      await page.getByRole('link', { name: 'Open the ledger explorer' }).click();
      await page.waitForURL((u) => u.pathname === '/finance/ledger');
      await page.getByRole('heading', { level: 1, name: 'Ledger explorer' }).waitFor();
      await page.getByRole('searchbox', { name: 'Search' }).fill(name);
      await page.getByRole('button', { name: `Show transfers of ${name}` }).click();
      await page.waitForURL((u) => u.searchParams.has('accountId'));
      const transfers = page.getByRole('region', { name: 'Transfers' });
      await transfers.getByText(`Account: ${name}`).waitFor();
      await transfers.locator('table').getByText('Adoption reward').waitFor();
      await transfers.locator('dl').getByText('¥1,234.56').first().waitFor();
      const download = page.waitForEvent('download');
      await transfers.getByRole('button', { name: 'Export CSV' }).click();
      const csv = readFileSync(await (await download).path(), 'utf8');
      expect(csv.startsWith('\uFEFFPaike ledger export,')).toBe(true);
      const lines = csv.trimEnd().split('\r\n');
      expect(lines.filter((l) => l.includes(name) && l.includes('Adoption reward'))).toHaveLength(1);
      expect(lines.some((l) => l.startsWith('Total,,,,,debits equal credits,1234.56,1234.56'))).toBe(true);
      expect(lines.at(-1)).toBe('Total,,,0.00,0.00,1234.56,1234.56');
    });
    await context.close();
  });
});
