/**
 * Live contact bench (docs/command-live.md; figures in docs/benchmarks.md, "Live contact"):
 *
 *  1. Signalling round trip: a message from the desk to the phone and straight back (two
 *     relays), p50/p99, through Paike's hub (`signal` messages of an active call: validation,
 *     the relay check, the bus) vs a bare `ws` relay server on loopback that forwards frames
 *     between two sockets and does nothing else.
 *  2. Chat through the hub with 1,000 connected sockets on one assignment's thread: senders
 *     in a closed loop (next message after the ack), every message stored and delivered to all
 *     1,000; messages/s and the p99 from send to delivery at each socket.
 *
 *  3. Call set-up peer to peer: from the desk's offer to the first frame of the phone's camera
 *     painted on the desk, two Chromium pages (fake camera) signalling through the hub, beside
 *     the bare baseline of two RTCPeerConnections in one page. Through Janus: command-janus.bench.ts.
 *
 *   npx tsx bench/command.bench.ts [--round-trips 2000] [--sockets 1000] [--senders 10] [--seconds 10] [--setups 5]
 *
 * On PGlite by default, or PostgreSQL + Redis with DATABASE_URL / REDIS_URL (then the hub's
 * events go through Redis pub/sub, as between `paike serve` processes).
 *
 * Each path of part 1 is a `SignallingPath`; another carrier (part janus's, through the media
 * server's own signalling) is one more entry in `paths`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { commandCallParticipants, commandCalls } from '../src/server/db/schema.js';
import { insertAssignment, insertOffer } from '../src/server/modules/command/testing/fixtures.js';
import { propagationFixtures } from '../src/server/modules/propagation/charts.fixtures.js';
import { createTestContext, signUp, staff, type TestContext } from '../src/server/testing/harness.js';
import { launchMediaBrowser, p2pSessionScript, sessionPage } from '../src/server/modules/command/testing/browser.js';
import { loadNow, median, percentile, table } from './lib.js';
import { bareLoopback, firstFrameAt, watchFirstFrame } from './lib-webrtc.js';

const { values: flags } = parseArgs({
  options: {
    'round-trips': { type: 'string', default: '2000' },
    sockets: { type: 'string', default: '1000' },
    senders: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '10' },
    setups: { type: 'string', default: '5' },
  },
});
const ROUND_TRIPS = Number(flags['round-trips']);
const SOCKETS = Number(flags.sockets);
const SENDERS = Number(flags.senders);
const SECONDS = Number(flags.seconds);
const SETUPS = Number(flags.setups);

/** Two connected ends (desk, phone) and how to send one signalling frame from one to the other. */
export interface SignallingPath {
  name: string;
  open(): Promise<{ desk: WebSocket; phone: WebSocket; toPhone(payload: number): string; toDesk(payload: number): string; close(): Promise<void> }>;
}

