import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../seed.js';
import { createTestContext, fixedClock, GOOD_PASSWORD, processedSubmission, sessionCookie, signUp, staff, uniqueEmail, type TestContext } from './harness.js';
import { insertForm } from '../modules/kitchen/testing/fixtures.js';
import { insertAssignment, insertOffer } from '../modules/command/testing/fixtures.js';
import { commandCallParticipants, commandCalls } from '../db/schema.js';
import { openApiRoutes, type OpenApiDocument, type OpenApiRoute as RouteInfo } from './openapi.js';
import { MATRIX_ACTORS, fillPath, outcomeOf, readMatrix, sampleValue, writeMatrix, type MatrixActor, type Outcome } from './route-matrix.js';

// The authorization matrix: every route in the OpenAPI document, called over real HTTP as
// anonymous, two contributors (B acting on A's objects), an editor of another studio, finance
// and an admin, with a request that passes the route's schema and real object ids, so the
// answer is the route's authorization and not its validation. The outcomes are compared with
// route-matrix.expected.json (one line per route). A route without a row fails the test.
// After a deliberate change, `UPDATE_ROUTE_MATRIX=1 npx vitest run --project server
// src/server/testing/route-matrix.test.ts` rewrites the file; review its diff like code.

const MATRIX_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'route-matrix.expected.json');
// Wednesday 2026-11-26 12:00 in Beijing, inside the demo campaign.
const clock = fixedClock('2026-11-26T04:00:00Z');
const FUTURE_DAY = '2026-11-28';
const UNKNOWN = '00000000-0000-4000-8000-00000000abcd';

let ctx: TestContext;
let base: string;
let work: string;
let emailA: string;
const cookies = {} as Record<MatrixActor, string | null>;
const ids = {} as {
  campaign: string;
  contributorA: string;
  submission: string;
  studio: string;
  publication: string;
  payout: string;
  batch: string;
  kiosk: string;
  /** Issue 16: a screen group, and a schedule layer on the screen (the group is deleted before the layer's turn). */
  kioskGroup: string;
  kioskLayer: string;
  rain: string;
  live: string;
  session: string;
  upload: string;
  notice: string;
  hold: string;
  wechatIdentity: string;
  /** Issue 13: whose sign-in the matrix resets (not contributor A, whose cookie later calls need). */
  victim: string;
  /** Issue 14, part stories: a food-studio story (the other editor is out of its scope) and its image. */
  story: string;
  storyImage: string;
  /** Issue 14, part print: the default newspaper. */
  newspaper: string;
  /** Issue 15, part map: a food-studio assignment contributor A works (accepted offer, location shared). */
  mapAssignment: string;
  /** Issue 15, part assign: an assignment of the other editor's studio, offered to contributor A; another for the field's routes (the desk's actions end the first). */
  assignment: string;
  task: string;
  /** Issue 15, part janus: an active Janus call on a food-studio assignment; the chief directs, contributor A is the guest. */
  call: string;
  /** Issue 15, part live: a food-studio assignment contributor A works, and a call on it ringing A. */
  liveAssignment: string;
  liveCall: string;
  /** Issue 16, lending: a title contributor A has borrowed, and A's hold on a title contributor B has out. */
  lendingTitle: string;
  lendingLoan: string;
  lendingHold: string;
  /** Issue 16, the e-paper: a rendered edition (ready, not yet published) and its first page. */
  epaperEdition: string;
  epaperPage: string;
  /** Issue 16, study: a published collection; an item and a question of another (the collection is deleted before their turn). */
  studyCollection: string;
  studyItem: string;
  studyQuestion: string;
};

const s = () => ctx.runtime.services;

