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

export interface ServiceDeps {
  config: Config;
  database: Database;
  jobs: JobQueue;
  clock: Clock;
  sms: SmsProvider;
  publicUrl: () => string;
}

/**
 * The composition root: every repository and service, wired once. HTTP routes and job
 * handlers both receive this object, so neither knows which process it runs in.
 */
export function createServices(deps: ServiceDeps) {
  const { db } = deps.database;
  const audit = createAuditRepository(db);
  const campaigns = createCampaignsService({ db, repo: createCampaignsRepository(db), audit, clock: deps.clock, publicUrl: deps.publicUrl });
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
  return { ...deps, audit, accounts, campaigns };
}

export type Services = ReturnType<typeof createServices>;
