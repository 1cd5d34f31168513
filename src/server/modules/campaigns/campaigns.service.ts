import type { Campaign, CreateCampaignInput, UpdateCampaignInput } from '../../../contracts/campaigns.js';
import { campaignRulesSchema, createCampaignBody } from '../../../contracts/campaigns.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { CampaignsRepository, CampaignWithCount } from './campaigns.repository.js';

export interface CampaignsServiceDeps {
  db: Db;
  repo: CampaignsRepository;
  audit: AuditRepository;
  clock: Clock;
  /** Read at call time: with PORT=0 the address is known only after listening. */
  publicUrl: () => string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createCampaignsService(deps: CampaignsServiceDeps) {
  const { db, repo, clock } = deps;

  function status(c: CampaignWithCount, now: Date): Campaign['status'] {
    if (!c.published) return 'draft';
    if (now < c.startsAt) return 'upcoming';
    if (now >= c.endsAt) return 'ended';
    return 'open';
  }

  function joinUrl(slug: string): string {
    return `${deps.publicUrl()}/c/${encodeURIComponent(slug)}/join`;
  }

  function present(c: CampaignWithCount): Campaign {
    return {
      id: c.id,
      slug: c.slug,
      title: c.title,
      description: c.description,
      themes: c.themes,
      startsAt: c.startsAt.toISOString(),
      endsAt: c.endsAt.toISOString(),
      quota: c.quota,
      memberCount: c.memberCount,
      published: c.published,
      status: status(c, clock.now()),
      // Rules saved before a field existed get that field's default.
      rules: campaignRulesSchema.parse(c.rules),
      joinUrl: joinUrl(c.slug),
    };
  }

  async function find(idOrSlug: string): Promise<CampaignWithCount> {
    const c = UUID.test(idOrSlug) ? await repo.get(idOrSlug) : await repo.getBySlug(idOrSlug);
    if (!c) throw new AppError('campaign.not_found');
    return c;
  }

  /** Joins inside the caller's transaction; the row lock makes the quota hold under concurrent joins. */
  async function joinInTx(tx: Db, campaignId: string, userId: string): Promise<void> {
    const c = await repo.getForUpdate(campaignId, tx);
    if (!c) throw new AppError('campaign.not_found');
    const now = clock.now();
    if (!c.published || now < c.startsAt || now >= c.endsAt) throw new AppError('campaign.not_open');
    if (await repo.isMember(campaignId, userId, tx)) return;
    if ((await repo.countMembers(campaignId, tx)) >= c.quota) throw new AppError('campaign.full', { quota: c.quota });
    await repo.addMember(campaignId, userId, tx);
  }

  return {
    present,
    joinInTx,
    joinUrl,

    async listOpen(): Promise<Campaign[]> {
      return (await repo.listOpen(clock.now())).map(present);
    },

    /** Public view: drafts are visible only to those who manage campaigns. */
    async getPublic(idOrSlug: string, actor: Actor | null): Promise<Campaign> {
      const c = await find(idOrSlug);
      if (!c.published) {
        try {
          assertCan(actor, 'campaign.manage');
        } catch {
          throw new AppError('campaign.not_found');
        }
      }
      return present(c);
    },

    async listForMember(userId: string): Promise<Campaign[]> {
      return (await repo.listForMember(userId)).map(present);
    },

    async join(actor: Actor, idOrSlug: string): Promise<Campaign> {
      assertCan(actor, 'campaign.join');
      const c = await find(idOrSlug);
      await db.transaction((tx) => joinInTx(tx, c.id, actor.id));
      return present((await repo.get(c.id))!);
    },

    async listAll(actor: Actor): Promise<Campaign[]> {
      assertCan(actor, 'campaign.manage');
      return (await repo.list()).map(present);
    },

    async create(actor: Actor | null, input: CreateCampaignInput): Promise<Campaign> {
      if (actor) assertCan(actor, 'campaign.manage');
      try {
        const id = await db.transaction(async (tx) => {
          const row = await repo.create(
            {
              slug: input.slug,
              title: input.title,
              description: input.description,
              themes: input.themes,
              startsAt: new Date(input.startsAt),
              endsAt: new Date(input.endsAt),
              quota: input.quota,
              published: input.published,
              rules: input.rules,
              createdBy: actor?.id ?? null,
            },
            tx,
          );
          await deps.audit.create(
            { actorId: actor?.id ?? null, action: 'campaign.create', objectType: 'campaign', objectId: row.id, data: { slug: row.slug } },
            tx,
          );
          return row.id;
        });
        return present((await repo.get(id))!);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('campaign.slug_taken');
        throw err;
      }
    },

    async update(actor: Actor, id: string, patch: UpdateCampaignInput): Promise<Campaign> {
      assertCan(actor, 'campaign.manage');
      try {
        await db.transaction(async (tx) => {
          const before = await repo.getForUpdate(id, tx);
          if (!before) throw new AppError('campaign.not_found');
          // Validate the campaign as it will be after the edit, with the same rules as creation.
          const merged = createCampaignBody.safeParse({
            slug: patch.slug ?? before.slug,
            title: patch.title ?? before.title,
            description: patch.description ?? before.description,
            themes: patch.themes ?? before.themes,
            startsAt: patch.startsAt ?? before.startsAt.toISOString(),
            endsAt: patch.endsAt ?? before.endsAt.toISOString(),
            quota: patch.quota ?? before.quota,
            published: patch.published ?? before.published,
            rules: patch.rules ?? before.rules,
          });
          if (!merged.success)
            throw new AppError(
              'request.invalid',
              { detail: merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
              { details: merged.error.issues },
            );
          const m = merged.data;
          await repo.update(id, { ...m, startsAt: new Date(m.startsAt), endsAt: new Date(m.endsAt) }, tx);
          await deps.audit.create(
            { actorId: actor.id, action: 'campaign.update', objectType: 'campaign', objectId: id, data: { fields: Object.keys(patch) } },
            tx,
          );
        });
        return present((await repo.get(id))!);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('campaign.slug_taken');
        throw err;
      }
    },

    async count(): Promise<number> {
      return repo.count();
    },
  };
}
export type CampaignsService = ReturnType<typeof createCampaignsService>;
