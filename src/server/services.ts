import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { JobQueue } from './jobs/queue.js';
import type { Clock } from './lib/clock.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import { createAccountsService } from './modules/accounts/accounts.service.js';
import { createSecurityRepository } from './modules/accounts/security.repository.js';
import { createSecurityService } from './modules/accounts/security.service.js';
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
import { createLedgerExplorerRepository } from './modules/ledger/ledger.explorer.repository.js';
import { createLedgerExplorerService } from './modules/ledger/ledger.explorer.service.js';
import { createDeskRepository } from './modules/desk/desk.repository.js';
import { createStudioScope } from './modules/desk/desk.scope.js';
import { createDeskService } from './modules/desk/desk.service.js';
import { createDeskEditsService } from './modules/desk/desk-edits.service.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { createStudioMembersService } from './modules/desk/studio-members.service.js';
import { createRewardsRepository } from './modules/rewards/rewards.repository.js';
import { createRewardsService, type ReachSource } from './modules/rewards/rewards.service.js';
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
import { createPropagationRepository } from './modules/propagation/propagation.repository.js';
import { createNoticesService } from './modules/propagation/notices.service.js';
import { createNoticePush, type NoticePush } from './modules/propagation/notice.push.js';
import { createPushRepository } from './modules/propagation/push.repository.js';
import { createMetricsService } from './modules/propagation/metrics.service.js';
import { beaconSecret, createBeaconsService } from './modules/propagation/beacons.service.js';
import { consoleMailer, smtpMailer, type Mailer } from './modules/propagation/mailer.js';
import { createNoticeSms, type NoticeSms } from './modules/propagation/notice.sms.js';
import { createChartsRepository } from './modules/propagation/charts.repository.js';
import { createChartsService, type ChartPublisher } from './modules/propagation/charts.service.js';
import { createGrandPrizeRepository } from './modules/propagation/grand-prize.repository.js';
import { createGrandPrizeService } from './modules/propagation/grand-prize.service.js';
import { createHoldsRepository } from './modules/propagation/holds.repository.js';
import { createHoldsService } from './modules/propagation/holds.service.js';
import { createViewGuard } from './modules/propagation/view-guard.js';
import { createDashboardsRepository } from './modules/propagation/dashboards.repository.js';
import { createDashboardsService } from './modules/propagation/dashboards.service.js';
import { createHmac } from 'node:crypto';
import type { Channel } from '../contracts/packaging.limits.js';
import type { ChannelAdapter } from './modules/distribution/channels/channel.js';
import { createOwnChannelAdapter } from './modules/distribution/channels/own.adapter.js';
import { createWechatAdapter } from './modules/distribution/channels/wechat.adapter.js';
import { createWeiboAdapter } from './modules/distribution/channels/weibo.adapter.js';
import { createDouyinAdapter } from './modules/distribution/channels/douyin.adapter.js';
import { createPenguinAdapter } from './modules/distribution/channels/penguin.adapter.js';
import { createDistributionRepository } from './modules/distribution/distribution.repository.js';
import { createChannelAccountsService } from './modules/distribution/channel-accounts.service.js';
import { createCredentialsVault } from './modules/distribution/credentials.js';
import { createPublishingService } from './modules/distribution/publishing.service.js';
import { createRenditions } from './modules/distribution/rendition.js';
import { createSiteService } from './modules/distribution/site.service.js';
import { createKioskService } from './modules/distribution/kiosk.service.js';
import { createAnnouncementsService } from './modules/distribution/announcements.service.js';
import { createPrivacyRepository } from './modules/privacy/privacy.repository.js';
import { createErasureService } from './modules/privacy/erasure.service.js';
import { createExportService } from './modules/privacy/export.service.js';
import { createWechatOAuth } from './modules/wechat/wechat.oauth.js';
import { createWechatRepository } from './modules/wechat/wechat.repository.js';
import { createWechatService } from './modules/wechat/wechat.service.js';
import { createSearchRepository } from './modules/search/search.repository.js';
import { createSearchService } from './modules/search/search.service.js';
import { createKitchenScope } from './modules/kitchen/kitchen.scope.js';
import { createStoriesRepository } from './modules/kitchen/stories.repository.js';
import { createStoriesService } from './modules/kitchen/stories.service.js';
import { createFormsRepository } from './modules/kitchen/forms.repository.js';
import { createFormsService } from './modules/kitchen/forms.service.js';
import { createReviewRepository } from './modules/kitchen/review.repository.js';
import { createReviewService } from './modules/kitchen/review.service.js';
import { createKitchenPublishRepository } from './modules/kitchen/publish.repository.js';
import { createKitchenPublishService } from './modules/kitchen/publish.service.js';
import { createPlanRepository } from './modules/kitchen/plan.repository.js';
import { createPlanService } from './modules/kitchen/plan.service.js';
import { createWallRepository } from './modules/kitchen/wall.repository.js';
import { createWallService } from './modules/kitchen/wall.service.js';
import { createKitchenPrintService } from './modules/kitchen/print/print.service.js';
import { createChromiumRenderer } from './modules/kitchen/print/chromium.js';
import { createCommandScope } from './modules/command/command.scope.js';
import type { CallRoomBackend } from './modules/command/call.backend.js';
// Issue 15, part map.
import { createLocationRepository } from './modules/command/location.repository.js';
import { createLocationService } from './modules/command/location.service.js';
import { createMapRepository } from './modules/command/map.repository.js';
import { createMapService } from './modules/command/map.service.js';
// Issue 15, part assign.
import { createAssignmentsRepository } from './modules/command/assignments.repository.js';
import { createAssignmentsService } from './modules/command/assignments.service.js';
import { createOffersService } from './modules/command/offers.service.js';
import { createFieldProfileService } from './modules/command/field-profile.service.js';
import { createCommandWallRepository } from './modules/command/wall.repository.js';
import { createCommandWallService } from './modules/command/wall.service.js';
import { createJanusAdapter, janusRecordingsDir, janusRoomKey } from './modules/command/janus.adapter.js';
import { createJanusRepository } from './modules/command/janus.repository.js';
import { createJanusCallsService } from './modules/command/janus.service.js';
import { createBroadcastService } from './modules/command/broadcast.service.js';
import { createRecordingsService } from './modules/command/recordings.service.js';
// Issue 15, part live.
import { createChatRepository } from './modules/command/chat.repository.js';
import { createChatService } from './modules/command/chat.service.js';
import { createCallsRepository } from './modules/command/calls.repository.js';
import { createCallsService } from './modules/command/calls.service.js';
import { createIceService } from './modules/command/ice.service.js';
import { createHub } from './modules/command/hub.service.js';
import { createLocalBus, createRedisBus } from './modules/command/hub.bus.js';
import { createLocalBus as createLocalBusOf, createRedisBus as createRedisBusOf } from './lib/bus.js';
import { createFleetRepository } from './modules/kiosk/fleet.repository.js';
import { createFleetService, type KioskBusEvent } from './modules/kiosk/fleet.service.js';
import { createScheduleService } from './modules/kiosk/schedule.service.js';
import { createScreenshotService } from './modules/kiosk/screenshot.service.js';
import { createPlaysRepository } from './modules/kiosk/plays.repository.js';
import { createPlaysService } from './modules/kiosk/plays.service.js';
import { createAssetsRepository } from './modules/kiosk/assets.repository.js';
import { createManifestService } from './modules/kiosk/manifest.service.js';
import { createLocalPresence, createRedisPresence } from './modules/command/hub.presence.js';
import { createLendingRepository } from './modules/lending/lending.repository.js';
import { createLendingService } from './modules/lending/lending.service.js';
import { createFileTokens, lendingTokenSecret } from './modules/lending/lending.token.js';
import { createStudyRepository } from './modules/study/study.repository.js';
import { createStudyService } from './modules/study/study.service.js';
// Issue 16, the e-paper.
import { createEpaperRepository } from './modules/epaper/epaper.repository.js';
import { createEpaperService } from './modules/epaper/epaper.service.js';
import { createPoppler } from './modules/epaper/poppler.js';

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
  /** Notice text messages and email; by default built from the config (none / the console mailer when not configured). */
  noticeSms?: NoticeSms | null;
  /** Web Push for notices (tests hand in their own); default: from WEB_PUSH_* config, null when unset. */
  noticePush?: NoticePush | null;
  mailer?: Mailer | null;
  /** Puts a frozen weekly chart on the channels (the distribution module's); nothing when absent. */
  chartPublisher?: ChartPublisher;
  /** Replaces platform adapters (tests point them at local fakes with their own options). */
  channelAdapters?: Partial<Record<Channel, ChannelAdapter>>;
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
  const deskRepo = createDeskRepository(db);
  // One studio-scope check for every route that names a submission (docs/desk.md, "Studios").
  const studioScope = createStudioScope({ db, repo: deskRepo, submissionsRepo });
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
      openBytesPerUser: deps.config.UPLOAD_MAX_OPEN_BYTES_PER_USER,
      expiryHours: deps.config.UPLOAD_EXPIRY_HOURS,
    },
    readAccess: studioScope.assertCanRead,
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
  const accountsRepo = createAccountsRepository(db);
  // One mailer for the whole app: notices and password reset links.
  const mailer = deps.mailer !== undefined ? deps.mailer : defaultMailer(deps.config, deps.logger);
  const accounts = createAccountsService({
    db,
    repo: accountsRepo,
    audit,
    clock: deps.clock,
    sms: deps.sms,
    joinCampaign: campaigns.joinInTx,
    sessionTtlDays: deps.config.SESSION_TTL_DAYS,
    smsCodesPerPhonePerHour: deps.config.SMS_CODES_PER_PHONE_PER_HOUR,
  });
  const security = createSecurityService({
    db,
    repo: createSecurityRepository(db),
    accounts: accountsRepo,
    audit,
    clock: deps.clock,
    sms: deps.sms,
    mailer,
    publicUrl: deps.publicUrl,
    logger: deps.logger,
    limits: { perTargetPerHour: deps.config.PASSWORD_RESETS_PER_TARGET_PER_HOUR, perIpPerHour: deps.config.PASSWORD_RESETS_PER_IP_PER_HOUR },
  });
  const ledger = createLedgerService({ db, repo: createLedgerRepository(db), clock: deps.clock });
  const packagingRepo = createPackagingRepository(db);
  const packaging = createPackagingService({
    db,
    repo: packagingRepo,
    submissionsRepo,
    storage,
    audit,
    clock: deps.clock,
    workDir: path.join(deps.config.dataDir, 'work'),
    ffmpeg: { threads: deps.config.FFMPEG_THREADS, timeoutMs: deps.config.FFMPEG_TIMEOUT_SECONDS * 1000 },
    scope: studioScope,
  });
  // Propagation before rewards: reach multipliers read the metrics module's reach.
  const propagationRepo = createPropagationRepository(db);
  const notices = createNoticesService({
    db,
    repo: propagationRepo,
    jobs: deps.jobs,
    clock: deps.clock,
    logger: deps.logger,
    sms: deps.noticeSms !== undefined ? deps.noticeSms : createNoticeSms(deps.config),
    mailer,
    publicUrl: deps.publicUrl,
    push: deps.noticePush !== undefined ? deps.noticePush : createNoticePush(deps.config),
    pushRepo: createPushRepository(db),
  });
  const viewCaps = { perAddressPerDay: deps.config.VIEWS_PER_ADDRESS_PER_DAY, perNetworkPerDay: deps.config.VIEWS_PER_NETWORK_PER_DAY };
  const viewGuard = createViewGuard({
    repo: propagationRepo,
    rules: {
      caps: viewCaps,
      topNetworks: deps.config.VIEW_ANOMALY_TOP_NETWORKS,
      sharePercent: deps.config.VIEW_ANOMALY_SHARE_PERCENT,
      minViews: deps.config.VIEW_ANOMALY_MIN_VIEWS,
    },
  });
  const propagationHolds = createHoldsService({ db, repo: createHoldsRepository(db), ledger, audit, clock: deps.clock, scope: studioScope });
  const metrics = createMetricsService({ db, repo: propagationRepo, notices, guard: viewGuard });
  // Issue 16: a kiosk's events (commands, revocation) reach whichever `paike serve` holds its
  // stream or caches its key; through Redis pub/sub when configured (docs/kiosk.md).
  const kioskBus = deps.redis
    ? createRedisBusOf<KioskBusEvent>(deps.redis, `paike:${deps.config.DATABASE_SCHEMA}:kiosk:events`, (err) =>
        deps.logger.warn({ err }, 'kiosk events: redis'),
      )
    : createLocalBusOf<KioskBusEvent>();
  const kioskPlays = createPlaysService({ repo: createPlaysRepository(db), clock: deps.clock });
  const beacons = createBeaconsService({
    kioskKeyChanges: (forget) =>
      kioskBus.listen((e) => {
        if (e.type === 'revoked' || e.type === 'key') forget(e.screenId);
      }),
    db,
    repo: propagationRepo,
    clock: deps.clock,
    logger: deps.logger,
    secret: beaconSecret(deps.config),
    batchMax: deps.config.BEACON_BATCH_MAX,
    // PGlite is one connection; on PostgreSQL half the pool at most, leaving the rest to other requests.
    writers: deps.config.database.kind === 'pglite' ? 1 : Math.max(1, Math.floor(deps.config.DATABASE_POOL_SIZE / 2)),
    caps: viewCaps,
  });
  const rewards = createRewardsService({
    db,
    repo: createRewardsRepository(db),
    ledger,
    campaigns: campaignsRepo,
    audit,
    reach: deps.reach ?? metrics.reachSource,
    holds: propagationHolds,
  });
  const desk = createDeskService({
    db,
    repo: deskRepo,
    submissionsRepo,
    submissions,
    campaigns: campaignsRepo,
    ledger,
    audit,
    clock: deps.clock,
    scope: studioScope,
    rewards: rewards.adoption,
    afterAdopt: async (submissionId, tx) => {
      await deps.jobs.send('distribution.dispatch', { submissionId }, { tx });
    },
    notify: notices.notify,
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
    assertInScope: async (actor, id) => void (await studioScope.assertCoversId(actor, id)),
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
    wechatPayee: (userId, tx) => wechat.payee(userId, tx),
    notify: notices.notify,
  });
  const wechat = createWechatService({
    db,
    repo: createWechatRepository(db),
    accountsRepo,
    startSession: accounts.startSession,
    joinCampaign: campaigns.joinInTx,
    audit,
    clock: deps.clock,
    oauth: createWechatOAuth({ openUrl: deps.config.WECHAT_OPEN_URL, apiUrl: deps.config.WECHAT_API_URL }),
    open: wechatApp(deps.config.WECHAT_LOGIN_APP_ID, deps.config.WECHAT_LOGIN_APP_SECRET),
    mp: wechatApp(deps.config.WECHAT_MP_APP_ID, deps.config.WECHAT_MP_APP_SECRET),
    publicUrl: deps.publicUrl,
  });
  const auditLog = createAuditService({ db });
  const studioMembers = createStudioMembersService({ db, repo: deskRepo, accounts: createAccountsRepository(db), audit });
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
      maxWinsPerDevice: deps.config.RAIN_MAX_WINS_PER_DEVICE,
      prepareAheadMinutes: deps.config.RAIN_PREPARE_AHEAD_MINUTES,
      grabRatePerIp: deps.config.RAIN_GRAB_RATE_PER_IP,
      grabRatePerAccount: deps.config.RAIN_GRAB_RATE_PER_ACCOUNT,
      badTokensPerIp: deps.config.RAIN_BAD_TOKENS_PER_IP,
      maxWaitingGrabs: deps.config.RAIN_MAX_WAITING_GRABS,
    },
    notify: notices.notify,
  });
  const budgets = createBudgetService({ db, ledger, campaigns: campaignsRepo, audit });
  const ledgerExplorer = createLedgerExplorerService({ db, repo: createLedgerExplorerRepository(db), audit });
  const chartsRepo = createChartsRepository(db);
  const charts = createChartsService({
    db,
    repo: chartsRepo,
    ledger,
    audit,
    clock: deps.clock,
    notify: notices.notify,
    liveCacheSeconds: deps.config.CHART_LIVE_CACHE_SECONDS,
    // The frozen chart goes to the platforms that take a text post (created below; called only at run time).
    publisher: deps.chartPublisher ?? { chartFrozen: (chart, tx) => announcements.chartFrozen(chart, tx) },
    logger: deps.logger,
    guard: viewGuard,
    holds: propagationHolds,
  });
  const grandPrize = createGrandPrizeService({
    db,
    repo: createGrandPrizeRepository(db),
    charts: chartsRepo,
    ledger,
    audit,
    clock: deps.clock,
    notify: notices.notify,
    guard: viewGuard,
    holds: propagationHolds,
    assertInScope: async (actor, id) => void (await studioScope.assertCoversId(actor, id)),
  });
  const dashboards = createDashboardsService({ repo: createDashboardsRepository(db), charts: chartsRepo, clock: deps.clock });

  const distributionRepo = createDistributionRepository(db);
  const clockNow = () => deps.clock.now();
  const adapters = {
    app: createOwnChannelAdapter({
      channel: 'app',
      pageUrl: (id) => `${deps.publicUrl()}/v/${id}`,
      views: (id) => beacons.viewsOf(id, 'app'),
      metricsIntervalMinutes: 15,
    }),
    // A kiosk's views: its beacons (players by key) and the plays the kiosk app reports (issue 16).
    kiosk: createOwnChannelAdapter({
      channel: 'kiosk',
      pageUrl: () => null,
      views: async (id) => (await beacons.viewsOf(id, 'kiosk')) + (await kioskPlays.viewsOf(id)),
      metricsIntervalMinutes: 15,
    }),
    wechat: createWechatAdapter({ baseUrl: deps.config.WECHAT_API_URL, now: clockNow }),
    weibo: createWeiboAdapter({ baseUrl: deps.config.WEIBO_API_URL, now: clockNow }),
    toutiao: createDouyinAdapter({ baseUrl: deps.config.DOUYIN_API_URL, now: clockNow }),
    penguin: createPenguinAdapter({ baseUrl: deps.config.PENGUIN_API_URL, now: clockNow }),
    ...deps.channelAdapters,
  };
  const masterSecret = deps.config.PAYOUT_DETAILS_KEY ?? developmentSecret(deps.config.dataDir);
  const channelAccounts = createChannelAccountsService({
    db,
    repo: distributionRepo,
    vault: createCredentialsVault(masterSecret),
    adapters,
    audit,
    clock: deps.clock,
    logger: deps.logger,
    publicUrl: deps.publicUrl,
    stateSecret: createHmac('sha256', masterSecret).update('paike-channel-oauth-state-v1').digest('hex'),
    // Called only after start-up, by which time `publishing` below exists.
    onConnected: (channel) => publishing.requeueAfterReconnect(channel),
  });
  // One rendition maker for the platforms, whether a desk video or a story's lead video goes out.
  const renditions = createRenditions({
    storage,
    ffmpeg: { threads: deps.config.FFMPEG_THREADS, timeoutMs: deps.config.FFMPEG_TIMEOUT_SECONDS * 1000 },
    editedMp4: async (id) => {
      const edit = await distributionRepo.newestReadyEdit(id);
      return edit?.outputs?.mp4 ? { editId: edit.id, key: edit.outputs.mp4 } : null;
    },
  });
  const publishing = createPublishingService({
    db,
    repo: distributionRepo,
    submissionsRepo,
    packagingRepo,
    accounts: channelAccounts,
    adapters,
    renditions,
    storage,
    jobs: deps.jobs,
    audit,
    clock: deps.clock,
    logger: deps.logger,
    metrics,
    workDir: path.join(deps.config.dataDir, 'work'),
    publicUrl: deps.publicUrl,
    holdMinutes: deps.config.PUBLISH_HOLD_MINUTES,
    maxAttempts: deps.config.PUBLISH_MAX_ATTEMPTS,
    notify: notices.notify,
    assertInScope: async (actor, id) => void (await studioScope.assertCoversId(actor, id)),
  });
  const announcements = createAnnouncementsService({
    repo: distributionRepo,
    accounts: channelAccounts,
    adapters,
    jobs: deps.jobs,
    clock: deps.clock,
    publicUrl: deps.publicUrl,
    chart: (campaignId, week) => charts.frozen(campaignId, week),
  });
  const site = createSiteService({
    repo: distributionRepo,
    storage,
    publicUrl: deps.publicUrl,
    reachOf: metrics.figuresOf,
    liveViews: (id) => beacons.viewsOf(id, 'app'),
    frozenChart: (campaignId, week) => charts.frozen(campaignId, week),
    now: () => deps.clock.now(),
    // Published kitchen stories (web form) in /feed.json and /rss.xml beside the videos.
    stories: (limit) => kitchenPublish.syndication(limit),
  });
  const kiosk = createKioskService({
    db,
    repo: distributionRepo,
    audit,
    clock: deps.clock,
    frozenChart: (campaignId, week) => charts.frozen(campaignId, week),
    // Published screen forms (屏) as cards between the videos.
    storyCards: (limit) => kitchenPublish.screenCards(limit),
  });

  // "My data" (modules/privacy): export and account deletion read across the money modules.
  const privacyRepo = createPrivacyRepository(db);
  const privacy = {
    erasure: createErasureService({ db, repo: privacyRepo, accounts, audit, clock: deps.clock, storage, logger: deps.logger }),
    exporter: createExportService({ repo: privacyRepo, clock: deps.clock }),
  };

  // Issue 14, the central kitchen: one studio scope for all of its parts (kitchen.scope.ts).
  const kitchenScope = createKitchenScope({ db, repo: deskRepo });
  // Part `forms`: form variants and the review chain (docs/kitchen-review.md).
  const formsRepo = createFormsRepository(db);
  const kitchenReview = createReviewService({ db, repo: createReviewRepository(db), forms: formsRepo, audit, scope: kitchenScope, clock: deps.clock });
  const kitchenForms = createFormsService({ db, repo: formsRepo, review: kitchenReview, audit, scope: kitchenScope, clock: deps.clock });
  // Issue 14, part `publish`: a story's forms to print, web, app, social and screens.
  const kitchenPublish = createKitchenPublishService({
    db,
    repo: createKitchenPublishRepository(db),
    scope: kitchenScope,
    accounts: channelAccounts,
    adapters,
    renditions,
    storage,
    jobs: deps.jobs,
    audit,
    clock: deps.clock,
    logger: deps.logger,
    publicUrl: deps.publicUrl,
    workDir: path.join(deps.config.dataDir, 'work'),
    maxAttempts: deps.config.PUBLISH_MAX_ATTEMPTS,
  });

  // Issue 15, the command platform: one object check for all of its parts (command.scope.ts).
  const commandScope = createCommandScope({ db, repo: deskRepo });
  // Calls' media server (call.backend.ts): Janus when JANUS_URL is set (part `janus`); null: peer to peer.
  const janus = deps.config.JANUS_URL
    ? createJanusAdapter({
        url: deps.config.JANUS_URL,
        apiSecret: deps.config.JANUS_API_SECRET,
        recordingsDir: janusRecordingsDir(deps.config),
        roomKey: janusRoomKey(deps.config),
        logger: deps.logger,
      })
    : null;
  const callRooms: CallRoomBackend | null = janus;
  // Part `janus`: browsers' negotiation with the room, and broadcasts (docs/command-janus.md).
  const janusRepo = createJanusRepository(db);
  const janusCalls = createJanusCallsService({ db, repo: janusRepo, adapter: janus, scope: commandScope, clock: deps.clock });
  const broadcasts = createBroadcastService({
    repo: janusRepo,
    adapter: janus,
    calls: janusCalls,
    scope: commandScope,
    clock: deps.clock,
    logger: deps.logger,
    dir: path.join(deps.config.dataDir, 'broadcasts'),
  });
  // Part map: people on a map (docs/command-map.md).
  const locationRepo = createLocationRepository(db);
  // Issue 15, part assign: assignments, offers and field profiles (docs/command.md).
  const assignmentsRepo = createAssignmentsRepository(db);
  const offers = createOffersService({ db, repo: assignmentsRepo, scope: commandScope, audit, clock: deps.clock, notify: notices.notify });
  // Issue 15, part live: the hub's fan-out and presence (Redis when configured, so `paike serve`
  // processes share them), chat, calls and ICE servers (docs/command-live.md).
  const hubPrefix = `paike:${deps.config.DATABASE_SCHEMA}:command:`;
  const presenceOpts = { ttlMs: 60_000, now: () => Date.now() };
  const commandBus = deps.redis ? createRedisBus(deps.redis, `${hubPrefix}hub`, (err) => deps.logger.warn({ err }, 'command hub: redis')) : createLocalBus();
  const commandPresence = deps.redis ? createRedisPresence(deps.redis, `${hubPrefix}online:`, presenceOpts) : createLocalPresence(presenceOpts);
  const commandChat = createChatService({ repo: createChatRepository(db), scope: commandScope, bus: commandBus });
  const commandCalls = createCallsService({
    db,
    repo: createCallsRepository(db),
    scope: commandScope,
    bus: commandBus,
    presence: commandPresence,
    callRooms: () => callRooms,
    janusConfigured: !!deps.config.JANUS_URL,
    jobs: deps.jobs,
    clock: deps.clock,
    logger: deps.logger,
  });
  const commandIce = createIceService({
    config: {
      stunUrls: deps.config.ICE_STUN_URLS,
      turnUrls: deps.config.TURN_URLS,
      turnSecret: deps.config.TURN_SECRET,
      ttlSeconds: deps.config.TURN_CREDENTIAL_TTL_SECONDS,
    },
    clock: deps.clock,
  });
  const commandHub = createHub({
    bus: commandBus,
    presence: commandPresence,
    chat: commandChat,
    calls: commandCalls,
    scope: commandScope,
    authenticate: (token) => accounts.authenticate(token),
    logger: deps.logger,
  });

  // Issue 14, part `stories`: staff stories (modules/kitchen/stories.*).
  const stories = createStoriesService({
    db,
    repo: createStoriesRepository(db),
    scope: kitchenScope,
    audit,
    storage,
    clock: deps.clock,
    workDir: path.join(deps.config.dataDir, 'work'),
  });

  // Issue 16: the kiosk fleet and its schedules (docs/kiosk.md); commands reach a screen's open
  // event stream on whichever `paike serve` holds it, through Redis when configured.
  const kioskRepo = createFleetRepository(db);
  const campaignExists = async (id: string) => !!(await campaignsRepo.get(id));
  const kioskFleet = createFleetService({ db, repo: kioskRepo, audit, clock: deps.clock, bus: kioskBus, campaignExists });
  const kioskSchedule = createScheduleService({ repo: kioskRepo, fleet: kioskFleet, audit, clock: deps.clock, campaignExists });

  return {
    ...deps,
    kioskBus,
    kioskFleet,
    kioskSchedule,
    kioskPlays,
    kioskScreenshots: createScreenshotService({ repo: kioskRepo, storage, clock: deps.clock }),
    // Issue 16: e-book and periodical lending (docs/lending.md).
    lending: createLendingService({
      db,
      repo: createLendingRepository(db),
      audit,
      storage,
      clock: deps.clock,
      tokens: createFileTokens(lendingTokenSecret(deps.config)),
      publicUrl: deps.publicUrl,
      notify: notices.notify,
    }),
    // Issue 16: political study on kiosks and phones (docs/study.md).
    study: createStudyService({
      db,
      repo: createStudyRepository(db),
      audit,
      clock: deps.clock,
      screenFor: (key) => kioskFleet.screenFor(key),
      publicUrl: deps.publicUrl,
    }),
    // Issue 16: the e-paper (docs/epaper.md): PDF editions as page images with article zones.
    epaper: createEpaperService({
      db,
      repo: createEpaperRepository(db),
      audit,
      storage,
      clock: deps.clock,
      jobs: deps.jobs,
      // Each pdfinfo, pdftoppm (one page) or pdftotext run; a newspaper page takes about a second.
      poppler: createPoppler({ timeoutMs: 120_000 }),
      publicUrl: deps.publicUrl,
      workDir: path.join(deps.config.dataDir, 'work'),
    }),
    kioskManifests: createManifestService({
      content: (campaignId) => kiosk.content(campaignId),
      schedule: kioskSchedule,
      assets: createAssetsRepository(db),
      storage,
      kitchenImage: async (imageId) => (await stories.image(null, imageId, 'web')).body,
      clock: deps.clock,
      storageBudgetBytes: deps.config.KIOSK_STORAGE_BUDGET_MB * 1024 * 1024,
    }),
    commandScope,
    callRooms,
    // Issue 15, part map (docs/command-map.md): location consent and positions, the desk's map.
    commandLocation: createLocationService({ db, repo: locationRepo, scope: commandScope, clock: deps.clock }),
    commandMap: createMapService({
      repo: createMapRepository(db),
      locations: locationRepo,
      scope: commandScope,
      clock: deps.clock,
      tileUrl: deps.config.MAP_TILE_URL ?? null,
      kiosks: () => kioskFleet.placed(),
    }),
    // Issue 15, part assign.
    offers,
    assignments: createAssignmentsService({ db, repo: assignmentsRepo, scope: commandScope, offers, audit, clock: deps.clock }),
    fieldProfiles: createFieldProfileService({ repo: assignmentsRepo, clock: deps.clock }),
    // Part `wall`: the command wall (docs/command-wall.md).
    commandWall: createCommandWallService({
      repo: createCommandWallRepository(db),
      baselines: createWallRepository(db),
      scope: commandScope,
      clock: deps.clock,
      intervalSeconds: deps.config.COMMAND_WALL_INTERVAL_SECONDS,
      logger: deps.logger,
    }),
    janus,
    janusRepo,
    janusCalls,
    broadcasts,
    recordings: createRecordingsService({
      db,
      repo: janusRepo,
      storage,
      jobs: deps.jobs,
      clock: deps.clock,
      recordingsDir: janusRecordingsDir(deps.config),
      workDir: path.join(deps.config.dataDir, 'work'),
      timeoutMs: deps.config.FFMPEG_TIMEOUT_SECONDS * 1000,
    }),
    commandBus,
    commandPresence,
    commandChat,
    commandCalls,
    commandIce,
    commandHub,
    budgets,
    audit,
    accounts,
    security,
    campaigns,
    storage,
    submissions,
    submissionsRepo,
    processing,
    uploads,
    ledger,
    desk,
    deskRepo,
    studioScope,
    deskEdits,
    packaging,
    rewards,
    payouts,
    auditLog,
    rain,
    propagationRepo,
    notices,
    metrics,
    beacons,
    charts,
    grandPrize,
    viewGuard,
    propagationHolds,
    dashboards,
    distributionRepo,
    channelAccounts,
    publishing,
    announcements,
    site,
    kiosk,
    privacy,
    wechat,
    deskSearch: createSearchService({ db, repo: createSearchRepository(db), submissions, scope: studioScope }),
    studioMembers,
    ledgerExplorer,
    // Issue 14, part `stories`: staff stories (modules/kitchen/stories.*).
    stories,
    // Issue 14, part `forms`: form variants and the review chain (docs/kitchen-review.md).
    kitchenForms,
    kitchenReview,
    kitchenPublish,
    kitchenPlan: createPlanService({
      db,
      repo: createPlanRepository(db),
      desk: deskRepo,
      studioScope,
      figures: createDashboardsRepository(db),
      audit,
      clock: deps.clock,
    }),
    kitchenWall: createWallService({
      repo: createWallRepository(db),
      chartsRepo,
      charts,
      clock: deps.clock,
      intervalSeconds: deps.config.WALL_INTERVAL_SECONDS,
      logger: deps.logger,
    }),
    // Part `print` of the central kitchen (docs/print.md): newspapers, print PDFs, exports.
    kitchenPrint: createKitchenPrintService({
      db,
      storage,
      jobs: deps.jobs,
      clock: deps.clock,
      audit,
      scope: kitchenScope,
      chromium: createChromiumRenderer({ executablePath: deps.config.CHROMIUM_PATH }),
      publicUrl: deps.publicUrl,
      logger: deps.logger,
      workDir: path.join(deps.config.dataDir, 'work'),
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

/** SMTP when MAIL_URL is set; otherwise the log outside production, and no email in production. */
function defaultMailer(config: Config, logger: FastifyBaseLogger): Mailer | null {
  if (config.MAIL_URL && config.MAIL_FROM) return smtpMailer({ url: config.MAIL_URL, from: config.MAIL_FROM });
  if (config.NODE_ENV === 'production') return null;
  return consoleMailer((line) => logger.info(line));
}

/** A WeChat app when both its id and secret are configured (config.ts refuses one without the other). */
function wechatApp(appId: string | undefined, secret: string | undefined) {
  return appId && secret ? { appId, secret } : undefined;
}
