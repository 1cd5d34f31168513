import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandCallParticipants, commandCalls, fieldPositions, studios, submissions } from '../../db/schema.js';
import { probeMedia } from '../media/probe.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { insertAssignment, insertOffer } from './testing/fixtures.js';
import { janusInstalled, startTestJanus, type TestJanus } from './testing/janus.js';
import { janusSessionScript, launchMediaBrowser, openInPage, sessionPage, waitForFrames } from './testing/browser.js';
import { listTakes } from './recordings.service.js';

// Real Janus, started here. CI installs Debian's janus; a machine without it skips, saying why.
if (!janusInstalled) console.warn('SKIPPED: /usr/bin/janus is not installed (apt-get install janus janus-tools); the Janus tests need it.');

type Who = { cookie: string; user: { id: string } };
let janus: TestJanus;
let ctx: TestContext;
let origin: string;
let director: Who;
let guest: Who;
let watcher: Who;
let otherDesk: Who;
let stranger: Who;
let campaignId: string;
let assignmentId: string;

/** A call as part live makes one: the row, its participants and its Janus room. */
async function janusCall(opts: { status?: 'active' | 'ended' } = {}) {
  const { services } = ctx.runtime;
  const { db } = services.database;
  const [call] = await db
    .insert(commandCalls)
    .values({
      assignmentId,
      startedBy: director.user.id,
      direction: 'desk_to_field',
      calleeId: guest.user.id,
      media: 'janus',
      status: opts.status ?? 'active',
      answeredAt: new Date(),
    })
    .returning();
  const { room } = await services.callRooms!.openRoom({ callId: call!.id, record: true });
  await db.update(commandCalls).set({ janusRoom: room }).where(eq(commandCalls.id, call!.id));
  await db.insert(commandCallParticipants).values([
    { callId: call!.id, userId: director.user.id, role: 'director' },
    { callId: call!.id, userId: guest.user.id, role: 'guest' },
  ]);
  return { id: call!.id, room };
}

