import { createHash, randomBytes } from 'node:crypto';
import type { WeeklyChart } from '../../../contracts/charts.js';
import type { KioskStoryCard } from '../../../contracts/kitchen.js';
import type { Db } from '../../db/client.js';
import type { KioskScreenRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, pgErrorCode } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { DistributionRepository } from './distribution.repository.js';
import { mediaOf } from './site.service.js';

export interface KioskDeps {
  /** A frozen weekly chart, for the screen's campaign. */
  frozenChart: (campaignId: string, week: string) => Promise<WeeklyChart | undefined>;
  db: Db;
  repo: DistributionRepository;
  audit: AuditRepository;
  clock: Clock;
  /** Published screen forms of kitchen stories (modules/kitchen/publish.service.ts), newest first. */
  storyCards?: (limit: number) => Promise<KioskStoryCard[]>;
}

const PLAYLIST_ITEMS = 30;
const CHART_DAYS = 14;
export const hashKioskKey = (key: string) => createHash('sha256').update(key).digest('hex');

function presentScreen(s: KioskScreenRow) {
  return { id: s.id, name: s.name, campaignId: s.campaignId, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt?.toISOString() ?? null };
}

/**
 * Kiosk screens (阅报栏/大屏): each pulls its playlist with its own key, shown once at
 * creation and stored only as a hash. The kiosk channel's live publications are the playlist,
 * newest first, limited to the screen's campaign when it has one.
 */
export function createKioskService(deps: KioskDeps) {
  /** What the kiosks of one campaign (or of none) show: its live videos, the kitchen's screen cards, its chart. */
  async function content(campaignId: string | null) {
    const rows = await deps.repo.kioskPlaylist(campaignId, PLAYLIST_ITEMS);
    // The chart goes to the kiosks as soon as it is frozen: the newest one of the last two weeks.
    const [latest] = campaignId ? await deps.repo.recentFrozenCharts(new Date(deps.clock.now().getTime() - CHART_DAYS * 86_400_000), campaignId) : [];
    const chart = latest ? ((await deps.frozenChart(latest.campaignId, latest.week)) ?? null) : null;
    return {
      chart,
      cards: (await deps.storyCards?.(PLAYLIST_ITEMS)) ?? [],
      items: rows.map((r) => {
        const s = r.submission;
        return {
          submissionId: s.id,
          headline: r.headline ?? s.title,
          summary: r.summary ?? '',
          credit: r.credit || r.contributorName,
          ...mediaOf(r),
          durationSeconds: s.durationSeconds,
          publishedAt: r.publishedAt.toISOString(),
        };
      }),
    };
  }

  return {
    async list(actor: Actor) {
      assertCan(actor, 'kiosk.manage');
      return (await deps.repo.listScreens()).map(presentScreen);
    },
    async create(actor: Actor, body: { name: string; campaignId: string | null }) {
      assertCan(actor, 'kiosk.manage');
      const key = `pk_kiosk_${randomBytes(24).toString('base64url')}`;
      const screen = await deps.db
        .transaction(async (tx) => {
          const row = await deps.repo.createScreen({ name: body.name, campaignId: body.campaignId, keyHash: hashKioskKey(key) }, tx);
          if (!row) throw new AppError('kiosk.name_taken');
          await deps.audit.create({ actorId: actor.id, action: 'kiosk.create', objectType: 'kiosk_screen', objectId: row.id, data: { name: body.name } }, tx);
          return row;
        })
        .catch((err: unknown) => {
          // The only reference a screen has: a campaign that does not exist.
          if (pgErrorCode(err) === '23503') throw new AppError('campaign.not_found');
          throw err;
        });
      return { screen: presentScreen(screen), key };
    },
    async remove(actor: Actor, id: string) {
      assertCan(actor, 'kiosk.manage');
      if (!(await deps.repo.deleteScreen(id))) throw new AppError('request.not_found');
      await deps.audit.create({ actorId: actor.id, action: 'kiosk.delete', objectType: 'kiosk_screen', objectId: id });
    },
    /** The screen behind a key, or an error a screen's operator can act on. */
    async screenFor(key: string | undefined): Promise<KioskScreenRow> {
      if (!key) throw new AppError('kiosk.key_invalid');
      const screen = await deps.repo.screenByKeyHash(hashKioskKey(key));
      if (!screen) throw new AppError('kiosk.key_invalid');
      return screen;
    },
    async playlist(screen: KioskScreenRow) {
      await deps.repo.touchScreen(screen.id);
      return { screen: screen.name, generatedAt: deps.clock.now().toISOString(), ...(await content(screen.campaignId)) };
    },
    content,
  };
}
export type KioskService = ReturnType<typeof createKioskService>;