function opened(ws: WebSocket): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A relay of the same shape with nothing in it: the floor. */
const bareRelay: SignallingPath = {
  name: 'bare ws relay',
  async open() {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const byName = new Map<string, WebSocket>();
    wss.on('connection', (s, req) => {
      const me = new URL(req.url!, 'http://x').searchParams.get('me')!;
      byName.set(me, s);
      s.on('message', (data) => byName.get(me === 'desk' ? 'phone' : 'desk')?.send(data.toString()));
    });
    const port = (wss.address() as { port: number }).port;
    const desk = await opened(new WebSocket(`ws://127.0.0.1:${port}/?me=desk`));
    const phone = await opened(new WebSocket(`ws://127.0.0.1:${port}/?me=phone`));
    const frame = (n: number) =>
      JSON.stringify({
        type: 'signal',
        kind: 'ice',
        data: { candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 9 typ host`, sdpMid: '0', sdpMLineIndex: 0 },
      });
    return {
      desk,
      phone,
      toPhone: frame,
      toDesk: frame,
      async close() {
        desk.close();
        phone.close();
        for (const c of wss.clients) c.terminate();
        await new Promise((r) => wss.close(r));
      },
    };
  },
};

let ctx: TestContext;
let base: string;
let assignmentId: string;
let deskWho: { cookie: string; user: { id: string } };
let fieldWho: { cookie: string; user: { id: string } };

async function hubSocket(cookie: string): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/command/ws`, { headers: { cookie } });
  // The hello can come in the same read as the handshake: listen before the socket opens.
  const hello = new Promise((r) => ws.once('message', r));
  await opened(ws);
  await hello;
  return ws;
}

const paikeHub: SignallingPath = {
  name: 'Paike hub',
  async open() {
    const { db } = ctx.runtime.services.database;
    const [call] = await db
      .insert(commandCalls)
      .values({ assignmentId, startedBy: deskWho.user.id, direction: 'desk_to_field', calleeId: fieldWho.user.id, media: 'p2p', status: 'active' })
      .returning();
    await db.insert(commandCallParticipants).values([
      { callId: call!.id, userId: deskWho.user.id, role: 'director' },
      { callId: call!.id, userId: fieldWho.user.id, role: 'guest' },
    ]);
    const desk = await hubSocket(deskWho.cookie);
    const phone = await hubSocket(fieldWho.cookie);
    const frame = (to: string) => (n: number) =>
      JSON.stringify({
        type: 'signal',
        callId: call!.id,
        to,
        kind: 'ice',
        data: { candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 9 typ host`, sdpMid: '0', sdpMLineIndex: 0 },
      });
    return {
      desk,
      phone,
      toPhone: frame(fieldWho.user.id),
      toDesk: frame(deskWho.user.id),
      async close() {
        desk.close();
        phone.close();
        await db.update(commandCalls).set({ status: 'ended', endedAt: new Date() });
      },
    };
  },
};

export const paths: SignallingPath[] = [bareRelay, paikeHub];

/** Round trips desk → phone → desk, one at a time; the relay is the only thing between them. */
async function roundTrips(path: SignallingPath): Promise<number[]> {
  const p = await path.open();
  // The hub allows 20 messages a second per socket (burst 60): the bench paces itself to it for
  // the hub, since a faster client would measure the refusals instead.
  const pace = path === paikeHub ? 1000 / 19 : 0;
  p.phone.on('message', (d) => {
    const n = (JSON.parse(d.toString()) as { data: { candidate: string } }).data.candidate.split(' ')[0]!.split(':')[1];
    p.phone.send(p.toDesk(Number(n)));
  });
  const times: number[] = [];
  const started = Date.now();
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      p.desk.once('message', () => resolve());
      p.desk.send(p.toPhone(i));
    });
    times.push(performance.now() - t0);
    const wait = started + (i + 1) * pace - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await p.close();
  return times;
}

/**
 * Chat with `SOCKETS` sockets on one thread; `SENDERS` of them write in a closed loop. The
 * sockets live in a child process (command-chat-clients.mjs): in this process their parsing
 * of every delivery would queue behind the hub on one event loop and measure the bench.
 */
async function chatFanOut(): Promise<{ perSecond: number; deliveries: number; p50: number; p99: number }> {
  const cookies: string[] = [];
  const { db } = ctx.runtime.services.database;
  // 50 people with 20 sockets each: a thousand phones' worth of sockets without a thousand sign-ups.
  for (let i = 0; i < 50; i++) {
    const who = await signUp(ctx.app);
    await insertOffer(db, { assignmentId, userId: who.user.id, rank: i + 2 });
    cookies.push(who.cookie);
  }
  const child = fork(fileURLToPath(new URL('./command-chat-clients.mjs', import.meta.url)), { stdio: 'inherit' });
  const result = new Promise<{ perSecond: number; deliveries: number; p50: number; p99: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { perSecond: number; deliveries: number; p50: number; p99: number }));
    child.once('exit', (code) => reject(new Error(`chat clients exited with ${code}`)));
  });
  child.send({ base, cookies, assignmentId, sockets: SOCKETS, senders: SENDERS, seconds: SECONDS });
  return result;
}

/**
 * One call per round (a new call row, new pages): the phone's session waits for the offer; the
 * clock starts when the desk opens its session (which makes the offer) and stops at the first
 * painted frame of the phone's camera on the desk. Round 0 warms up and is not counted.
 */
async function p2pSetups(): Promise<{ paike: number[]; bare: number[] }> {
  const { db } = ctx.runtime.services.database;
  const script = await p2pSessionScript();
  const browser = await launchMediaBrowser();
  const paike: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i <= SETUPS; i++) {
      const [call] = await db
        .insert(commandCalls)
        .values({ assignmentId, startedBy: deskWho.user.id, direction: 'desk_to_field', calleeId: fieldWho.user.id, media: 'p2p', status: 'active' })
        .returning();
      const callId = call!.id;
      await db.insert(commandCallParticipants).values([
        { callId, userId: deskWho.user.id, role: 'director' },
        { callId, userId: fieldWho.user.id, role: 'guest' },
      ]);
      const desk = await sessionPage(browser, { origin: base, cookie: deskWho.cookie, script });
      const phone = await sessionPage(browser, { origin: base, cookie: fieldWho.cookie, script });
      const open = (page: typeof desk.page, o: { selfId: string; peerId: string; role: 'director' | 'guest'; makeOffer: boolean; name: string }) =>
        page.evaluate(
          async ({ o, callId }) => {
            // Runs in the page; the server's tsconfig has no DOM types, hence the shapes spelled out.
            const w = globalThis as unknown as Record<string, unknown> & {
              PaikeP2p: { HubClient: new () => { state: string; onState(cb: (s: string) => void): () => void }; openP2pSession(x: unknown): Promise<unknown> };
              navigator: { mediaDevices: { getUserMedia(c: unknown): Promise<unknown> } };
            };
            const hub = new w.PaikeP2p.HubClient();
            if (hub.state !== 'open') await new Promise<void>((r) => hub.onState((s) => s === 'open' && r()));
            const local = await w.navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
            const started = Date.now();
            w[o.name] = await w.PaikeP2p.openP2pSession({
              hub,
              callId,
              selfId: o.selfId,
              peerId: o.peerId,
              role: o.role,
              makeOffer: o.makeOffer,
              local,
              iceServers: [],
            });
            return started;
          },
          { o, callId },
        );
      await phone.page.evaluate('globalThis.__name ??= (f) => f');
      await desk.page.evaluate('globalThis.__name ??= (f) => f');
      await open(phone.page, { selfId: fieldWho.user.id, peerId: deskWho.user.id, role: 'guest', makeOffer: false, name: '__p2p' });
      const t0 = await open(desk.page, { selfId: deskWho.user.id, peerId: fieldWho.user.id, role: 'director', makeOffer: true, name: '__p2p' });
      // openP2pSession returns once its offer is sent, well before ICE and DTLS bring the first
      // remote track; a <video> attached now paints that track's first frame.
      await watchFirstFrame(desk.page, '__p2p');
      const ms = (await firstFrameAt(desk.page)) - t0;
      const floor = await bareLoopback(phone.page);
      if (i > 0) {
        paike.push(ms);
        bare.push(floor);
      }
      await Promise.all([desk.context.close(), phone.context.close()]);
      await db.update(commandCalls).set({ status: 'ended', endedAt: new Date() });
    }
  } finally {
    await browser.close();
  }
  return { paike, bare };
}

async function main() {
  ctx = await createTestContext({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '100000' } });
  const { services } = ctx.runtime;
  const campaignId = (await propagationFixtures(services).campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2030-01-01T00:00:00+08:00' })).id;
  deskWho = await staff(ctx, ['chief_editor']);
  fieldWho = await signUp(ctx.app);
  assignmentId = (await insertAssignment(services.database.db, { createdBy: deskWho.user.id, campaignId })).id;
  await insertOffer(services.database.db, { assignmentId, userId: fieldWho.user.id });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });

  console.log(`# Live contact bench — ${loadNow()} — ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}${process.env.REDIS_URL ? ' + Redis' : ''}`);
  const rows: string[][] = [];
  let floor = 0;
  for (const path of paths) {
    const t = await roundTrips(path);
    const p50 = percentile(t, 0.5);
    if (path === bareRelay) floor = p50;
    rows.push([path.name, p50.toFixed(3), percentile(t, 0.99).toFixed(3), floor ? `${(p50 / floor).toFixed(2)}×` : '1.00×']);
  }
  console.log(`\nSignalling round trip (desk → phone → desk), ${ROUND_TRIPS} trips, ms`);
  console.log(table(['path', 'p50', 'p99', 'p50 vs bare'], rows));

  const setups = await p2pSetups();
  console.log(`\nCall set-up peer to peer (desk's offer → first frame of the phone's camera painted on the desk), ${SETUPS} calls after a warm-up, ms`);
  console.log(
    table(
      ['path', 'median', 'min', 'max'],
      [
        ['through Paike (hub signalling, two pages)', String(median(setups.paike)), String(Math.min(...setups.paike)), String(Math.max(...setups.paike))],
        ['bare loopback (two RTCPeerConnections, one page)', String(median(setups.bare)), String(Math.min(...setups.bare)), String(Math.max(...setups.bare))],
      ],
    ),
  );
  console.log(`ratio Paike/bare (medians): ${(median(setups.paike) / median(setups.bare)).toFixed(2)}×`);

  const chat = await chatFanOut();
  console.log(`\nChat through the hub, ${SOCKETS} sockets (in a child process) on one thread, ${SENDERS} senders for ${SECONDS} s`);
  console.log(
    table(
      ['messages/s stored', 'deliveries/s', 'p50 delivery ms', 'p99 delivery ms'],
      [[chat.perSecond.toFixed(1), (chat.deliveries / SECONDS).toFixed(0), String(chat.p50), String(chat.p99)]],
    ),
  );
  await ctx.close();
}

await main();
