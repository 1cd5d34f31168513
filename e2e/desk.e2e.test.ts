import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { createStaff, makeVideo, signInEnglish, signUpInto, submitVideo, withServerServices } from './flows.js';
import { desktopContext, launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';

describe('the desk adopts a contributor’s video and the money reaches them', () => {
  let server: TestServer;
  let browser: Browser;
  let campaign: Campaign;
  let dir: string;
  let phone: BrowserContext;
  let phonePage: Page;
  const title = `回家的路 ${uniqueSuffix()}`;
  let submissionId = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-e2e-desk-'));
    server = await startServer();
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
    expect(campaign).toBeDefined();
    phone = await phoneContext(browser, 'zh-CN');
    phonePage = await phone.newPage();
  });
  afterAll(async () => {
    await phone?.close();
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an editor reviews and adopts at grade B; the contributor sees 已采用 and ¥2,000', { timeout: 300_000 }, async () => {
    const video = makeVideo(dir, 'way-home.mp4', 62);
    await withScreenshots(phone, 'desk-contributor-upload', async () => {
      await signUpInto(phonePage, server, campaign, '林勇刚');
      await submitVideo(phonePage, server, video, title);
    });

    // A plain editor in no studio: the demo campaign is routed nowhere, so it is in the general pool.
    const editor = await createStaff(server, 'editor', 'Editor Zhang');
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'desk-editor', async () => {
      await signInEnglish(page, server, editor.email, editor.password);
      await page.goto(`${server.url}/desk`);
      await page.getByRole('link', { name: 'Open: Review queue' }).click();
      await page.waitForURL((u) => u.pathname === '/desk/queue');
      await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: title }) });
      await row.waitFor();
      await row.getByText('林勇刚').waitFor();
      await row.getByText('New', { exact: true }).waitFor();
      await row.getByText('0 adopted · 0 rejected').waitFor();
      await row.getByText('Nobody').waitFor();
      // Filters live in the address: filtering by the campaign keeps the row.
      await page.getByLabel('Campaign').selectOption({ label: campaign.title.en });
      await page.waitForURL((u) => u.searchParams.get('campaignId') === campaign.id);
      await row.waitFor();
      await screenshot(page, 'desk-queue', false);

      // Keyboard: j focuses the first row's link, Enter opens it.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname.startsWith('/desk/review/'));
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.getByText(/You are reviewing this video/).waitFor({ timeout: 15_000 });
      await page.getByRole('row', { name: /Video codec h264/ }).waitFor();
      await page.getByRole('row', { name: /Resolution 320×568/ }).waitFor();
      const player = page.getByLabel(`Video: ${title}`);
      await expect.poll(() => player.evaluate((v) => (v as unknown as { readyState: number }).readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      // Hovering the scrub bar shows a frame from the thumbnail sprite.
      const scrub = page.getByRole('slider', { name: /Seek/ });
      const box = (await scrub.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
      await page.locator('.scrub-thumb').waitFor({ timeout: 10_000 });

      await page.getByLabel('A note for other editors…').fill('Clear footage of the station; check the audio.');
      await page.getByRole('button', { name: 'Add note', exact: true }).click();
      await page.getByText('Clear footage of the station; check the audio.').waitFor();
      await page.getByRole('heading', { name: 'Notes (1)' }).waitFor();

      // Grades are keys 1–5 (D C B A S): "3" picks B.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('3');
      expect(await page.getByRole('radio', { name: /^B ¥2,000/ }).isChecked()).toBe(true);
      const adopt = page.getByRole('button', { name: 'Adopt at grade B (¥2,000)' });
      await screenshot(page, 'desk-review', false);
      await adopt.click();
      // Money moves only after the editor confirms, with the grade, amount and payee named.
      const confirm = page.getByRole('alertdialog', { name: 'Adopt and pay?' });
      await confirm.getByText('credits ¥2,000 to 林勇刚').waitFor();
      await confirm.getByRole('button', { name: 'Yes, adopt and pay ¥2,000' }).click();
      await page.getByText('Adopted at grade B. The reward is credited to the contributor.').waitFor();
      await page.locator('.decision .badge-sub-adopted', { hasText: 'Adopted at grade B' }).waitFor();
      // Nothing to change until another grade is picked (it used to read "B → B").
      expect(await page.getByRole('button', { name: 'Pick another grade to change it' }).isDisabled()).toBe(true);
      expect(await page.getByText('B → B').count()).toBe(0);
      await screenshot(page, 'desk-review-adopted', false);

      submissionId = new URL(page.url()).pathname.split('/').pop()!;

      // Packaging: the Weibo tab counts characters against Weibo's 30 and refuses an over-long headline.
      const packaging = page.getByRole('region', { name: 'Packaging' });
      await packaging.getByRole('tab', { name: 'Weibo' }).click();
      const weibo = packaging.getByRole('tabpanel', { name: 'Weibo' });
      const headline = weibo.getByLabel('Headline', { exact: true });
      const save = weibo.getByRole('button', { name: 'Save Weibo package' });
      await headline.fill('回家的路：从成都东站出发，穿过春熙路和九眼桥，一路的街景与灯火都在这里了');
      await weibo.locator('.counter.is-over').filter({ hasText: '36 / 30' }).waitFor();
      await weibo.getByText('6 characters over the limit of 30.').waitFor();
      expect(await headline.getAttribute('aria-invalid')).toBe('true');
      expect(await save.isDisabled()).toBe(true);
      await headline.fill('回家的路：成都东站的傍晚');
      await weibo.getByText('12 / 30').waitFor();
      await weibo.getByLabel('Summary', { exact: true }).fill('拍客林勇刚记录从成都东站回家的一路街景。');
      const tags = weibo.getByLabel('Tags', { exact: true }).last();
      await tags.fill('回家的路');
      await tags.press('Enter');
      await tags.fill('成都,');
      await weibo.getByRole('button', { name: 'Remove tag 成都' }).waitFor();
      await weibo.getByLabel('Credit', { exact: true }).fill('拍客 林勇刚');
      // The candidate frames are made on first request: pick the third one.
      const frames = weibo.getByRole('radio', { name: /^Frame at / });
      await frames.nth(2).waitFor({ timeout: 30_000 });
      await frames.nth(2).check();
      expect(await save.isDisabled()).toBe(false);
      await save.click();
      await weibo.getByText('Weibo package saved.').waitFor();
      await packaging.getByRole('tab', { name: 'Weibo ✓' }).waitFor();
      const pk = await page.request.get(`${server.url}/api/desk/submissions/${submissionId}/packages`);
      const saved = ((await pk.json()) as { packages: { channel: string; headline: string; tags: string[]; coverKey: string | null }[] }).packages;
      const weiboPkg = saved.find((p) => p.channel === 'weibo')!;
      expect(weiboPkg.headline).toBe('回家的路：成都东站的傍晚');
      expect(weiboPkg.tags).toEqual(['回家的路', '成都']);
      expect(weiboPkg.coverKey).toMatch(/\/covers\/2\.jpg$/);
      await packaging.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await screenshot(page, 'desk-review-packaging', false);

      // Make it today's daily pick (Asia/Shanghai) from the review page; the public home page then shows it.
      const pick = page.getByRole('region', { name: 'Daily pick' });
      const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      expect(await pick.getByLabel('Day (Beijing time)').inputValue()).toBe(day);
      await pick.getByLabel('Headline', { exact: true }).fill('今日必看：回家路上的车站');
      await pick.getByRole('button', { name: /^Make daily pick for / }).click();
      await pick.getByText(/^Scheduled as the daily pick for /).waitFor();

      // Trim 2–12 s with one burned-in subtitle; the version becomes ready and playable.
      const trim = page.getByRole('region', { name: 'Trim & subtitles' });
      await player.evaluate((v) => {
        (v as unknown as { currentTime: number }).currentTime = 2;
      });
      await trim.getByRole('button', { name: 'Set from player (Start (seconds))' }).click();
      await expect.poll(() => trim.getByLabel('Start (seconds)').inputValue()).toBe('2');
      await trim.getByLabel('End (seconds)').fill('12');
      await trim.getByText('Length 0:10').waitFor();
      await trim.getByRole('button', { name: 'Add subtitle line' }).click();
      await trim.getByLabel('Line 1 end').fill('4');
      await trim.getByLabel('Line 1 text').fill('成都东站，傍晚六点');
      await trim.getByLabel('Burned into the picture').check();
      await trim.getByRole('button', { name: 'Make this version' }).click();
      await trim.getByText('Requested. The new version is being made.').waitFor();
      const version = trim.getByRole('listitem').first();
      await version.getByText('0:02–0:12').waitFor();
      await version.getByText('Ready', { exact: true }).waitFor({ timeout: 90_000 });
      await version.getByText('1 subtitle line').waitFor();
      const mp4 = await version.getByRole('link', { name: 'Download MP4' }).getAttribute('href');
      expect(mp4).toBeTruthy();
      expect((await page.request.get(`${server.url}${mp4!}`)).status()).toBe(200);
      await version.getByRole('button', { name: /^Play video “.+\(0:02–0:12\)”$/ }).click();
      const edited = version.getByLabel(/^Video: .+\(0:02–0:12\)$/);
      await expect.poll(() => edited.evaluate((v) => (v as unknown as { readyState: number }).readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      await version.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await screenshot(page, 'desk-review-trim', false);

      // The schedule lists today's pick with a link back to the review.
      await page.goto(`${server.url}/desk`);
      await page.getByRole('link', { name: 'Open: Daily pick and weekly chart' }).click();
      await page.waitForURL((u) => u.pathname === '/desk/daily-picks');
      const today = page.getByRole('row').filter({ has: page.getByText('Today', { exact: true }) });
      await today.getByRole('link', { name: '今日必看：回家路上的车站' }).waitFor();
      await today.getByText('林勇刚').waitFor();
      await today.getByRole('button', { name: /^Clear / }).waitFor();
      await screenshot(page, 'desk-daily-picks', false);
    });
    await context.close();

    await withScreenshots(phone, 'home-daily-pick', async () => {
      const visitor = await phoneContext(browser, 'zh-CN');
      const home = await visitor.newPage();
      await home.goto(`${server.url}/`);
      await home.getByText('拍客·每日必看').waitFor();
      await home.getByRole('heading', { name: '今日必看：回家路上的车站' }).waitFor();
      await home.getByText('拍客：林勇刚').waitFor();
      await screenshot(home, 'home-daily-pick', false);
      await visitor.close();
    });

    await withScreenshots(phone, 'desk-contributor-earnings', async () => {
      await phonePage.goto(`${server.url}/submissions`);
      const card = phonePage.getByRole('listitem').filter({ has: phonePage.getByRole('heading', { name: title }) });
      await card.getByText('已采用', { exact: true }).waitFor({ timeout: 15_000 });
      await phonePage.getByRole('navigation', { name: '投稿人导航' }).getByRole('link', { name: '我的收益' }).click();
      await phonePage.waitForURL((u) => u.pathname === '/earnings');
      await phonePage.getByRole('heading', { level: 1, name: '我的收益' }).waitFor();
      await phonePage.locator('.balance').filter({ hasText: '¥2,000' }).waitFor();
      const entry = phonePage.locator('.ledger-entry').filter({ hasText: '视频采用奖励' });
      await entry.getByText(`“${title}” · B 级`).waitFor();
      await entry.getByText('+¥2,000').waitFor();
      await screenshot(phonePage, 'phone-earnings');
    });
  });

  it('the contributor withdraws; finance batches, exports and pays; the contributor sees it paid', { timeout: 180_000 }, async (ctx) => {
    const probe = await phonePage.request.get(`${server.url}/api/me/payouts`);
    if (probe.status() === 404) {
      ctx.skip();
      return;
    }
    expect(probe.status()).toBe(200);
    await withScreenshots(phone, 'desk-contributor-payout', async () => {
      await phonePage.goto(`${server.url}/earnings`);
      await phonePage.getByRole('heading', { name: '提现', exact: true }).waitFor();
      // WeChat payouts pay a linked WeChat (wechat.e2e.test.ts); a typed Alipay account here.
      await phonePage.getByLabel('支付宝', { exact: true }).check();
      await phonePage.getByLabel('金额（元）').fill('2000');
      await phonePage.getByLabel('真实姓名').fill('林勇刚');
      await phonePage.getByLabel('支付宝账号（手机号或邮箱）').fill('13800138000');
      await phonePage.getByRole('button', { name: '申请提现' }).click();
      await phonePage.getByText('已申请提现 ¥2,000，财务会分批打款。').waitFor();
      await phonePage.locator('.payout-entry').filter({ hasText: '已申请' }).waitFor();
      await screenshot(phonePage, 'phone-earnings-payout');
    });

    const finance = await createStaff(server, 'finance', 'Finance Li');
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'desk-finance', async () => {
      await signInEnglish(page, server, finance.email, finance.password);
      await page.goto(`${server.url}/desk`);
      await page.getByRole('link', { name: 'Open: Finance' }).click();
      await page.waitForURL((u) => u.pathname === '/finance');
      // The demo campaign pays rewards without budget funding, so reconciliation may list problems; it must render either way.
      await page.getByRole('heading', { name: 'Reconciliation' }).waitFor();
      await page.getByText(/The ledger reconciles|problems? found/).waitFor();
      // Finance sees the payee's name masked outside the export.
      await page.getByRole('checkbox', { name: /^Select .+, ¥2,000$/ }).check();
      await screenshot(page, 'desk-finance-pending', false);
      await page.getByRole('button', { name: 'Batch Alipay (1)' }).click();
      // Money moves only after a confirmation that names the count and total.
      await page.getByRole('dialog', { name: 'Approve this Alipay batch?' }).getByRole('button', { name: 'Approve 1' }).click();
      await page.getByText(/Alipay batch created: 1 payout, ¥2,000/).waitFor();
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export CSV' }).first().click();
      await page.getByRole('dialog', { name: 'Send the batch file?' }).getByRole('button', { name: 'Export and send' }).click();
      const file = await (await download).path();
      const csv = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      const [header, ...lines] = csv.trim().split(/\r?\n/);
      // Alipay's batch-payment template.
      expect(header).toBe('商户流水号,收款人支付宝账号,收款人姓名,付款金额(元),付款理由');
      expect(lines).toHaveLength(1);
      const cols = lines[0]!.split(',');
      expect(cols[1]).toBe('13800138000');
      expect(cols[2]).toBe('林勇刚');
      expect(Number(cols[3])).toBe(2000);
      await page.getByRole('button', { name: /^Mark .+ paid$/ }).click();
      const confirm = page.getByRole('dialog', { name: 'Mark paid?' });
      await confirm.getByText('¥2,000').waitFor();
      await confirm.getByRole('button', { name: 'Mark 1 paid' }).click();
      await page.locator('.batch .badge-payout-paid').waitFor();
      await screenshot(page, 'desk-finance', true);
    });
    await context.close();

    await phonePage.goto(`${server.url}/earnings`);
    await phonePage.locator('.payout-entry').filter({ hasText: '已到账' }).waitFor();
    await screenshot(phonePage, 'phone-earnings-paid');
  });

  it('a weekly prize held for forged-looking views: a chief editor sees why, releases it, and the contributor is paid', { timeout: 120_000 }, async () => {
    expect(submissionId).not.toBe('');
    const balance = async () => ((await (await phonePage.request.get(`${server.url}/api/me/ledger?limit=1`)).json()) as { balanceFen: number }).balanceFen;
    const contributorId = ((await (await phonePage.request.get(`${server.url}/api/me`)).json()) as { id: string }).id;
    const before = await balance();
    // The chart freeze holds a prize this way when a few networks make most of the week's views (docs/propagation.md, "Forged views").
    await withServerServices(server, async (services) => {
      await services.propagationHolds.hold(
        {
          kind: 'weekly_prize',
          ledgerKey: `weekly:${campaign.id}:2026-W48:1`,
          campaignId: campaign.id,
          submissionId,
          userId: contributorId,
          amountFen: 50_000,
          refs: { week: '2026-W48', rank: 1 },
          reason: { views: 640, appViews: 620, networks: 2, topNetworkViews: 600, topNetworks: 3, sharePercent: 93.8, from: null, to: null },
        },
        services.database.db,
      );
    });

    const chief = await createStaff(server, 'chief_editor', 'Chief Wang');
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'desk-holds', async () => {
      await signInEnglish(page, server, chief.email, chief.password);
      await page.goto(`${server.url}/desk`);
      await page.getByRole('link', { name: 'Open: Held prizes' }).click();
      await page.waitForURL((u) => u.pathname === '/desk/holds');
      await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Held prizes' }).waitFor();
      await page.getByText('1 hold waiting for a decision.').waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: title }) });
      await row.getByText('林勇刚').waitFor();
      await row.getByText('Weekly chart prize').waitFor();
      await row.getByText('Week 2026-W48, rank 1').waitFor();
      await row.getByText('¥500', { exact: true }).waitFor();
      await row.getByText('600 of 640 views (93.8%) came from its 3 busiest networks.').waitFor();
      await row.getByText('Its 620 app views came from 2 networks in all.').waitFor();
      await row.getByText('Held', { exact: true }).waitFor();
      await screenshot(page, 'desk-holds', false);

      // Release asks first; cancelling pays nothing.
      await row.getByRole('button', { name: `Release the held money for ${title}` }).click();
      await row.getByText(`Pay ¥500 (Weekly chart prize) to 林勇刚? This posts to the ledger and cannot be undone.`).waitFor();
      await row.getByRole('button', { name: 'Cancel' }).click();
      expect(await balance()).toBe(before);
      await row.getByRole('button', { name: `Release the held money for ${title}` }).click();
      await row.getByRole('button', { name: 'Yes, release' }).click();
      await row.getByText('Released', { exact: true }).waitFor();
      await row.getByText(/^by Chief Wang, /).waitFor();
      expect(await row.getByRole('button', { name: /Release|Reject/ }).count()).toBe(0);

      // The filter lives in the address: nothing is left to decide, and the release is under Released.
      await page.getByLabel('Show').selectOption({ label: 'Held' });
      await page.waitForURL((u) => u.searchParams.get('status') === 'held');
      await page.getByText('Nothing is waiting for a decision.').waitFor();
      await page.getByLabel('Show').selectOption({ label: 'Released' });
      await row.getByText('Released', { exact: true }).waitFor();
      await screenshot(page, 'desk-holds-released', false);
    });
    await context.close();
    expect(await balance()).toBe(before + 50_000);
  });
});