describe.skipIf(!janusInstalled)('calls through Janus', () => {
  beforeAll(async () => {
    janus = await startTestJanus();
    ctx = await createTestContext({ env: { JANUS_URL: janus.url, JANUS_RECORDINGS_DIR: janus.recordingsDir } });
    const { services } = ctx.runtime;
    const { db } = services.database;
    campaignId = (await propagationFixtures(services).campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2028-01-01T00:00:00+08:00' })).id;
    const [studioA, studioB] = await db
      .insert(studios)
      .values([{ name: '时政工作室' }, { name: '民生工作室' }])
      .returning();
    director = await staff(ctx, ['chief_editor']);
    watcher = await staff(ctx, ['editor']);
    otherDesk = await staff(ctx, ['editor']);
    guest = await signUp(ctx.app, { name: '林勇刚' });
    stranger = await signUp(ctx.app);
    const { studioMembers } = await import('../../db/schema.js');
    await db.insert(studioMembers).values([
      { studioId: studioA!.id, userId: watcher.user.id },
      { studioId: studioB!.id, userId: otherDesk.user.id },
    ]);
    const assignment = await insertAssignment(db, { createdBy: director.user.id, campaignId, studioId: studioA!.id, title: '滦平县驻村第一书记' });
    assignmentId = assignment.id;
    await insertOffer(db, { assignmentId, userId: guest.user.id });
    origin = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  }, 90_000);
  afterAll(async () => {
    await ctx?.close();
    await janus?.close();
  });

  it('opens and closes rooms, and says unhealthy within a second while Janus is down, healthy again after it restarts', async () => {
    const rooms = ctx.runtime.services.callRooms!;
    expect(await rooms.healthy()).toBe(true);
    const callId = crypto.randomUUID();
    const { room } = await rooms.openRoom({ callId, record: true });
    expect(room).toBeGreaterThan(0);
    // Opening again (a retried call start) finds the same room.
    expect(await rooms.openRoom({ callId, record: true })).toEqual({ room });
    await rooms.closeRoom({ callId, room });
    await rooms.closeRoom({ callId, room }); // already gone: fine

    await janus.stop();
    const t0 = Date.now();
    expect(await rooms.healthy()).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(rooms.openRoom({ callId: crypto.randomUUID(), record: true })).rejects.toThrow();
    await janus.start();
    let healthy = false;
    for (let i = 0; i < 20 && !healthy; i++) {
      healthy = await rooms.healthy();
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    expect(healthy).toBe(true);
  });

  it('lets only the call’s people negotiate: strangers and other studios 404, a watcher may not publish, an ended call 409', async () => {
    const call = await janusCall();
    const url = `/api/command/calls/${call.id}/janus`;
    const offer = { sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
    const as = (who: Who, method: 'GET' | 'POST', path: string, payload?: unknown) =>
      ctx.app.inject({ method, url: `${url}${path}`, headers: { cookie: who.cookie }, ...(payload ? { payload } : {}) });
    expect((await ctx.app.inject({ method: 'GET', url: `${url}/feeds` })).statusCode).toBe(401);
    expect((await as(stranger, 'GET', '/feeds')).json().error.code).toBe('command.janus.call_not_found');
    expect((await as(stranger, 'POST', '/publish', offer)).statusCode).toBe(404);
    expect((await as(otherDesk, 'GET', '/feeds')).statusCode).toBe(404);
    // A desk person of the assignment's studio watches: feeds yes, publishing no.
    expect((await as(watcher, 'GET', '/feeds')).statusCode).toBe(200);
    const pub = await as(watcher, 'POST', '/publish', offer);
    expect(pub.statusCode).toBe(403);
    expect(pub.json().error.code).toBe('command.janus.watcher_cannot_publish');
    // Only the director sets a bitrate cap.
    expect((await as(guest, 'POST', '/bitrate', { userId: director.user.id, maxBitrateKbps: 300 })).json().error.code).toBe('command.janus.director_only');
    expect((await as(director, 'POST', '/bitrate', { userId: guest.user.id, maxBitrateKbps: 300 })).json().error.code).toBe('command.janus.not_publishing');
    // Broadcast: the director only; the watch page 404s while it is off.
    expect((await as(watcher, 'POST', '/../broadcast', { on: true })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/command/broadcasts/${call.id}` })).statusCode).toBe(404);
    expect((await as(director, 'POST', '/../broadcast', { on: true })).json().error.code).toBe('command.broadcast.no_feed');

    const { db } = ctx.runtime.services.database;
    await db.update(commandCalls).set({ status: 'ended' }).where(eq(commandCalls.id, call.id));
    expect((await as(guest, 'GET', '/feeds')).json().error.code).toBe('command.janus.call_not_live');
    await ctx.runtime.services.callRooms!.closeRoom({ callId: call.id, room: call.room });
  });

  describe('with two browsers', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchMediaBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('carries video both ways, and the recording becomes the guest’s submission on the assignment (idempotently)', async () => {
      const { services } = ctx.runtime;
      const { db } = services.database;
      const call = await janusCall();
      await db.insert(fieldPositions).values({ assignmentId, userId: guest.user.id, lat: 40.95, lng: 117.34, recordedAt: new Date() });
      const script = await janusSessionScript();
      const desk = await sessionPage(browser, { origin, cookie: director.cookie, script });
      const phone = await sessionPage(browser, { origin, cookie: guest.cookie, script });
      await openInPage(desk.page, { callId: call.id, selfId: director.user.id, role: 'director' });
      await openInPage(phone.page, { callId: call.id, selfId: guest.user.id, role: 'guest' });
      expect(await waitForFrames(desk.page)).toBeGreaterThanOrEqual(10);
      expect(await waitForFrames(phone.page)).toBeGreaterThanOrEqual(10);
      // The director caps the guest's bitrate through Janus.
      const cap = await ctx.app.inject({
        method: 'POST',
        url: `/api/command/calls/${call.id}/janus/bitrate`,
        headers: { cookie: director.cookie },
        payload: { userId: guest.user.id, maxBitrateKbps: 256 },
      });
      expect(cap.statusCode).toBe(204);

      // Broadcast: Janus forwards the guest's feed to ffmpeg, whose live HLS the public can fetch.
      const on = await ctx.app.inject({
        method: 'POST',
        url: `/api/command/calls/${call.id}/broadcast`,
        headers: { cookie: director.cookie },
        payload: { on: true },
      });
      expect(on.statusCode).toBe(200);
      expect(on.json()).toMatchObject({ on: true, userId: guest.user.id, watchPath: `/live/${call.id}` });
      let playlist: string | null = null;
      for (let i = 0; i < 60 && !playlist; i++) {
        playlist = (await ctx.app.inject({ method: 'GET', url: `/api/command/broadcasts/${call.id}` })).json().playlist;
        if (!playlist) await new Promise((r) => setTimeout(r, 250));
      }
      expect(playlist).toBe(`/api/command/broadcasts/${call.id}/hls/index.m3u8`);
      const m3u8 = await ctx.app.inject({ method: 'GET', url: playlist! });
      expect(m3u8.headers['content-type']).toContain('mpegurl');
      const segment = /^(seg\d{5}\.ts)$/m.exec(m3u8.body)![1];
      const ts = await ctx.app.inject({ method: 'GET', url: `/api/command/broadcasts/${call.id}/hls/${segment}` });
      expect(ts.rawPayload.length).toBeGreaterThan(1000);
      expect((await ctx.app.inject({ method: 'GET', url: `/api/command/broadcasts/${call.id}/hls/..%2F..%2Fetc%2Fpasswd` })).statusCode).toBe(404);
      const beat = (viewerId: string) => ctx.app.inject({ method: 'POST', url: `/api/command/broadcasts/${call.id}/viewers`, payload: { viewerId } });
      await beat('viewer-aaaaaaaa');
      expect((await beat('viewer-bbbbbbbb')).json()).toEqual({ audience: 2 });
      expect((await beat('viewer-aaaaaaaa')).json()).toEqual({ audience: 2 });
      const off = await ctx.app.inject({
        method: 'POST',
        url: `/api/command/calls/${call.id}/broadcast`,
        headers: { cookie: director.cookie },
        payload: { on: false },
      });
      expect(off.json()).toMatchObject({ on: false, audiencePeak: 2 });
      expect((await ctx.app.inject({ method: 'GET', url: `/api/command/broadcasts/${call.id}` })).statusCode).toBe(404);
      await Promise.all([desk.context.close(), phone.context.close()]);

      await services.callRooms!.closeRoom({ callId: call.id, room: call.room });
      await db.update(commandCalls).set({ status: 'ended', endedAt: new Date(), recordingStatus: 'pending' }).where(eq(commandCalls.id, call.id));
      const takes = await listTakes(`${janus.recordingsDir}/${call.id}`);
      expect(takes.map((t) => t.userId).sort()).toEqual([director.user.id, guest.user.id].sort());

      await services.recordings.collect(call.id, { isLastAttempt: false });
      await services.recordings.collect(call.id, { isLastAttempt: false });
      const [after] = await db.select().from(commandCalls).where(eq(commandCalls.id, call.id));
      expect(after!.recordingStatus).toBe('done');
      const rows = await db.select().from(submissions).where(eq(submissions.assignmentId, assignmentId));
      expect(rows).toHaveLength(1);
      const sub = rows[0]!;
      expect(after!.submissionId).toBe(sub.id);
      expect(sub).toMatchObject({ source: 'call', userId: guest.user.id, status: 'processing', location: { lat: 40.95, lng: 117.34 } });
      expect(sub.title).toMatch(/^连线：滦平县驻村第一书记 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
      const file = await services.storage.localCopy(sub.outputs!.original!, `${services.config.dataDir}/work/probe-${sub.id}`);
      const facts = await probeMedia(file, { timeoutMs: 30_000 });
      expect(facts.video).toBeTruthy();
      expect(facts.durationSeconds).toBeGreaterThan(1);

      // The media pipeline takes it from here, as for an upload: the desk queue gets it in review.
      await services.processing.process(sub.id, { isLastAttempt: true });
      const [processed] = await db.select().from(submissions).where(eq(submissions.id, sub.id));
      expect([processed!.status, processed!.rejectionCode, JSON.stringify(processed!.rejectionParams)]).toEqual(['in_review', null, 'null']);
    }, 180_000);

    it('marks a call without a guest recording failed, with the reason', async () => {
      const { services } = ctx.runtime;
      const call = await janusCall();
      await services.callRooms!.closeRoom({ callId: call.id, room: call.room });
      await services.recordings.collect(call.id, { isLastAttempt: false });
      const [row] = await services.database.db.select().from(commandCalls).where(eq(commandCalls.id, call.id));
      expect(row!.recordingStatus).toBe('failed');
      expect(await services.janusRepo.recordingError(call.id)).toMatch(/no recording/);
    });
  });
});
