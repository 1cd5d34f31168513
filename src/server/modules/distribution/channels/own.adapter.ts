import type { Channel } from '../../../../contracts/packaging.limits.js';
import type { ChannelAdapter, MetricsSample } from './channel.js';

/**
 * Paike's own channels need no platform: going live is the publication row itself (the site,
 * the app's feed and the kiosk playlists read live rows), and views come from beacons.
 */
export function createOwnChannelAdapter(opts: {
  channel: Extract<Channel, 'app' | 'kiosk'>;
  /** The public page of a video, or null where there is none (kiosk screens). */
  pageUrl: (submissionId: string) => string | null;
  views: (submissionId: string) => Promise<number>;
  metricsIntervalMinutes: number;
}): ChannelAdapter {
  return {
    channel: opts.channel,
    metricsIntervalMinutes: opts.metricsIntervalMinutes,
    refreshCredentials: async (creds) => creds,
    async publish(input) {
      return { kind: 'live', externalId: input.submissionId, url: opts.pageUrl(input.submissionId) };
    },
    async unpublish() {},
    async fetchMetrics(ref): Promise<MetricsSample> {
      return { views: await opts.views(ref.externalId), likes: null, shares: null, comments: null };
    },
  };
}
