/**
 * Red-packet rain bench: grabs/s and p99 latency of `POST /api/rain/sessions/:id/grab` through
 * HTTP with 1,000 concurrent keep-alive clients on loopback, beside two ceilings measured in the
 * same run by the same load generator (bench/lib.ts `httpLoad`, raw keep-alive sockets):
 *   - hello: a bare Fastify hello-world answering the same request bytes (the HTTP limit);
 *   - lua: the bare grab Lua script (rain.redis.ts) with the arguments ours sends, by one bare
 *     ioredis client (auto-pipelining, as ours), 1,000 calls in flight (the engine's limit);
 * and the PostgreSQL path (a server without REDIS_URL). Variants (--variants, comma-separated):
 *   hello, floor (a 404 on our Redis server: its plugins, no database), redis (as the rain page
 *   grabs: token, device id, no cookie; served by the grab's fast path), redis-paused (the same
 *   with the worker stopped, SIGSTOP, for the burst and resumed after it: what the web tier does
 *   when the writes to PostgreSQL do not share its two cores), redis-cookie (cookie and token,
 *   as other clients may: the Fastify route), lua, postgres; and me (GET /api/me: the cookie's
 *   session lookup alone), not run by default.
 *   npx tsx bench/rain.bench.ts [--clients 1000] [--users 30000] [--seconds 8] [--rounds 3]
 *                               [--database-url postgres://…] [--redis-url redis://…]
 *                               [--variants hello,floor,redis,redis-paused,redis-cookie,lua,postgres]
 *                               [--server-node-options='--cpu-prof --cpu-prof-dir=DIR']
 *
 * Our servers are real `paike serve` children (production config, pool 10; the per-IP grab rate
 * and the IP-cluster hold raised by config so nothing is refused or held, which keeps the
 * limiters' cost in the path and every win on the paying path), one with Redis and one without,
 * on a fresh PostgreSQL schema, and a `paike worker` child, which writes the Redis path's wins
 * and attempts from the Redis stream to PostgreSQL (and, once the round's session ends, pays). Fixtures go in by SQL: `--users` contributors (30 days old),
 * campaign members, a login session each (a random token stored hashed, as the accounts module
 * stores it). Each round opens a fresh rain session with one packet per contributor, split and
 * loaded ahead as the rain.tick job does, and signs a rain token per contributor; every request
 * of a round is a distinct contributor's first grab, so each one wins (non-200s are counted and
 * shown), each with its own device id. Each client connection has its own 127.x.y.z source
 * address. A round lasts --seconds or until its contributors run out; after it, the bench waits
 * until PostgreSQL holds every answered win (on Redis the worker writes behind the answer) and
 * reports how long that took. Variants alternate round by round after one uncounted warm-up
 * each; medians are printed. The schema (and its pg-boss schema), the Redis keys and the temp
 * dir are removed at the end; the children are killed even on error.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../src/server/config.js';
import { openDatabase } from '../src/server/db/client.js';
import { openRuntime, type Runtime } from '../src/server/runtime.js';
import { GRAB_SCRIPT } from '../src/server/modules/rain/rain.redis.js';
import { createRainRepository } from '../src/server/modules/rain/rain.repository.js';
import { createRainTokens } from '../src/server/modules/rain/rain.token.js';
import { closedLoop, cpuMsOf, httpLoad, loadNow, median, percentile, spawnTracked, table, type LoadResult, type Tracked } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    users: { type: 'string', default: '30000' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    variants: { type: 'string', default: 'hello,floor,redis,redis-paused,redis-cookie,lua,postgres' },
    'server-node-options': { type: 'string', default: '' },
  },
});
const CLIENTS = Number(flags.clients);
const USERS = Number(flags.users);
const DURATION_MS = Number(flags.seconds) * 1000;
const ROUNDS = Math.max(1, Number(flags.rounds));
const VARIANTS = flags.variants.split(',').filter(Boolean) as Variant[];
const DATABASE_URL = flags['database-url'];
/** Node options for every server child, the hello-world one included (profiles compare like with like). */
const serverNodeFlags = flags['server-node-options'].split(' ').filter(Boolean);
const REDIS_URL = flags['redis-url'];
const ALL_VARIANTS = ['hello', 'redis', 'redis-paused', 'redis-cookie', 'lua', 'postgres', 'me', 'floor'] as const;
type Variant = (typeof ALL_VARIANTS)[number];
for (const v of VARIANTS) if (!ALL_VARIANTS.includes(v)) throw new Error(`unknown variant ${v}; known: ${ALL_VARIANTS.join(', ')}`);

