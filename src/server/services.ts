import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { JobQueue } from './jobs/queue.js';
import type { Clock } from './lib/clock.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import { createAccountsService } from './modules/accounts/accounts.service.js';
import type { SmsProvider } from './modules/accounts/sms/sms.provider.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { createCampaignsRepository } from './modules/campaigns/campaigns.repository.js';
import { createCampaignsService } from './modules/campaigns/campaigns.service.js';
import path from 'node:path';
import { createLocalStorage } from './lib/storage.js';
import { createS3Storage } from './lib/storage.s3.js';
import { createSubmissionsRepository } from './modules/submissions/submissions.repository.js';
import { createSubmissionsService } from './modules/submissions/submissions.service.js';
import { createUploadsServer } from './modules/submissions/uploads.server.js';
import { createProcessingService } from './modules/submissions/processing.service.js';
import { createLedgerRepository } from './modules/ledger/ledger.repository.js';
import { createLedgerService } from './modules/ledger/ledger.service.js';
import { createBudgetService } from './modules/ledger/budget.service.js';
import { createDeskRepository } from './modules/desk/desk.repository.js';
import { createDeskService } from './modules/desk/desk.service.js';
import { createDeskEditsService } from './modules/desk/desk-edits.service.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { createRewardsRepository } from './modules/rewards/rewards.repository.js';
import { createRewardsService, zeroReach, type ReachSource } from './modules/rewards/rewards.service.js';
import { createPayoutsRepository } from './modules/payouts/payouts.repository.js';
import { createPayoutsService } from './modules/payouts/payouts.service.js';
import { createPayoutCipher, developmentSecret } from './modules/payouts/payout.details.js';
import { manualPayoutProvider, type PayoutProvider } from './modules/payouts/payout.provider.js';
import { createPackagingRepository } from './modules/packaging/packaging.repository.js';
import { createPackagingService } from './modules/packaging/packaging.service.js';
import type { Redis } from 'ioredis';
import { createRainRepository } from './modules/rain/rain.repository.js';
import { createRainService } from './modules/rain/rain.service.js';
import { createRainRedis } from './modules/rain/rain.redis.js';
import { createRainTokens, rainTokenSecret } from './modules/rain/rain.token.js';

export interface ServiceDeps {
  config: Config;
  database: Database;
  jobs: JobQueue;
  clock: Clock;
  sms: SmsProvider;
  publicUrl: () => string;
  logger: FastifyBaseLogger;
  /** Contributors' reach for reward multipliers (the metrics module's, later); 0 until then. */
  reach?: ReachSource;
  /** Where payouts are sent; `manual` (finance pays from the exported CSV) by default. */
  payoutProvider?: PayoutProvider;
  /** When REDIS_URL is set: red-packet grabs run on it. */
  redis?: Redis;
}

/**
 * The composition root: every repository and service, wired once. HTTP routes and job
 * handlers both receive this object, so neither knows which process it runs in.
 */
