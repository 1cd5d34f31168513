import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Channel } from '../../../contracts/packaging.limits.js';
import type { PublicationStatus } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import type { TestContext } from '../../testing/harness.js';
import { GOOD_PASSWORD, uniqueEmail } from '../../testing/harness.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/** Test data for the propagation module, written by SQL (adoption and publishing are other modules' business). */
export function propagationFixtures(ctx: TestContext) {
  const services = () => ctx.runtime.services;
  const db = () => services().database.db;

  async function campaign(rules: Record<string, unknown> = {}): Promise<string> {
    const base = demoCampaign(services().clock.now());
    const c = await services().campaigns.create(null, { ...base, slug: `prop-${randomBytes(4).toString('hex')}`, rules: { ...base.rules, ...rules } });
    return c.id;
  }

  async function contributor(opts: { phone?: string; locale?: 'zh-CN' | 'en' } = {}): Promise<string> {
    const u = await services().accounts.createUser(null, { email: uniqueEmail('prop'), password: GOOD_PASSWORD, name: 'Prop Test', roles: ['contributor'] });
    if (opts.phone || opts.locale) {
      await db().execute(
        sql`UPDATE users SET phone = coalesce(${opts.phone ?? null}, phone), locale = coalesce(${opts.locale ?? null}, locale) WHERE id = ${u.id}`,
      );
    }
    return u.id;
  }

  /** An adopted video. */
  async function video(q: { userId: string; campaignId: string; title?: string }): Promise<string> {
    const id = randomUUID();
    await db().execute(sql`
      INSERT INTO submissions (id, user_id, campaign_id, theme, title, consent_at, status, upload_length, original_filename, grade, adopted_at)
      VALUES (${id}, ${q.userId}, ${q.campaignId}, 'food', ${q.title ?? 'A bowl of noodles'}, now(), 'adopted', 1000, 'v.mp4', 'A', now())`);
    return id;
  }

  async function publication(q: {
    submissionId: string;
    channel: Channel;
    status?: PublicationStatus;
    publishedAt?: Date;
    unpublishedAt?: Date;
  }): Promise<string> {
    const id = randomUUID();
    const status = q.status ?? 'live';
    const publishedAt = q.publishedAt ?? (status === 'live' || status === 'unpublished' ? new Date(services().clock.now().getTime() - 72 * 3600_000) : null);
    await db().execute(sql`
      INSERT INTO publications (id, submission_id, channel, status, idempotency_key, published_at, unpublished_at)
      VALUES (${id}, ${q.submissionId}, ${q.channel}, ${status}, ${`test:${id}`}, ${publishedAt}, ${q.unpublishedAt ?? null})`);
    return id;
  }

  /** A kiosk screen and its key (stored hashed, as the kiosk module stores it). */
  async function kiosk(): Promise<{ id: string; key: string }> {
    const key = randomBytes(24).toString('base64url');
    const id = randomUUID();
    await db().execute(
      sql`INSERT INTO kiosk_screens (id, name, key_hash) VALUES (${id}, ${`screen-${id.slice(0, 8)}`}, ${createHash('sha256').update(key).digest('hex')})`,
    );
    return { id, key };
  }

  async function query<T>(q: ReturnType<typeof sql>): Promise<T[]> {
    return rowsOf<T>(await db().execute(q));
  }

  return { campaign, contributor, video, publication, kiosk, query };
}
