/**
 * Call set-up through Janus (issue 15, part janus): from the guest's offer to the first video
 * frame painted on the desk's page, with the media going browser → Janus VideoRoom → browser and
 * every negotiation step through Paike's /api/command/calls/:id/janus routes; beside, in the
 * same run and the same Chromium, the bare baseline: two RTCPeerConnections in one page on
 * loopback (offer → first frame, no server at all).
 *   npx tsx bench/command-janus.bench.ts [--rounds 5]
 *
 * A private Janus (modules/command/testing/janus.ts) and one in-process Paike on PGlite; each
 * round is a new call (its own room) with a desk page already publishing, then the guest joins.
 * "First frame" is requestVideoFrameCallback on a <video> of the remote stream; both pages share
 * one browser, so one clock.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { commandCallParticipants, commandCalls } from '../src/server/db/schema.js';
import { insertAssignment, insertOffer } from '../src/server/modules/command/testing/fixtures.js';
import { janusInstalled, startTestJanus } from '../src/server/modules/command/testing/janus.js';
import { janusSessionScript, launchMediaBrowser, openInPage, sessionPage } from '../src/server/modules/command/testing/browser.js';
import { propagationFixtures } from '../src/server/modules/propagation/charts.fixtures.js';
import { createTestContext, signUp, staff } from '../src/server/testing/harness.js';
import { loadNow, median, table } from './lib.js';
import { bareLoopback, firstFrameAt, watchFirstFrame } from './lib-webrtc.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(flags.rounds);

async function main() {
  if (!janusInstalled) throw new Error('/usr/bin/janus is not installed (apt-get install janus)');
  const janus = await startTestJanus();
  const ctx = await createTestContext({ env: { JANUS_URL: janus.url, JANUS_RECORDINGS_DIR: janus.recordingsDir } });
  const browser = await launchMediaBrowser();
  try {
    const { services } = ctx.runtime;
    const { db } = services.database;
    const origin = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const campaignId = (await propagationFixtures(services).campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2028-01-01T00:00:00+08:00' })).id;
    const director = await staff(ctx, ['chief_editor']);
    const guest = await signUp(ctx.app);
    const a = await insertAssignment(db, { createdBy: director.user.id, campaignId });
    await insertOffer(db, { assignmentId: a.id, userId: guest.user.id });
    const script = await janusSessionScript();
    const janusMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const [call] = await db
        .insert(commandCalls)
        .values({ assignmentId: a.id, startedBy: director.user.id, direction: 'desk_to_field', calleeId: guest.user.id, media: 'janus', status: 'active' })
        .returning();
      const callId = call!.id;
      const { room } = await services.callRooms!.openRoom({ callId, record: false });
      await db.update(commandCalls).set({ janusRoom: room }).where(eq(commandCalls.id, callId));
      await db.insert(commandCallParticipants).values([
        { callId, userId: director.user.id, role: 'director' },
        { callId, userId: guest.user.id, role: 'guest' },
      ]);
      const desk = await sessionPage(browser, { origin, cookie: director.cookie, script });
      const phone = await sessionPage(browser, { origin, cookie: guest.cookie, script });
      await openInPage(desk.page, { callId, selfId: director.user.id, role: 'director' });
      await watchFirstFrame(desk.page);
      const t0 = await phone.page.evaluate(() => Date.now());
      await openInPage(phone.page, { callId, selfId: guest.user.id, role: 'guest' });
      const ms = (await firstFrameAt(desk.page)) - t0;
      const bare = await bareLoopback(phone.page);
      // Round 0 warms up Chromium, Janus and the routes; it is not counted.
      if (i > 0) {
        janusMs.push(ms);
        bareMs.push(bare);
      }
      await Promise.all([desk.context.close(), phone.context.close()]);
      await services.callRooms!.closeRoom({ callId, room });
    }
    console.log(`load: ${loadNow()}; ${rounds} rounds after a warm-up`);
    console.log(
      table(
        ['set-up (offer → first frame)', 'median ms', 'min ms', 'max ms'],
        [
          ['through Janus (Paike routes)', String(median(janusMs)), String(Math.min(...janusMs)), String(Math.max(...janusMs))],
          ['bare loopback p2p', String(median(bareMs)), String(Math.min(...bareMs)), String(Math.max(...bareMs))],
        ],
      ),
    );
    console.log(`ratio Janus/bare (medians): ${(median(janusMs) / median(bareMs)).toFixed(2)}×`);
  } finally {
    await browser.close();
    await ctx.close();
    await janus.close();
  }
}

await main();