const repoDir = resolve(import.meta.dirname, '..');
const schema = `bench_rain_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-rain-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const secrets = { RAIN_TOKEN_SECRET: randomBytes(32).toString('hex'), PAYOUT_DETAILS_KEY: randomBytes(32).toString('hex') };
const serverEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dataDir,
  DATABASE_URL,
  DATABASE_SCHEMA: schema,
  LOG_LEVEL: 'warn',
  PAIKE_SEED: 'none',
  ...secrets,
  // Raised so nothing is refused; the limiters still run on every request, as in production.
  RAIN_GRAB_RATE_PER_IP: '1000000',
  // Every client address wins many times per session here; holding those wins would skip the
  // payment job and measure a cheaper path than a real win.
  RAIN_MAX_WINS_PER_IP: '1000000',
};
const localAddress = (c: number) => `127.1.${(c >> 8) & 255}.${c & 255}`;
const HELLO_SERVER = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.post('/api/rain/sessions/:id/grab', async () => ({ hello: 'world' }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log('hello listening on ' + new URL(address).port);
// A clean exit on SIGTERM, so --cpu-prof writes its profile.
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

interface Fixtures {
  campaignId: string;
  users: { id: string; createdAt: Date; cookieToken: string }[];
}

/** Contributors, their membership and a login session each, by SQL (no password hashing). */
async function createFixtures(runtime: Runtime): Promise<Fixtures> {
  const { sql } = runtime.services.database;
  const { rows: camp } = await sql.query<{ id: string }>(
    `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
     VALUES ('rain-bench', '{"zh-CN":"b","en":"b"}', '{"zh-CN":"b","en":"b"}', '[]', now() - interval '1 day', now() + interval '30 days', 1000, '{}') RETURNING id`,
  );
  const campaignId = camp[0]!.id;
  const users: Fixtures['users'] = [];
  for (let i = 0; i < USERS; i += 5000) {
    const n = Math.min(5000, USERS - i);
    const ids = Array.from({ length: n }, () => randomUUID());
    const tokens = ids.map(() => randomBytes(32).toString('base64url'));
    const hashes = tokens.map((t) => createHash('sha256').update(t).digest('hex'));
    const createdAt = new Date(Date.now() - 30 * 86_400_000);
    await sql.query(
      `INSERT INTO users (id, email, name, created_at) SELECT id, 'rain-bench-' || id || '@example.test', 'Bench', $2 FROM unnest($1::uuid[]) id`,
      [ids, createdAt],
    );
    await sql.query(`INSERT INTO campaign_members (campaign_id, user_id) SELECT $1, id FROM unnest($2::uuid[]) id`, [campaignId, ids]);
    await sql.query(
      `INSERT INTO sessions (token_hash, user_id, expires_at) SELECT h, id, now() + interval '1 day' FROM unnest($1::text[], $2::uuid[]) AS x(h, id)`,
      [hashes, ids],
    );
    ids.forEach((id, j) => users.push({ id, createdAt, cookieToken: tokens[j]! }));
  }
  return { campaignId, users };
}

async function startServer(name: string, env: Record<string, string>): Promise<{ port: number; proc: Tracked }> {
  const proc = spawnTracked(process.execPath, [...serverNodeFlags, 'bin/paike.mjs', 'serve'], {
    cwd: repoDir,
    env,
    ready: /Paike is running at (\S+)/,
    readyTimeoutMs: 120_000,
  });
  const url = await proc.ready.catch((e: unknown) => {
    throw new Error(`${name} server did not start: ${e instanceof Error ? e.message : String(e)}`);
  });
  return { port: Number(new URL(url.trim()).port), proc };
}

function main(): Promise<void> {
  return (async () => {
    const config = loadConfig({ ...serverEnv, REDIS_URL, LOG_LEVEL: 'silent', PORT: '3000' });
    const database = await openDatabase(config);
    const runtime = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send', database });
    const rainRepo = createRainRepository(runtime.services.database.db);
    const tokens = createRainTokens(secrets.RAIN_TOKEN_SECRET);
    // Auto-pipelining, as ours has (runtime.ts).
    const lua = new Redis(REDIS_URL, { enableAutoPipelining: true });
    const servers: Tracked[] = [];
    try {
      const pgVersion = (await runtime.services.database.sql.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
      const redisVersion = /redis_version:(\S+)/.exec(await lua.info('server'))?.[1];
      const t0 = performance.now();
      const fx = await createFixtures(runtime);
      console.log(`fixtures: ${USERS} contributors with sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s (schema ${schema})`);

      const hello = spawnTracked(process.execPath, [...serverNodeFlags, '--input-type=module', '-e', HELLO_SERVER], {
        cwd: repoDir,
        ready: /hello listening on (\d+)/,
      });
      servers.push(hello);
      const helloPort = Number(await hello.ready);
      const withRedis = VARIANTS.some((v) => ['redis', 'redis-paused', 'redis-cookie', 'me', 'floor'].includes(v))
        ? await startServer('redis', { ...serverEnv, REDIS_URL })
        : undefined;
      if (withRedis) servers.push(withRedis.proc);
      // On Redis the web process answers from the script alone; a worker writes the wins to
      // PostgreSQL from the stream (and pays them), as in production. It shares the machine.
      let worker: Tracked | undefined;
      if (withRedis) {
        worker = spawnTracked(process.execPath, ['bin/paike.mjs', 'worker'], {
          cwd: repoDir,
          env: { ...serverEnv, REDIS_URL },
          ready: /(Paike worker is running)/,
          readyTimeoutMs: 120_000,
        });
        servers.push(worker);
        await worker.ready;
      }
      const withPg = VARIANTS.includes('postgres') ? await startServer('postgres', serverEnv) : undefined;
      if (withPg) servers.push(withPg.proc);

      let sessionSeq = 0;
      /** A fresh open session with one packet per contributor, split (and loaded) ahead. */
      async function openSession(redis: boolean, packets: number): Promise<string> {
        const startsAt = new Date(Date.now() - 1000 - ++sessionSeq);
        const [s] = await rainRepo.createSessions([
          {
            campaignId: fx.campaignId,
            startsAt,
            endsAt: new Date(startsAt.getTime() + 3600_000),
            budgetFen: packets * 100,
            packetCount: packets,
            eligibility: { requireSubmission: false, maxGrabsPerContributor: 1 },
            createdBy: null,
          },
        ]);
        await runtime.services.rain.ensureSplit(s!.id);
        if (redis) await runtime.services.rain.loadRedis(s!);
        return s!.id;
      }

      /**
       * What the rain page sends: the token (which names the contributor), a device id of its own
       * and a fingerprint, no cookie. With `cookie`, what other clients send: cookie and token.
       */
      function grabRequests(sessionId: string, port: number, count: number, cookie: boolean): Buffer[] {
        const exp = new Date(Date.now() + 7200_000);
        return fx.users.slice(0, count).map((u, i) => {
          const auth = cookie
            ? `Cookie: paike_session=${u.cookieToken}\r\n`
            : `x-rain-device: bench-device-${i}\r\nx-rain-fingerprint: ${(i % 4096).toString(16).padStart(16, '0')}\r\n`;
          return Buffer.from(
            `POST /api/rain/sessions/${sessionId}/grab HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: paike-rain-bench\r\n${auth}` +
              `x-rain-token: ${tokens.issue(sessionId, u, exp)}\r\nContent-Length: 0\r\n\r\n`,
          );
        });
      }

      async function grabRound(port: number, redis: boolean, count: number, cookie: boolean, pauseWorker = false): Promise<LoadResult & { sessionId: string }> {
        const sessionId = await openSession(redis, count);
        const reqs = grabRequests(sessionId, port, count, cookie);
        // Paused, the worker takes no CPU during the burst and writes it all afterwards.
        if (pauseWorker) process.kill(worker!.pid, 'SIGSTOP');
        try {
          const r = await httpLoad({ port, connections: CLIENTS, durationMs: DURATION_MS, request: (i) => reqs[i], localAddress });
          return { ...r, sessionId };
        } finally {
          if (pauseWorker) process.kill(worker!.pid, 'SIGCONT');
        }
      }

      let luaSeq = 0;
      const luaSha = (await lua.script('LOAD', GRAB_SCRIPT)) as string;
      async function luaRound(): Promise<LoadResult> {
        // As many packets as the script could pop in the whole run, so every call wins.
        const packets = 600_000;
        const base = `bench:${schema}:rain:{lua-${++luaSeq}}`;
        for (let i = 0; i < packets; i += 10_000) {
          await lua.rpush(`${base}:packets`, ...Array.from({ length: Math.min(10_000, packets - i) }, (_, j) => `${i + j}:100`));
        }
        await lua.set(`${base}:loaded`, '1', 'EX', 3600);
        let n = 0;
        const now = String(Date.now());
        // The arguments ours sends (rain.redis.ts `grab`): the same limits, holds and log fields.
        const args = (w: number, i: number) =>
          [`user-${i}`, localAddress(w), now, `bench-device-${i}`, 1_000_000, 5, 10_000, '0', 1_000_000, 2, 0, 'paike-rain-bench', '0000000000000000'].join(
            '\n',
          ) + '\n';
        const r = await closedLoop({
          workers: CLIENTS,
          durationMs: DURATION_MS,
          next: () => (n < packets ? n++ : undefined),
          one: async (w, i) => {
            const out = (await lua.evalsha(luaSha, 1, base, args(w, i))) as [number];
            return out[0] === 1 ? '200' : `lua ${out[0]}`;
          },
        });
        await lua.del(...['packets', 'winners', 'loaded', 'ipwins', 'devwins', 'events'].map((k) => `${base}:${k}`));
        return r;
      }

      /** Diagnostic: the Redis server's cheapest signed-in route, i.e. what any request there costs before rain code runs. */
      async function meRound(): Promise<LoadResult> {
        const reqs = fx.users.map((u) =>
          Buffer.from(
            `GET /api/me HTTP/1.1\r\nHost: 127.0.0.1:${withRedis!.port}\r\nUser-Agent: paike-rain-bench\r\nCookie: paike_session=${u.cookieToken}\r\n\r\n`,
          ),
        );
        return httpLoad({ port: withRedis!.port, connections: CLIENTS, durationMs: DURATION_MS, request: (i) => reqs[i % reqs.length], localAddress });
      }

      /** Diagnostic: an unknown /api path without a cookie on the Redis server: its plugins and error handler, no database. */
      async function floorRound(): Promise<LoadResult> {
        const req = Buffer.from(`GET /api/rain/none HTTP/1.1\r\nHost: 127.0.0.1:${withRedis!.port}\r\nUser-Agent: paike-rain-bench\r\n\r\n`);
        return httpLoad({ port: withRedis!.port, connections: CLIENTS, durationMs: DURATION_MS, request: () => req, localAddress, okStatus: 404 });
      }

      async function helloRound(): Promise<LoadResult> {
        const req = Buffer.from(
          `POST /api/rain/sessions/${randomUUID()}/grab HTTP/1.1\r\nHost: 127.0.0.1:${helloPort}\r\nUser-Agent: paike-rain-bench\r\n` +
            `x-rain-device: bench-device-0\r\nx-rain-fingerprint: 0000000000000000\r\n` +
            `x-rain-token: ${tokens.issue(randomUUID(), fx.users[0]!, new Date(Date.now() + 3600_000))}\r\nContent-Length: 0\r\n\r\n`,
        );
        return httpLoad({ port: helloPort, connections: CLIENTS, durationMs: DURATION_MS, request: () => req, localAddress });
      }

      const variants: Record<Variant, { label: string; pid?: number; run: (count: number) => Promise<LoadResult & { sessionId?: string }> }> = {
        hello: { label: 'bare Fastify hello-world (HTTP limit)', pid: hello.pid, run: helloRound },
        redis: {
          label: 'ours, Redis path, as the rain page grabs (token, device, no cookie)',
          pid: withRedis?.proc.pid,
          run: (n) => grabRound(withRedis!.port, true, n, false),
        },
        'redis-paused': {
          label: 'ours, Redis path, the worker paused during the burst (it writes PostgreSQL after)',
          pid: withRedis?.proc.pid,
          run: (n) => grabRound(withRedis!.port, true, n, false, true),
        },
        'redis-cookie': {
          label: 'ours, Redis path, with the session cookie (other clients)',
          pid: withRedis?.proc.pid,
          run: (n) => grabRound(withRedis!.port, true, n, true),
        },
        lua: { label: 'bare grab Lua script, one ioredis client (engine limit)', run: luaRound },
        postgres: {
          label: 'ours, PostgreSQL path (no REDIS_URL), as the page grabs',
          pid: withPg?.proc.pid,
          run: (n) => grabRound(withPg!.port, false, n, false),
        },
        me: { label: '(diagnostic) GET /api/me on the Redis server: cookie session lookup', pid: withRedis?.proc.pid, run: meRound },
        floor: { label: '(diagnostic) a 404 on the Redis server: its plugins, no database', pid: withRedis?.proc.pid, run: floorRound },
      };
      async function measure(v: Variant, count: number): Promise<Result> {
        const { pid, run } = variants[v];
        const cpu0 = pid ? await cpuMsOf(pid) : 0;
        const self0 = process.cpuUsage();
        const r = await run(count);
        const self = process.cpuUsage(self0);
        const answeredAt = performance.now();
        // The Redis path answers before PostgreSQL has the win: wait until it has every one.
        let recorded: number | undefined;
        let drainMs: number | undefined;
        const won = r.outcomes.get('200') ?? 0;
        if (r.sessionId) {
          for (;;) {
            recorded = (await rainRepo.listGrabs(r.sessionId)).length;
            if (recorded >= won || performance.now() - answeredAt > 120_000) break;
            await new Promise((res) => setTimeout(res, 50));
          }
          drainMs = performance.now() - answeredAt;
        }
        const serverCpuMs = pid ? (await cpuMsOf(pid)) - cpu0 : 0;
        return { ...r, serverCpuMs, loadgenCpuMs: (self.user + self.system) / 1000, recorded, drainMs };
      }

      console.log(
        `rain bench: ${CLIENTS} clients, ≤ ${DURATION_MS / 1000} s or ${USERS} grabs per round, ${ROUNDS} rounds of ${VARIANTS.join(', ')}; ` +
          `Node ${process.version}, PostgreSQL ${pgVersion}, Redis ${redisVersion}, load ${loadNow()}`,
      );
      // Warm-up: JIT, connection pools, prepared plans; not counted.
      for (const v of VARIANTS) await measure(v, Math.min(USERS, 5000));
      const results: Record<string, Result[]> = {};
      for (let round = 1; round <= ROUNDS; round++) {
        for (const v of VARIANTS) {
          const r = await measure(v, USERS);
          (results[v] ??= []).push(r);
          const bad = [...r.outcomes].filter(([k]) => k !== (v === 'floor' ? '404' : '200'));
          console.log(
            `  round ${round} ${v.padEnd(12)} ${r.requests.toString().padStart(7)} in ${(r.ms / 1000).toFixed(2)} s = ${r.perSecond.toFixed(0).padStart(6)}/s, ` +
              `p50 ${percentile(r.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(r.latenciesMs, 0.99).toFixed(1)} ms` +
              (r.recorded !== undefined ? `, ${r.recorded} wins in PostgreSQL ${(r.drainMs! / 1000).toFixed(2)} s after the last answer` : '') +
              (bad.length ? `, NOT WON: ${bad.map(([k, n]) => `${k}×${n}`).join(' ')} ${r.samples.join(' | ')}` : '') +
              `, load ${loadNow()}`,
          );
          if (r.recorded !== undefined && r.recorded !== (r.outcomes.get('200') ?? 0)) {
            console.error(`  !! ${r.outcomes.get('200') ?? 0} wins answered but ${r.recorded} recorded in PostgreSQL`);
            process.exitCode = 1;
          }
        }
      }

      const med = (v: Variant, f: (r: Result) => number) => median((results[v] ?? []).map(f));
      const rate = (v: Variant) => med(v, (r) => r.perSecond);
      const ratio = (v: Variant, base: Variant) => (results[v] && results[base] ? (rate(v) / rate(base)).toFixed(2) : '–');
      const rows = VARIANTS.map((v) => [
        variants[v].label,
        rate(v).toFixed(0),
        med(v, (r) => percentile(r.latenciesMs, 0.5)).toFixed(1),
        med(v, (r) => percentile(r.latenciesMs, 0.99)).toFixed(1),
        v === 'lua' ? '–' : med(v, (r) => r.serverCpuMs / r.requests).toFixed(3),
        results[v]?.[0]?.drainMs === undefined ? '–' : med(v, (r) => r.drainMs! / 1000).toFixed(2),
        results[v]?.[0]?.drainMs === undefined ? '–' : med(v, (r) => (r.outcomes.get('200') ?? 0) / ((r.ms + r.drainMs!) / 1000)).toFixed(0),
        med(v, (r) => r.loadgenCpuMs / r.requests).toFixed(3),
        ratio(v, 'hello'),
        ratio(v, 'lua'),
      ]);
      console.log(`\nmedians of ${ROUNDS} rounds, load ${loadNow()}`);
      console.log(
        table(
          [
            'variant',
            'req/s',
            'p50 ms',
            'p99 ms',
            'server CPU ms/req',
            'all in PostgreSQL after (s)',
            'wins/s until all in PostgreSQL',
            'load-gen CPU ms/req',
            'ratio to hello-world',
            'ratio to bare Lua',
          ],
          rows,
        ),
      );
      if (results.redis && results.hello) {
        console.log(`\nRedis path / hello-world = ${(rate('redis') / rate('hello')).toFixed(2)} (aim ≥ 0.6)`);
      }
    } finally {
      for (const s of servers.reverse()) await s.stop().catch(() => {});
      await runtime.close().catch((e: unknown) => console.error('runtime close failed', e));
      const { sql } = database;
      await sql
        .exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`)
        .catch((e: unknown) => console.error('drop schema failed', e));
      await sql.close().catch(() => {});
      // Rain keys, rate-limit windows and the bare script's keys of this run.
      for (const pattern of [`paike:${schema}:*`, `bench:${schema}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await lua.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          if (keys.length) await lua.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
      lua.disconnect();
    }
  })();
}

type Result = LoadResult & { serverCpuMs: number; loadgenCpuMs: number; recorded?: number; drainMs?: number };

await main();