async function api(cookie: string, method: string, url: string, payload?: unknown) {
  const res = await ctx.app.inject({ method: method as 'POST', url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const tusMetadata = (meta: Record<string, string>) =>
  Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');

beforeAll(async () => {
  // No packaging hold: the live video goes out on adoption.
  ctx = await createTestContext({
    clock,
    env: {
      PUBLISH_HOLD_MINUTES: '0',
      // WeChat sign-in configured (start only builds WeChat's address; nothing here reaches WeChat).
      WECHAT_LOGIN_APP_ID: 'wxmatrixopen',
      WECHAT_LOGIN_APP_SECRET: 'matrix-open-secret',
      WECHAT_MP_APP_ID: 'wxmatrixmp',
      WECHAT_MP_APP_SECRET: 'matrix-mp-secret',
    },
  });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  work = mkdtempSync(path.join(tmpdir(), 'paike-matrix-'));
  const admin = await staff(ctx, ['admin']);
  const chief = await staff(ctx, ['chief_editor']);
  const foodEditor = await staff(ctx, ['editor']);
  const otherEditor = await staff(ctx, ['editor']);
  const finance = await staff(ctx, ['finance']);
  ids.campaign = (await api(admin.cookie, 'POST', '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'matrix' })).campaign.id;
  const campaignId = ids.campaign;
  await api(admin.cookie, 'POST', `/api/finance/campaigns/${campaignId}/budget`, { amountFen: 100_000_000, idempotencyKey: 'matrix-budget' }).catch(
    () => undefined,
  );
  const a = await signUp(ctx.app, { campaignId });
  const b = await signUp(ctx.app, { campaignId });
  Object.assign(cookies, {
    anonymous: null,
    contributorA: a.cookie,
    contributorB: b.cookie,
    otherEditor: otherEditor.cookie,
    finance: finance.cookie,
    admin: admin.cookie,
  });
  ids.contributorA = a.user.id;
  ids.victim = (await signUp(ctx.app, { name: 'Reset victim' })).user.id;
  emailA = a.user.email;

  // A's video is the food studio's; the other editor works for travel.
  await api(chief.cookie, 'POST', '/api/desk/studios', { name: '美食', memberIds: [foodEditor.user.id], routes: [{ campaignId, theme: 'food' }] });
  ids.studio = (
    await api(chief.cookie, 'POST', '/api/desk/studios', { name: '旅行', memberIds: [otherEditor.user.id], routes: [{ campaignId, theme: 'travel' }] })
  ).studio.id;
  const row = await processedSubmission(ctx, { userId: a.user.id, campaignId, at: clock.now() });
  ids.submission = row.id;
  // A second video of A's, live on Paike's own site: the public pages have something to show.
  const live = await processedSubmission(ctx, { userId: a.user.id, campaignId, at: clock.now(), title: '早市' });
  ids.live = live.id;
  await s().submissionsRepo.update(live.id, { outputs: { original: `submissions/${live.id}/original`, master: `submissions/${live.id}/hls/master.m3u8` } });
  const jpeg = path.join(work, 'frame.jpg');
  writeFileSync(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]));
  const prefix = `submissions/${row.id}`;
  await s().storage.putFile(`${prefix}/poster.jpg`, jpeg);
  for (let i = 0; i < 6; i++) await s().storage.putFile(`${prefix}/covers/${i}.jpg`, jpeg);
  await s().submissionsRepo.update(row.id, {
    outputs: { original: `${prefix}/original`, poster: `${prefix}/poster.jpg`, master: `${prefix}/hls/master.m3u8` },
  });
  await api(chief.cookie, 'POST', `/api/desk/submissions/${row.id}/adopt`, { grade: 'C' });
  await s().publishing.dispatch(row.id);
  const channels = (await api(chief.cookie, 'GET', `/api/desk/submissions/${row.id}/publications`)).channels as {
    channel: string;
    publication: { id: string } | null;
  }[];
  ids.publication = channels.find((c) => c.channel === 'app')!.publication!.id;
  await api(chief.cookie, 'POST', `/api/desk/submissions/${live.id}/adopt`, { grade: 'C' });
  await s().publishing.dispatch(live.id);
  const liveChannels = (await api(chief.cookie, 'GET', `/api/desk/submissions/${live.id}/publications`)).channels as typeof channels;
  await s().publishing.publish(liveChannels.find((c) => c.channel === 'app')!.publication!.id);

  // A's WeChat (the 公众号's openid): the WeChat Pay payee, and an identity to unlink.
  ids.wechatIdentity = (
    await s().database.sql.query<{ id: string }>(
      `INSERT INTO identities (user_id, provider, app_id, app_kind, openid) VALUES ($1, 'wechat', 'wxmatrixmp', 'mp', 'oMatrixContributorA000000000') RETURNING id`,
      [a.user.id],
    )
  ).rows[0]!.id;
  ids.payout = (await api(a.cookie, 'POST', '/api/me/payouts', { requestId: randomUUID(), amountFen: 10_000, method: 'wechat', realName: '张三' })).payout.id;
  const second = await api(a.cookie, 'POST', '/api/me/payouts', {
    requestId: randomUUID(),
    amountFen: 10_000,
    method: 'wechat',
    realName: '张三',
  });
  ids.batch = (await api(finance.cookie, 'POST', '/api/finance/payout-batches', { channel: 'wechat', payoutIds: [second.payout.id] })).batch.id;
  ids.kiosk = (await api(admin.cookie, 'POST', '/api/admin/kiosk-screens', { name: '大堂' })).screen.id;
  ids.kioskGroup = (await api(admin.cookie, 'POST', '/api/admin/kiosk-groups', { name: '矩阵分组' })).id;
  ids.kioskLayer = (
    await api(admin.cookie, 'POST', '/api/admin/kiosk-layers', { screenId: ids.kiosk, kind: 'default', name: '轮播', content: { sources: ['adopted'] } })
  ).id;
  ids.rain = (
    await api(admin.cookie, 'POST', `/api/admin/campaigns/${campaignId}/rain/sessions`, {
      startsAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
      budgetFen: 100_000,
      packetCount: 10,
    })
  ).session.id;

  // A second session of A's to revoke, and an upload of A's to resume.
  const again = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: a.user.email, password: GOOD_PASSWORD } });
  const sessions = (await api(a.cookie, 'GET', '/api/me/sessions')).sessions as { id: string; current: boolean }[];
  ids.session = sessions.find((x) => !x.current)!.id;
  expect(sessionCookie(again)).toBeTruthy();
  const created = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    headers: {
      cookie: a.cookie,
      'tus-resumable': '1.0.0',
      'upload-length': '1000',
      'upload-metadata': tusMetadata({ campaignId, theme: 'food', title: '回家的路', filename: 'home.mp4', consent: 'true' }),
    },
  });
  expect(created.status).toBe(201);
  ids.upload = created.headers.get('location')!.split('/').pop()!;
  // A grand-prize nomination held for forged-looking views on A's food-studio video (it pays nothing when released).
  ids.hold = (
    await s().propagationHolds.hold(
      {
        kind: 'grand_prize',
        ledgerKey: `grand_prize:${row.id}`,
        campaignId,
        submissionId: row.id,
        userId: a.user.id,
        amountFen: null,
        refs: {},
        reason: { test: 'route matrix' },
      },
      ctx.runtime.services.database.db,
    )
  ).id;
  const notices = (await api(a.cookie, 'GET', '/api/me/notices')).notices as { id: string }[];
  ids.notice = notices[0]?.id ?? UNKNOWN;
  // Issue 14, part stories: a story of the food studio with one image (its files are the poster's).
  const foodStudio = (await api(chief.cookie, 'GET', '/api/desk/studios')).studios.find((x: { name: string }) => x.name === '美食').id as string;
  ids.story = (await api(chief.cookie, 'POST', '/api/kitchen/stories', { headline: '矩阵稿件', studioId: foodStudio })).story.id;
  const poster = `submissions/${row.id}/poster.jpg`;
  ids.storyImage = (
    await s().database.sql.query<{ id: string }>(
      `INSERT INTO story_images (story_id, print_key, web_key, thumb_key, width, height, bytes, uploaded_by) VALUES ($1, $2, $2, $2, 1, 1, 1, $3) RETURNING id`,
      [ids.story, poster, chief.user.id],
    )
  ).rows[0]!.id;
  // Part forms: the story has a web form in edit.
  await insertForm(s().database.db, { storyId: ids.story, form: 'web', content: { headline: '矩阵', standfirst: '', bodyHtml: '' } });
  // Issue 14, part print: the default newspaper.
  ids.newspaper = (await api(chief.cookie, 'GET', '/api/kitchen/newspapers')).newspapers[0].id;
  // Issue 15, part map: the food studio's assignment (out of the other editor's scope), worked by A, who shares their location.
  {
    const { insertAssignment, insertOffer } = await import('../modules/command/testing/fixtures.js');
    const food = await s().database.sql.query<{ id: string }>(`SELECT id FROM studios WHERE name = '美食'`);
    const assignment = await insertAssignment(s().database.db, { createdBy: chief.user.id, campaignId, studioId: food.rows[0]!.id });
    await insertOffer(s().database.db, { assignmentId: assignment.id, userId: ids.contributorA });
    await api(a.cookie, 'PUT', `/api/command/assignments/${assignment.id}/location-share`, {});
    ids.mapAssignment = assignment.id;
  }
  // Issue 15, part assign: an assignment of the travel studio (the other editor's), offered to contributor A.
  const assignment = await insertAssignment(s().database.db, { createdBy: chief.user.id, campaignId, studioId: ids.studio, status: 'assigned' });
  await insertOffer(s().database.db, { assignmentId: assignment.id, userId: a.user.id, status: 'offered' });
  ids.assignment = assignment.id;
  const task = await insertAssignment(s().database.db, { createdBy: chief.user.id, campaignId, studioId: ids.studio, status: 'assigned' });
  await insertOffer(s().database.db, { assignmentId: task.id, userId: a.user.id, status: 'offered' });
  ids.task = task.id;
  // Issue 15, part janus: a Janus call (no Janus runs here: authorised requests end in 409 command.janus.not_janus).
  const callAssignment = await insertAssignment(s().database.db, { createdBy: chief.user.id, campaignId: ids.campaign, studioId: foodStudio });
  const [call] = await s()
    .database.db.insert(commandCalls)
    .values({
      assignmentId: callAssignment.id,
      startedBy: chief.user.id,
      direction: 'desk_to_field',
      calleeId: ids.contributorA,
      media: 'janus',
      status: 'active',
    })
    .returning();
  ids.call = call!.id;
  await s()
    .database.db.insert(commandCallParticipants)
    .values([
      { callId: ids.call, userId: chief.user.id, role: 'director' },
      { callId: ids.call, userId: ids.contributorA, role: 'guest' },
    ]);
  // Issue 15, part live: a food-studio assignment that A works (the other editor is out of its scope), with a call ringing A.
  {
    const { db } = s().database;
    const assignment = await insertAssignment(db, { createdBy: chief.user.id, campaignId, studioId: foodStudio });
    await insertOffer(db, { assignmentId: assignment.id, userId: a.user.id });
    ids.liveAssignment = assignment.id;
    const [call] = await db
      .insert(commandCalls)
      .values({ assignmentId: assignment.id, startedBy: foodEditor.user.id, direction: 'desk_to_field', calleeId: a.user.id, media: 'p2p' })
      .returning();
    await db.insert(commandCallParticipants).values([
      { callId: call!.id, userId: foodEditor.user.id, role: 'director' },
      { callId: call!.id, userId: a.user.id, role: 'guest' },
    ]);
    ids.liveCall = call!.id;
  }
  // Issue 16, lending: a two-copy title A has borrowed, and a one-copy title B has out that A waits for.
  {
    const { buildEpub } = await import('../modules/lending/testing/fixtures.js');
    const upload = async (title: string, copies: number) => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/admin/lending/titles?copies=${copies}`,
        headers: { cookie: admin.cookie, 'content-type': 'application/epub+zip' },
        payload: Buffer.from(buildEpub({ title })),
      });
      if (res.statusCode !== 201) throw new Error(`setup lending upload: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string }>().id;
    };
    ids.lendingTitle = await upload('矩阵之书', 2);
    ids.lendingLoan = (await api(a.cookie, 'POST', `/api/lending/titles/${ids.lendingTitle}/borrow`)).loan.id;
    const held = await upload('矩阵期刊', 1);
    await api(b.cookie, 'POST', `/api/lending/titles/${held}/borrow`);
    ids.lendingHold = (await api(a.cookie, 'POST', `/api/lending/titles/${held}/borrow`)).hold.id;
  }
  // Issue 16, the e-paper: an edition uploaded and rendered, not yet published.
  {
    const { buildNewspaperPdf } = await import('../modules/epaper/testing/fixtures.js');
    const { jobRegistry } = await import('../jobs/registry.js');
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/admin/epaper/editions?date=${clock.now().toISOString().slice(0, 10)}&title=${encodeURIComponent('矩阵日报')}`,
      headers: { cookie: admin.cookie, 'content-type': 'application/pdf' },
      payload: Buffer.from(buildNewspaperPdf()),
    });
    if (res.statusCode !== 202) throw new Error(`setup epaper upload: ${res.statusCode} ${res.body}`);
    ids.epaperEdition = res.json<{ id: string }>().id;
    await jobRegistry['epaper.render'].handle({ editionId: ids.epaperEdition }, s(), { jobId: 'matrix', attempt: 1, isLastAttempt: true });
    ids.epaperPage = (await api(admin.cookie, 'GET', `/api/admin/epaper/editions/${ids.epaperEdition}`)).pages[0].id;
  }
  // Issue 16, study.
  {
    const { studyCollection } = await import('../modules/study/testing/fixtures.js');
    ids.studyCollection = (await studyCollection(ctx, admin, { title: '矩阵学习' })).id;
    const other = await studyCollection(ctx, admin, { title: '矩阵学习二', questions: [{ prompt: '?', options: ['是', '否'], correct: [0] }] });
    ids.studyItem = other.items[0]!.id;
    ids.studyQuestion = other.questions[0]!.id;
  }
}, 180_000);

afterAll(async () => {
  await ctx?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Real object ids for each path parameter; a route with a parameter not known here fails the test. */
function pathValues(route: RouteInfo): Record<string, string> {
  const p = route.path;
  const one = (name: string): string => {
    if (name === '*') return `submissions/${ids.submission}/poster.jpg`;
    if (name === 'day') return FUTURE_DAY;
    if (name === 'channel') return p.startsWith('/api/admin/channels') ? 'weibo' : 'app';
    if (name === 'campaignId') return ids.campaign;
    if (name === 'form') return 'web';
    if (name === 'submissionId') return ids.submission;
    if (name === 'idOrSlug') return ids.campaign;
    // A contributor: adding them to a studio is refused (409, not staff), removing is a no-op.
    if (name === 'userId') return ids.contributorA;
    if (name === 'form') return 'web';
    if (name === 'id' && p.endsWith('/reset-sign-in')) return ids.victim;
    if (name === 'imageId') return ids.storyImage;
    if (name === 'size') return 'web';
    if (name === 'version') return '1';
    // Issue 15, part map: a map tile. No MAP_TILE_URL here, so the desk, past authorization, gets 404 `command.location.tiles_not_configured`.
    if (name === 'z' || name === 'x' || name === 'y') return '0';
    // Issue 15, part janus: a Janus feed id and an HLS file name.
    if (name === 'feed') return '1';
    if (name === 'file') return 'index.m3u8';
    // Issue 16, lending: a file token nobody signed (every actor meets 403).
    if (name === 'token') return 'not-a-lending-token';
    // Issue 16, study: a sign-in nonce no kiosk showed.
    if (name === 'nonce') return 'matrix-nonce-000000000000';
    if (name !== 'id') throw new Error(`route-matrix.test.ts: no fixture for {${name}} in ${route.key}`);
    // Issue 15, part map: the location routes act on the assignment contributor A works and shares from.
    if (/^\/api\/command\/assignments\/[^/]+\/location/.test(p)) return ids.mapAssignment;
    // Issue 15, part live: chat and calls on the assignment A works, and the p2p call ringing A;
    // the Janus and broadcast routes keep part janus's call (prefix table below).
    if (/^\/api\/command\/assignments\/[^/]+\/(calls|messages)/.test(p)) return ids.liveAssignment;
    if (/^\/api\/command\/calls\/[^/]+(\/(answer|decline|hang-up))?$/.test(p)) return ids.liveCall;
    const byPrefix: [string, string][] = [
      ['/api/me/sessions/', ids.session],
      ['/api/me/notices/', ids.notice],
      ['/api/me/submissions/', ids.submission],
      ['/api/admin/users/', ids.contributorA],
      ['/api/admin/campaigns/', ids.campaign],
      ['/api/finance/campaigns/', ids.campaign],
      ['/api/campaigns/', ids.campaign],
      ['/api/uploads/', ids.upload],
      ['/api/submissions/', ids.submission],
      ['/api/desk/submissions/', ids.submission],
      ['/api/videos/', ids.live],
      ['/api/dashboards/videos/', ids.submission],
      ['/api/desk/studios/', ids.studio],
      ['/api/desk/propagation-holds/', ids.hold],
      ['/api/dashboards/studios/', ids.studio],
      ['/api/desk/publications/', ids.publication],
      ['/api/finance/payouts/', ids.payout],
      ['/api/finance/payout-batches/', ids.batch],
      ['/api/admin/kiosk-screens/', ids.kiosk],
      // Issue 16: kiosk groups and layers; a screen's own routes take its key, which no actor has.
      ['/api/admin/kiosk-groups/', ids.kioskGroup],
      ['/api/admin/kiosk-layers/', ids.kioskLayer],
      ['/api/kiosk/pairings/', UNKNOWN],
      ['/api/kiosk/commands/', UNKNOWN],
      ['/api/rain/sessions/', ids.rain],
      ['/api/admin/rain/sessions/', ids.rain],
      // No win exists in this run: every actor meets the same unknown id.
      ['/api/admin/rain/grabs/', UNKNOWN],
      ['/api/contributors/', ids.contributorA],
      ['/api/dashboards/contributors/', ids.contributorA],
      ['/api/me/wechat/', ids.wechatIdentity],
      ['/api/kitchen/stories/', ids.story],
      ['/api/kitchen/studios/', ids.studio],
      ['/api/site/stories/', ids.story],
      ['/api/kitchen/ideas/', UNKNOWN],
      ['/api/kitchen/newspapers/', ids.newspaper],
      // Issue 15, part assign.
      ['/api/command/assignments/', ids.assignment],
      ['/api/command/tasks/', ids.task],
      // Issue 15, part janus.
      ['/api/command/calls/', ids.call],
      ['/api/command/broadcasts/', ids.call],
      // Issue 15, part live.
      // Issue 16, lending.
      ['/api/admin/lending/titles/', ids.lendingTitle],
      ['/api/lending/titles/', ids.lendingTitle],
      ['/api/lending/loans/', ids.lendingLoan],
      ['/api/lending/holds/', ids.lendingHold],
      // Issue 16, the e-paper.
      ['/api/admin/epaper/editions/', ids.epaperEdition],
      ['/api/admin/epaper/pages/', ids.epaperPage],
      ['/api/epaper/editions/', ids.epaperEdition],
      ['/api/epaper/pages/', ids.epaperPage],
      // Issue 16, study; a study session's own routes take its token, which no actor has.
      ['/api/admin/study/collections/', ids.studyCollection],
      ['/api/admin/study/items/', ids.studyItem],
      ['/api/admin/study/questions/', ids.studyQuestion],
      ['/api/study/collections/', ids.studyCollection],
      ['/api/study/session/', UNKNOWN],
      ['/api/kiosk/study/sign-ins/', UNKNOWN],
    ];
    const hit = byPrefix.find(([prefix]) => p.startsWith(prefix));
    if (!hit) throw new Error(`route-matrix.test.ts: no fixture for {id} in ${route.key}`);
    return hit[1];
  };
  return Object.fromEntries(route.pathParams.map(({ name }) => [name, one(name)]));
}

/** Values by property name where a merely well-formed one would not reach the route's rules. */
function namedValues(): Record<string, unknown> {
  return {
    campaignId: ids.campaign,
    submissionId: ids.submission,
    payoutIds: [ids.payout],
    grade: 'C',
    expectedGrade: 'C',
    email: uniqueEmail('matrix'),
    password: GOOD_PASSWORD,
    phone: '+8613800138000',
    code: '123456',
    name: '矩阵',
    headline: '成都的早晨',
    realName: '张三',
    account: 'wx_zhangsan',
    requestId: randomUUID(),
    startsAt: new Date(clock.now().getTime() + 7_200_000).toISOString(),
    budgetFen: 100_000,
    packetCount: 10,
    amountFen: 10_000,
    roles: ['editor'],
    userId: ids.contributorA,
    'x-rain-token': 'not-a-token',
    // Issue 15, part janus: a broadcast viewer's random id.
    viewerId: 'matrix-viewer-0001',
  };
}

/** Query strings the generic sample would leave short of the route's rules. */
const QUERY_OVERRIDES: Record<string, Record<string, string>> = {
  // With a code the callback reaches the connect; without one it only sends the browser back.
  'GET /api/admin/channels/{channel}/callback': { code: 'matrix-code', state: 'matrix-state' },
};

/** Bodies the generic sample cannot make valid (cross-field rules). */
const BODY_OVERRIDES: Record<string, () => unknown> = {
  'POST /api/admin/users/{id}/reset-sign-in': () => ({ reason: 'route matrix' }),
  'POST /api/admin/campaigns': () => ({ ...demoCampaign(clock.now()), slug: `m-${randomUUID().slice(0, 8)}` }),
  'POST /api/admin/campaigns/{id}/rain/schedule': () => ({
    firstDay: FUTURE_DAY,
    days: 1,
    times: ['20:00'],
    durationSeconds: 60,
    budgetFen: 100_000,
    packetCount: 10,
  }),
  'PATCH /api/desk/studios/{id}': () => ({ name: '旅行' }),
  'POST /api/auth/sign-in/email': () => ({ email: emailA, password: GOOD_PASSWORD }),
  'POST /api/me/edits': () => ({
    campaignId: ids.campaign,
    theme: 'food',
    title: '剪辑',
    consent: true,
    clips: [{ filename: 'a.mp4', sizeBytes: 1000, startSeconds: 0, endSeconds: 5 }],
  }),
  'POST /api/desk/submissions/{id}/edits': () => ({ startSeconds: 1, endSeconds: 61, mode: 'vtt', subtitles: [] }),
  // Issue 15, part assign: opting in needs a point (a cross-field rule).
  'PUT /api/command/field-profile': () => ({ optedIn: true, lat: 40.94, lng: 117.33, travelKm: 30 }),
  // Issue 16: a layer belongs to one group or one screen; a code no screen shows reaches the claim's own 404.
  'POST /api/admin/kiosk-layers': () => ({ groupId: ids.kioskGroup, kind: 'default', name: '矩阵', content: { sources: ['adopted'] } }),
  'POST /api/admin/kiosk-screens/claim': () => ({ code: '222222', name: `矩阵屏 ${randomUUID().slice(0, 6)}` }),
  'POST /api/admin/kiosk-screens/{id}/pair': () => ({ code: '222222' }),
};

async function send(route: RouteInfo, actor: MatrixActor): Promise<{ status: number; code?: string }> {
  const url = new URL(fillPath(route.path, pathValues(route)), base);
  const named = namedValues();
  for (const q of route.query.filter((x) => x.required))
    url.searchParams.set(q.name, String(sampleValue(q.schema, { ...named, from: FUTURE_DAY, to: FUTURE_DAY }, q.name)));
  for (const [k, v] of Object.entries(QUERY_OVERRIDES[route.key] ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  const cookie = cookies[actor];
  if (cookie) headers.cookie = cookie;
  for (const h of route.headers) headers[h.name] = String(sampleValue(h.schema, named, h.name));
  let body: string | Buffer | undefined;
  if (route.path.startsWith('/api/uploads')) {
    headers['tus-resumable'] = '1.0.0';
    if (route.method === 'POST') {
      headers['upload-length'] = '1000';
      headers['upload-metadata'] = tusMetadata({ campaignId: ids.campaign, theme: 'food', title: '矩阵', filename: 'm.mp4', consent: 'true' });
    }
    if (route.method === 'PATCH') {
      headers['upload-offset'] = '0';
      headers['content-type'] = 'application/offset+octet-stream';
      body = Buffer.alloc(10);
    }
  } else if (route.body || BODY_OVERRIDES[route.key]) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(BODY_OVERRIDES[route.key]?.() ?? sampleValue(route.body, named));
  }
  const abort = new AbortController();
  const res = await fetch(url, { method: route.method, headers, body, signal: abort.signal, redirect: 'manual' });
  // Server-sent events never end: the status line is the answer.
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.status };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

describe('authorization matrix', () => {
  it('every route answers each person as route-matrix.expected.json says', { timeout: 240_000 }, async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as OpenApiDocument;
    // Calls that end what later calls stand on (a session, an upload) go last.
    const last = (r: RouteInfo) =>
      r.key === 'POST /api/auth/sign-out' ? 2 : r.key === 'POST /api/me/sessions/sign-out-others' ? 1.5 : r.method === 'DELETE' ? 1 : 0;
    const routes = openApiRoutes(doc).sort((x, y) => last(x) - last(y));
    expect(routes.length).toBeGreaterThan(90);
    const actual = new Map<string, Outcome[]>();
    const problems: string[] = [];
    for (const route of routes) {
      const row: Outcome[] = [];
      for (const actor of MATRIX_ACTORS) {
        const r = await send(route, actor);
        if (r.status >= 500) problems.push(`${route.key} as ${actor}: ${r.status} ${r.code ?? ''}`);
        // The request must reach the route's rules: a schema refusal would hide its authorization.
        if (r.code === 'request.invalid' || r.code === 'request.malformed_json')
          problems.push(`${route.key} as ${actor}: ${r.code} (the test's request is not valid enough)`);
        // A route that needs a session says so before anything else.
        if (actor === 'anonymous' && route.security === 'session' && r.status !== 401 && route.method !== 'OPTIONS')
          problems.push(`${route.key}: anonymous got ${r.status}, not 401`);
        row.push(outcomeOf(r.status));
      }
      actual.set(route.key, row);
    }
    if (process.env.UPDATE_ROUTE_MATRIX) writeMatrix(MATRIX_FILE, actual);
    expect(problems).toEqual([]);

    const expected = readMatrix(MATRIX_FILE);
    const diff: string[] = [];
    for (const [key, row] of actual) {
      const want = expected.get(key);
      if (!want) diff.push(`${key}: no row in route-matrix.expected.json (got ${row.join(' ')})`);
      else if (want.join(' ') !== row.join(' ')) diff.push(`${key}: expected ${want.join(' ')}, got ${row.join(' ')}`);
    }
    for (const key of expected.keys()) if (!actual.has(key)) diff.push(`${key}: in route-matrix.expected.json but not in the API`);
    expect(diff, `columns: ${MATRIX_ACTORS.join(' ')}`).toEqual([]);
  });
});
