import { parseArgs } from 'node:util';
import pino from 'pino';
import { ROLES, roleSchema, emailSchema, nameSchema } from '../contracts/accounts.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DatabaseUnavailableError, openDatabase } from './db/client.js';
import { migrate } from './db/migrate.js';
import { AppError } from './lib/errors.js';
import { translate } from './lib/messages.js';
import { DataDirLockedError, lockDataDir } from './lib/data-dir-lock.js';
import { openRuntime, RedisUnavailableError, type Runtime } from './runtime.js';
import { seedDemo } from './seed.js';

const USAGE = `Usage: paike <command>

  start                 everything in one process (embedded database unless DATABASE_URL is set)
  serve                 the HTTP server only (needs DATABASE_URL)
  worker                the job worker only (needs DATABASE_URL)
  migrate               apply database migrations and exit
  admin create-user --email E --password P --role R [--role R2] [--name N]
                        create an account (the first admin is made this way); roles: ${ROLES.join(', ')}
  help                  this text

Configuration is read from the environment; see README.md.`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<void> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await run(loadConfig(), { http: true, jobs: true });
      case 'serve':
        return await run(requireServer(loadConfig(), 'serve'), { http: true, jobs: false });
      case 'worker':
        return await run(requireServer(loadConfig(), 'worker'), { http: false, jobs: true });
      case 'migrate':
        return await runMigrate(loadConfig());
      case 'admin':
        return await runAdmin(loadConfig(), rest);
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (err) {
    process.exitCode = 1;
    if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
    else if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof DatabaseUnavailableError || err instanceof RedisUnavailableError)
      console.error(err.message);
    else if (err instanceof AppError) console.error(translate(err.code, 'en', err.params));
    else console.error(err);
  }
}

function requireServer(config: Config, command: string): Config {
  if (config.database.kind !== 'postgres') {
    throw new UsageError(
      `"paike ${command}" runs one part of Paike in its own process; the parts share a PostgreSQL database, so set DATABASE_URL. ` +
        'To run everything in one process on the embedded database, use "paike start" (npm start).',
    );
  }
  return config;
}

function makeLogger(config: Config) {
  return pino({ level: config.LOG_LEVEL, redact: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.token'] });
}

async function run(config: Config, parts: { http: boolean; jobs: boolean }): Promise<void> {
  const logger = makeLogger(config);
  const runtime: Runtime = await openRuntime({ config, logger, jobs: parts.jobs ? 'work' : 'send' });
  const { services } = runtime;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    try {
      await app?.close();
      await runtime.close();
    } finally {
      process.exit(process.exitCode ?? 0);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  if (parts.http) {
    try {
      app = await buildApp({ services, logger, redis: runtime.redis });
      const address = await app.listen({ port: config.PORT, host: config.HOST });
      const url = new URL(address);
      if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = 'localhost';
      runtime.setListenUrl(url.origin);
    } catch (err) {
      await app?.close().catch(() => {});
      await runtime.close();
      throw err;
    }
  }
  if (parts.http && parts.jobs && config.PAIKE_SEED === 'demo') {
    const seeded = await seedDemo(services);
    if (seeded.campaignSlug) console.log(`Seeded the demo campaign "${seeded.campaignSlug}".`);
    if (seeded.admin) {
      console.log(`Demo admin created. Sign in as ${seeded.admin.email} with password ${seeded.admin.password}`);
      console.log('(This password is shown only once.)');
    }
  }
  if (parts.http) console.log(`Paike is running at ${services.publicUrl()}`);
  else console.log('Paike worker is running.');
}

async function runMigrate(config: Config): Promise<void> {
  const release = config.database.kind === 'pglite' ? lockDataDir(config.dataDir) : () => {};
  try {
    const database = await openDatabase(config);
    try {
      const { applied } = await migrate(database.sql);
      console.log(applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date.');
    } finally {
      await database.sql.close();
    }
  } finally {
    release();
  }
}

async function runAdmin(config: Config, args: string[]): Promise<void> {
  const [sub, ...flags] = args;
  if (sub !== 'create-user') throw new UsageError(`Unknown admin command "${sub ?? ''}".`);
  const { values } = parseArgs({
    args: flags,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', multiple: true },
      name: { type: 'string' },
    },
    strict: true,
  });
  const email = emailSchema.safeParse(values.email);
  if (!email.success) throw new UsageError('--email must be an email address.');
  if (!values.password) throw new UsageError('--password is required.');
  const roles = (values.role ?? []).flatMap((r) => r.split(',')).map((r) => roleSchema.safeParse(r.trim()));
  if (!roles.length || roles.some((r) => !r.success)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}.`);
  const name = nameSchema.safeParse(values.name ?? email.data.split('@')[0]);
  if (!name.success) throw new UsageError('--name must be 1–80 characters.');

  const logger = makeLogger({ ...config, LOG_LEVEL: 'warn' });
  const runtime = await openRuntime({ config, logger, jobs: 'send' });
  try {
    const user = await runtime.services.accounts.createUser(null, {
      email: email.data,
      password: values.password,
      name: name.data,
      roles: roles.map((r) => r.data!),
    });
    console.log(`Created ${user.email} with roles ${user.roles.join(', ')}.`);
  } finally {
    await runtime.close();
  }
}
