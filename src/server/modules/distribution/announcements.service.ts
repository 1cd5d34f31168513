import type { WeeklyChart } from '../../../contracts/charts.js';
import type { Db } from '../../db/client.js';
import type { ExternalChannel } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { ChannelAccounts } from './channel-accounts.service.js';
import { ChannelError, type ChannelAdapter } from './channels/channel.js';
import type { DistributionRepository } from './distribution.repository.js';

export interface AnnouncementsDeps {
  repo: DistributionRepository;
  accounts: ChannelAccounts;
  adapters: Record<ExternalChannel, ChannelAdapter>;
  jobs: JobQueue;
  clock: Clock;
  publicUrl: () => string;
  chart: (campaignId: string, week: string) => Promise<WeeklyChart | undefined>;
}

const LEASE_MS = 10 * 60_000;

/** The chart's text post: the week, then the ten as "rank. headline — contributor". */
export function chartPost(chart: WeeklyChart, base: string) {
  return {
    title: `拍客风云榜 ${chart.week} Top ${chart.entries.length}`,
    text: chart.entries.map((e) => `${e.rank}. ${e.headline}（${e.contributor.name}）`).join(' '),
    link: `${base}/charts/${chart.campaignId}?week=${chart.week}`,
  };
}

/**
 * The frozen weekly chart on the external platforms that take a text post (Weibo; WeChat,
 * Toutiao/Douyin and Penguin publish video items only through Paike's adapters). Rows are made
 * in the freeze's own transaction, so a chart is announced exactly when it exists; each row is
 * posted once under a lease and a checkpoint, like a publication.
 */
export function createAnnouncementsService(deps: AnnouncementsDeps) {
  const { repo } = deps;
  return {
    /** The charts service's publisher hook, inside the freeze transaction. */
    async chartFrozen(chart: WeeklyChart, tx: Db): Promise<void> {
      if (!chart.entries.length) return; // a week with nothing on it is not news
      const usable = await deps.accounts.usableChannels(tx);
      const channels = [...usable].filter((c) => deps.adapters[c].announce);
      const rows = await repo.createAnnouncements(
        channels.map((channel) => ({ campaignId: chart.campaignId, week: chart.week, channel })),
        tx,
      );
      for (const r of rows) await deps.jobs.send('distribution.announce', { campaignId: r.campaignId, week: r.week, channel: r.channel }, { tx });
    },

    /** One attempt (the `distribution.announce` job); transient failures are thrown for the job's retry. */
    async post(key: { campaignId: string; week: string; channel: ExternalChannel }): Promise<void> {
      const now = deps.clock.now();
      const row = await repo.claimAnnouncement(key, now, new Date(now.getTime() + LEASE_MS));
      if (!row) return; // posted, failed for good, or another worker holds it
      const chart = await deps.chart(key.campaignId, key.week);
      const adapter = deps.adapters[key.channel];
      if (!chart || !adapter.announce)
        return repo.updateAnnouncement(key, { status: 'failed', leaseUntil: null, error: 'no frozen chart or no text posts here' });
      const state: Record<string, string | number> = { ...row.checkpoint };
      try {
        const creds = await deps.accounts.usable(key.channel);
        const r = await adapter.announce(chartPost(chart, deps.publicUrl()), creds, {
          state,
          save: async (patch) => {
            Object.assign(state, await repo.saveAnnouncementCheckpoint(key, patch));
          },
        });
        await repo.updateAnnouncement(key, { status: 'live', leaseUntil: null, externalId: r.externalId, url: r.url, error: null });
      } catch (err) {
        const ce = err instanceof ChannelError ? err : new ChannelError('transient', 'unexpected error inside Paike');
        const again = ce.errorClass === 'transient' || ce.errorClass === 'rate_limited';
        await repo.updateAnnouncement(key, { status: again ? 'queued' : 'failed', leaseUntil: null, error: ce.message });
        if (again) throw err;
      }
    },

    list: (campaignId: string, week: string) => repo.listAnnouncements(campaignId, week),
  };
}
export type AnnouncementsService = ReturnType<typeof createAnnouncementsService>;