export function createServices(deps: ServiceDeps) {
  const { db } = deps.database;
  const audit = createAuditRepository(db);
  const campaignsRepo = createCampaignsRepository(db);
  const campaigns = createCampaignsService({ db, repo: campaignsRepo, audit, clock: deps.clock, publicUrl: deps.publicUrl });
  const storage = deps.config.s3 ? createS3Storage(deps.config.s3) : createLocalStorage(path.join(deps.config.dataDir, 'media'));
  const submissionsRepo = createSubmissionsRepository(db);
  const submissions = createSubmissionsService({
    db,
    repo: submissionsRepo,
    campaigns: campaignsRepo,
    storage,
    jobs: deps.jobs,
    clock: deps.clock,
    limits: {
      concurrentUploads: deps.config.UPLOAD_MAX_CONCURRENT_PER_USER,
      bytesPerDay: deps.config.UPLOAD_MAX_BYTES_PER_DAY,
      expiryHours: deps.config.UPLOAD_EXPIRY_HOURS,
    },
  });
  const processing = createProcessingService({
    db,
    repo: submissionsRepo,
    campaigns: campaignsRepo,
    storage,
    clock: deps.clock,
    workDir: path.join(deps.config.dataDir, 'work'),
    ffmpeg: { threads: deps.config.FFMPEG_THREADS, timeoutMs: deps.config.FFMPEG_TIMEOUT_SECONDS * 1000 },
    jobs: deps.jobs,
  });
  const uploads = createUploadsServer({
    directory: path.join(deps.config.dataDir, 'uploads'),
    submissions,
    expiryHours: deps.config.UPLOAD_EXPIRY_HOURS,
    trustProxy: deps.config.TRUST_PROXY,
    onError: (err) => deps.logger.error({ err }, 'upload failure'),
  });
  const accounts = createAccountsService({
    db,
    repo: createAccountsRepository(db),
    audit,
    clock: deps.clock,
    sms: deps.sms,
    joinCampaign: campaigns.joinInTx,
    sessionTtlDays: deps.config.SESSION_TTL_DAYS,
    smsCodesPerPhonePerHour: deps.config.SMS_CODES_PER_PHONE_PER_HOUR,
  });
  const ledger = createLedgerService({ db, repo: createLedgerRepository(db), clock: deps.clock });
  const packaging = createPackagingService({
    db,
    repo: createPackagingRepository(db),
    submissionsRepo,
    storage,
    audit,
    clock: deps.clock,
    workDir: path.join(deps.config.dataDir, 'work'),
    ffmpeg: { threads: deps.config.FFMPEG_THREADS, timeoutMs: deps.config.FFMPEG_TIMEOUT_SECONDS * 1000 },
  });
  const deskRepo = createDeskRepository(db);
  const rewards = createRewardsService({ db, repo: createRewardsRepository(db), ledger, campaigns: campaignsRepo, audit, reach: deps.reach ?? zeroReach });
  const desk = createDeskService({
    db,
    repo: deskRepo,
    submissionsRepo,
    submissions,
    campaigns: campaignsRepo,
    ledger,
    audit,
    clock: deps.clock,
    rewards: rewards.adoption,
  });
  const deskEdits = createDeskEditsService({
    db,
    repo: deskRepo,
    submissionsRepo,
    storage,
    jobs: deps.jobs,
    audit,
    workDir: path.join(deps.config.dataDir, 'work'),
    ffmpeg: { threads: deps.config.FFMPEG_THREADS, timeoutMs: deps.config.FFMPEG_TIMEOUT_SECONDS * 1000 },
    assertInScope: (actor, id) => desk.assertInScopeById(actor, id),
  });
  if (!deps.config.PAYOUT_DETAILS_KEY)
    deps.logger.warn('PAYOUT_DETAILS_KEY is not set: payout details are encrypted with a development key derived from DATA_DIR');
  const payouts = createPayoutsService({
    db,
    repo: createPayoutsRepository(db),
    ledger,
    audit,
    clock: deps.clock,
    cipher: createPayoutCipher(deps.config.PAYOUT_DETAILS_KEY ?? developmentSecret(deps.config.dataDir)),
    provider: deps.payoutProvider ?? manualPayoutProvider,
    minimumFen: deps.config.PAYOUT_MIN_FEN,
  });
  const auditLog = createAuditService({ db });
  const rain = createRainService({
    db,
    repo: createRainRepository(db),
    ledger,
    jobs: deps.jobs,
    audit,
    clock: deps.clock,
    logger: deps.logger,
    tokens: createRainTokens(rainTokenSecret(deps.config)),
    redis: deps.redis ? createRainRedis(deps.redis, `paike:${deps.config.DATABASE_SCHEMA}`) : undefined,
    limits: {
      minAccountAgeMinutes: deps.config.RAIN_MIN_ACCOUNT_AGE_MINUTES,
      holdAccountAgeHours: deps.config.RAIN_HOLD_ACCOUNT_AGE_HOURS,
      maxWinsPerIp: deps.config.RAIN_MAX_WINS_PER_IP,
      prepareAheadMinutes: deps.config.RAIN_PREPARE_AHEAD_MINUTES,
    },
  });
  const budgets = createBudgetService({ db, ledger, campaigns: campaignsRepo, audit });

  return {
    ...deps,
    budgets,
    audit,
    accounts,
    campaigns,
    storage,
    submissions,
    submissionsRepo,
    processing,
    uploads,
    ledger,
    desk,
    deskRepo,
    deskEdits,
    packaging,
    rewards,
    payouts,
    auditLog,
    rain,
  };
}

export type Services = ReturnType<typeof createServices>;
