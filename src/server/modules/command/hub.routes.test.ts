import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { HubServerMessage, LiveCall } from '../../../contracts/command.js';
import { studioMembers, studios } from '../../db/schema.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import type { CallRoomBackend } from './call.backend.js';
import { createCallsRepository } from './calls.repository.js';
import { createCallsService } from './calls.service.js';
import { createRedisBus } from './hub.bus.js';
import { insertAssignment, insertOffer } from './testing/fixtures.js';

// The hub over real HTTP and real sockets (the `ws` client, as a phone's browser would speak),
// on PGlite, or on PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set.
let ctx: TestContext;
let base: string;
let wsBase: string;
type Who = { cookie: string; user: { id: string } };
let desk: Who;
let otherEditor: Who;
let field: Who;
let field2: Who;
let outsider: Who;
let campaignId: string;
let studioA: string;
let assignmentId: string;

interface Client {
  ws: WebSocket;
  got: HubServerMessage[];
  send(msg: object): void;
  next<T extends HubServerMessage['type']>(
    type: T,
    where?: (m: Extract<HubServerMessage, { type: T }>) => boolean,
    ms?: number,
  ): Promise<Extract<HubServerMessage, { type: T }>>;
  close(): Promise<void>;
}

async function connect(who: Who | null, headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(`${wsBase}/api/command/ws`, { headers: { ...(who ? { cookie: who.cookie } : {}), ...headers } });
  const got: HubServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    got.push(JSON.parse(data.toString()) as HubServerMessage);
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const c: Client = {
    ws,
    got,
    send: (msg) => ws.send(JSON.stringify(msg)),
    next(type, where = () => true, ms = 5000) {
      let seen = 0;
      return new Promise((resolve, reject) => {
        const check = () => {
          for (; seen < got.length; seen++) {
            const m = got[seen]!;
            if (m.type === type && where(m as never)) {
              waiters.delete(check);
              clearTimeout(timer);
              got.splice(seen, 1);
              resolve(m as never);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} within ${ms} ms; got ${JSON.stringify(got)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  await c.next('hello');
  return c;
}

/** The HTTP status a refused upgrade answers with. */
function refusedWith(who: Who | null, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase}/api/command/ws`, { headers: { ...(who ? { cookie: who.cookie } : {}), ...headers } });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgraded')));
    ws.on('error', () => {});
  });
}

async function http(who: Who, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { cookie: who.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ctx = await createTestContext();
  const { services } = ctx.runtime;
  const { db } = services.database;
  campaignId = (await propagationFixtures(services).campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2028-01-01T00:00:00+08:00' })).id;
  desk = await staff(ctx, ['editor']);
  otherEditor = await staff(ctx, ['editor']);
  field = await signUp(ctx.app);
  field2 = await signUp(ctx.app);
  outsider = await signUp(ctx.app);
  const made = await db
    .insert(studios)
    .values([{ name: '时政' }, { name: '民生' }])
    .returning();
  studioA = made[0]!.id;
  await db.insert(studioMembers).values([
    { studioId: studioA, userId: desk.user.id },
    { studioId: made[1]!.id, userId: otherEditor.user.id },
  ]);
  const a = await insertAssignment(db, { createdBy: desk.user.id, campaignId, studioId: studioA });
  assignmentId = a.id;
  await insertOffer(db, { assignmentId, userId: field.user.id });
  await insertOffer(db, { assignmentId, userId: field2.user.id, rank: 2 });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  wsBase = base.replace(/^http/, 'ws');
}, 60_000);
afterAll(() => ctx?.close());

describe('the WebSocket hub', () => {
  it('upgrades only a signed-in request from no browser or this site, and answers a plain GET with 426', async () => {
    expect(await refusedWith(null)).toBe(401);
    expect(await refusedWith(desk, { origin: 'https://evil.example' })).toBe(403);
    const ok = await connect(desk, { origin: base });
    await ok.close();
    expect((await http(desk, 'GET', '/api/command/ws')).status).toBe(426);
  });

  it('keeps the thread in order, stores a resend once, and resumes after an id without loss or repeats', async () => {
    const d = await connect(desk);
    const f = await connect(field);
    d.send({ type: 'subscribe', assignmentId });
    expect((await d.next('subscribed')).side).toBe('desk');
    f.send({ type: 'subscribe', assignmentId });
    expect((await f.next('subscribed')).side).toBe('field');

    for (const n of [1, 2, 3]) f.send({ type: 'chat.send', assignmentId, clientId: `order-${n}`, body: `第${n}条` });
    const acks = [await f.next('chat.ack'), await f.next('chat.ack'), await f.next('chat.ack')];
    expect(acks.map((a) => a.clientId)).toEqual(['order-1', 'order-2', 'order-3']);
    const seen = [await d.next('chat.message'), await d.next('chat.message'), await d.next('chat.message')].map((m) => m.message);
    expect(seen.map((m) => m.body)).toEqual(['第1条', '第2条', '第3条']);
    expect(seen.map((m) => m.id)).toEqual([...seen.map((m) => m.id)].sort((a, b) => a - b));
    expect(seen[0]).toMatchObject({ senderId: field.user.id, senderSide: 'field', assignmentId });

    // The phone lost the ack and sends again: the original comes back, nobody sees a copy.
    f.send({ type: 'chat.send', assignmentId, clientId: 'order-2', body: '第2条' });
    const again = await f.next('chat.ack');
    expect(again).toMatchObject({ duplicate: true, message: { id: seen[1]!.id } });
    await expect(d.next('chat.message', () => true, 300)).rejects.toThrow(/no chat.message/);

    // The desk's socket drops; two messages go out meanwhile; it comes back and resumes.
    const lastId = seen[2]!.id;
    await d.close();
    f.send({ type: 'chat.send', assignmentId, clientId: 'gap-1', body: '断线时1' });
    f.send({ type: 'chat.send', assignmentId, clientId: 'gap-2', body: '断线时2' });
    await f.next('chat.ack', (a) => a.clientId === 'gap-2');
    const d2 = await connect(desk);
    d2.send({ type: 'resume', assignmentId, afterId: lastId });
    const resumed = await d2.next('resumed');
    const replay = d2.got.filter((m) => m.type === 'chat.message').map((m) => (m as { message: { body: string } }).message.body);
    expect(replay).toEqual(['断线时1', '断线时2']);
    expect(resumed.lastId).toBeGreaterThan(lastId);
    // Live messages after the resume still arrive (the socket is subscribed by resuming).
    f.send({ type: 'chat.send', assignmentId, clientId: 'after-1', body: '恢复后' });
    expect((await d2.next('chat.message', (m) => m.message.body === '恢复后')).message.id).toBeGreaterThan(resumed.lastId);

    const page = await http(desk, 'GET', `/api/command/assignments/${assignmentId}/messages?after=${lastId}`);
    expect(page.status).toBe(200);
    expect((page.body.messages as { body: string }[]).map((m) => m.body)).toEqual(['断线时1', '断线时2', '恢复后']);
    await Promise.all([d2.close(), f.close()]);
  });

  it('refuses the thread to an outsider and to another studio’s editor, over the socket and over HTTP', async () => {
    const o = await connect(outsider);
    o.send({ type: 'subscribe', assignmentId });
    expect((await o.next('error')).code).toBe('command.assignment_not_found');
    o.send({ type: 'chat.send', assignmentId, clientId: 'x-1', body: '我也想说' });
    expect(await o.next('error')).toMatchObject({ code: 'command.assignment_not_found', clientId: 'x-1' });
    const e = await connect(otherEditor);
    e.send({ type: 'resume', assignmentId, afterId: 0 });
    expect((await e.next('error')).code).toBe('command.out_of_scope');
    expect(e.got.some((m) => m.type === 'chat.message')).toBe(false);
    expect((await http(otherEditor, 'GET', `/api/command/assignments/${assignmentId}/messages`)).status).toBe(403);
    expect((await http(outsider, 'GET', `/api/command/assignments/${assignmentId}/messages`)).status).toBe(404);
    o.send({ type: 'nonsense' });
    expect((await o.next('error')).code).toBe('command.hub.bad_message');
    await Promise.all([o.close(), e.close()]);
  });

  it('says at once that an offline person cannot be called, rings an online one, and relays signalling only between the call’s people', async () => {
    // Earlier tests' sockets have closed; their presence goes with them (asynchronously on Redis).
    for (let i = 0; i < 50 && (await ctx.runtime.services.commandPresence.online(`user:${field.user.id}`)); i++) await sleep(20);
    const offline = await http(desk, 'POST', `/api/command/assignments/${assignmentId}/calls`, { calleeId: field.user.id });
    expect(offline.status).toBe(409);
    expect(offline.body.error?.code).toBe('command.call.offline');
    // From the field, the desk is "online" only with the thread open.
    expect((await http(field, 'POST', `/api/command/assignments/${assignmentId}/calls`, {})).body.error?.code).toBe('command.call.offline');
    expect((await http(desk, 'POST', `/api/command/assignments/${assignmentId}/calls`, { calleeId: outsider.user.id })).body.error?.code).toBe(
      'command.call.callee_not_working',
    );

    const d = await connect(desk);
    d.send({ type: 'subscribe', assignmentId });
    await d.next('subscribed');
    const f = await connect(field);
    const f2 = await connect(field2);
    const started = await http(desk, 'POST', `/api/command/assignments/${assignmentId}/calls`, { calleeId: field.user.id });
    expect(started.status).toBe(201);
    const call = started.body.call as LiveCall;
    expect(call).toMatchObject({ status: 'ringing', media: 'p2p', fallbackReason: null, direction: 'desk_to_field', assignment: { campaignId } });
    expect((await f.next('call')).call).toMatchObject({ id: call.id, status: 'ringing' });
    expect((await http(desk, 'POST', `/api/command/assignments/${assignmentId}/calls`, { calleeId: field2.user.id })).body.error?.code).toBe(
      'command.call.busy',
    );
    // Not for the other person on the assignment, and only the callee answers.
    expect((await http(field2, 'GET', `/api/command/calls/${call.id}`)).status).toBe(404);
    expect((await http(desk, 'POST', `/api/command/calls/${call.id}/answer`)).body.error?.code).toBe('command.call.not_callee');
    // Before it is answered nobody may signal.
    d.send({ type: 'signal', callId: call.id, to: field.user.id, kind: 'offer', data: { type: 'offer', sdp: 'v=0' } });
    expect((await d.next('error')).code).toBe('command.call.relay_refused');

    const answered = await http(field, 'POST', `/api/command/calls/${call.id}/answer`);
    expect(answered.body.call).toMatchObject({ status: 'active' });
    await d.next('call', (m) => m.call.status === 'active');
    d.send({ type: 'signal', callId: call.id, to: field.user.id, kind: 'offer', data: { type: 'offer', sdp: 'v=0 offer' } });
    expect(await f.next('signal')).toMatchObject({ callId: call.id, from: desk.user.id, kind: 'offer', data: { sdp: 'v=0 offer' } });
    f.send({
      type: 'signal',
      callId: call.id,
      to: desk.user.id,
      kind: 'ice',
      data: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    expect((await d.next('signal')).kind).toBe('ice');
    // The director asks the phone for less; the phone acks; a guest may not direct.
    d.send({ type: 'director', callId: call.id, to: field.user.id, requestId: 'r1', quality: { maxBitrateKbps: 300, scaleDownBy: 2 } });
    expect(await f.next('director')).toMatchObject({ requestId: 'r1', quality: { maxBitrateKbps: 300, scaleDownBy: 2 } });
    f.send({ type: 'director.ack', callId: call.id, requestId: 'r1', quality: { maxBitrateKbps: 300, scaleDownBy: 2 }, ok: true });
    expect(await d.next('director.ack')).toMatchObject({ from: field.user.id, ok: true });
    f.send({ type: 'director', callId: call.id, to: desk.user.id, requestId: 'r2', quality: { audioOnly: true } });
    expect((await f.next('error')).code).toBe('command.call.relay_refused');
    f.send({ type: 'call.degraded', callId: call.id, audioOnly: true, reason: 'bandwidth', stats: { availableKbps: 80 } });
    expect(await d.next('call.degraded')).toMatchObject({ from: field.user.id, audioOnly: true, reason: 'bandwidth' });
    // Someone else on the assignment cannot inject into the call.
    f2.send({ type: 'signal', callId: call.id, to: field.user.id, kind: 'offer', data: { type: 'offer', sdp: 'v=0 evil' } });
    expect((await f2.next('error')).code).toBe('command.call.relay_refused');
    expect((await http(field2, 'POST', `/api/command/calls/${call.id}/hang-up`)).status).toBe(404);

    const ended = await http(field, 'POST', `/api/command/calls/${call.id}/hang-up`);
    expect(ended.body.call).toMatchObject({ status: 'ended', endReason: 'hangup', recordingStatus: 'none' });
    await d.next('call', (m) => m.call.status === 'ended');
    d.send({ type: 'signal', callId: call.id, to: field.user.id, kind: 'answer', data: { type: 'answer', sdp: 'late' } });
    expect((await d.next('error')).code).toBe('command.call.relay_refused');
    await Promise.all([d.close(), f.close(), f2.close()]);
  });

  it('turns a ring nobody answers into a missed call and tells both sides', async () => {
    const d = await connect(desk);
    d.send({ type: 'subscribe', assignmentId });
    await d.next('subscribed');
    const f = await connect(field);
    const started = await http(field, 'POST', `/api/command/assignments/${assignmentId}/calls`, {});
    expect(started.status).toBe(201);
    const call = started.body.call as LiveCall;
    expect(call).toMatchObject({ direction: 'field_to_desk', calleeId: null, status: 'ringing' });
    expect((await d.next('call')).call.id).toBe(call.id);
    const { commandCalls } = ctx.runtime.services;
    expect(await commandCalls.expireRinging(new Date(Date.now() + 5_000))).toBe(0);
    expect(await commandCalls.expireRinging(new Date(Date.now() + commandCalls.ringMs + 1000))).toBe(1);
    expect((await d.next('call', (m) => m.call.id === call.id && m.call.status === 'missed')).call.endReason).toBe('no_answer');
    expect((await f.next('call', (m) => m.call.id === call.id && m.call.status === 'missed')).call.status).toBe('missed');
    expect((await http(desk, 'POST', `/api/command/calls/${call.id}/answer`)).body.error?.code).toBe('command.call.not_ringing');
    await Promise.all([d.close(), f.close()]);
  });

  it('puts a call in a Janus room when the backend is healthy, and peer to peer saying why when it is not', async () => {
    const { services } = ctx.runtime;
    const opened: string[] = [];
    const closed: number[] = [];
    let healthy = true;
    const rooms: CallRoomBackend = {
      healthy: async () => healthy,
      openRoom: async ({ callId }) => {
        opened.push(callId);
        return { room: 4242 };
      },
      closeRoom: async ({ room }) => {
        closed.push(room);
      },
    };
    const calls = createCallsService({
      db: services.database.db,
      repo: createCallsRepository(services.database.db),
      scope: services.commandScope,
      bus: services.commandBus,
      presence: services.commandPresence,
      callRooms: () => rooms,
      janusConfigured: true,
      jobs: services.jobs,
      clock: services.clock,
      logger: services.logger,
    });
    const deskActor = { id: desk.user.id, roles: ['editor' as const] };
    const fieldActor = { id: field.user.id, roles: ['contributor' as const] };
    const f = await connect(field);
    const viaJanus = await calls.start(deskActor, assignmentId, { calleeId: field.user.id });
    expect(viaJanus).toMatchObject({ media: 'janus', fallbackReason: null, recordingStatus: 'recording' });
    expect(opened).toEqual([viaJanus.id]);
    await calls.answer(fieldActor, viaJanus.id);
    const over = await calls.hangUp(deskActor, viaJanus.id);
    expect(over).toMatchObject({ status: 'ended', recordingStatus: 'pending' });
    expect(closed).toEqual([4242]);
    const boss = services.database.sql.schema === 'public' ? 'pgboss' : `${services.database.sql.schema}_pgboss`;
    const jobs = await services.database.sql.query<{ data: { callId: string } }>(`SELECT data FROM ${boss}.job WHERE name = 'command.call-recording'`);
    expect(jobs.rows.map((r) => r.data.callId)).toEqual([viaJanus.id]);

    healthy = false;
    const fallback = await calls.start(deskActor, assignmentId, { calleeId: field.user.id });
    expect(fallback).toMatchObject({ media: 'p2p', fallbackReason: 'janus_down', recordingStatus: 'none' });
    await calls.hangUp(deskActor, fallback.id);
    expect(opened).toHaveLength(1);
    await f.close();
  });

  it('caps a socket’s message rate and size', async () => {
    const c = await connect(outsider);
    for (let i = 0; i < 100; i++) c.send({ type: 'ping', t: i });
    expect((await c.next('error')).code).toBe('command.hub.rate_limited');
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(70 * 1024));
    expect(await closed).toBe(1009);
  });

  it('hands out STUN and coturn REST credentials without the secret', async () => {
    const res = await http(desk, 'GET', '/api/command/ice');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ iceServers: [], expiresAt: null });
  });

  it.skipIf(!process.env.REDIS_URL)('delivers events another process publishes over Redis', async () => {
    const other = new Redis(process.env.REDIS_URL!);
    const bus = createRedisBus(other, `paike:${ctx.config.DATABASE_SCHEMA}:command:hub`, () => {});
    const f = await connect(field);
    await sleep(100);
    await bus.publish({ target: { userIds: [field.user.id] }, event: { type: 'pong', t: 42 } });
    expect((await f.next('pong')).t).toBe(42);
    await f.close();
    await bus.close();
    other.disconnect();
  });
});
