import {
  FORM_STATUSES,
  FORMS,
  type Board,
  type BoardSlot,
  type Form,
  type FormStatus,
  type Idea,
  type IdeaCreate,
  type IdeaPatch,
  type IdeaSlotInput,
  type StudioDetail,
  type StudioOverview,
} from '../../../contracts/kitchen.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { startOfDayShanghai } from '../../lib/time.js';
import { assertCan, can, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { DeskRepository } from '../desk/desk.repository.js';
import type { StudioScope } from '../desk/desk.scope.js';
import type { DashboardsRepository } from '../propagation/dashboards.repository.js';
import { reachOf } from '../propagation/propagation.index.js';
import { createKitchenScope, type KitchenScope } from './kitchen.scope.js';
import type { IdeaListRow, PlanRepository, StudioFilter } from './plan.repository.js';

export interface PlanServiceDeps {
  db: Db;
  repo: PlanRepository;
  desk: Pick<DeskRepository, 'studioIdsForUser'>;
  /** The desk's scope: an idea's feeding videos must be ones the actor may work on. */
  studioScope: Pick<StudioScope, 'assertCoversId'>;
  /** The propagation dashboards' per-studio figures (the same query, not a copy). */
  figures: Pick<DashboardsRepository, 'figures'>;
  audit: AuditRepository;
  clock: Clock;
}

const SHANGHAI_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DONE: readonly FormStatus[] = ['ready', 'published'];
/** Submissions that may feed an idea: waiting on the desk, or adopted. */
const FEEDABLE = ['in_review', 'adopted'];
const STUDIO_STORIES = 100;
const STUDIO_QUEUE = 50;

/** The newsroom day (Asia/Shanghai) an instant falls in, as YYYY-MM-DD. */
export function newsroomDay(at: Date): string {
  return new Date(startOfDayShanghai(at).getTime() + SHANGHAI_MS).toISOString().slice(0, 10);
}

/** 400 `kitchen.invalid_day` unless `day` is a real calendar date written YYYY-MM-DD. */
export function parseDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) throw new AppError('kitchen.invalid_day', { day: day.slice(0, 10) });
  return day;
}

/**
 * Planning 策 (docs/planning.md): ideas (报题) on a day's budget with a slot per form, the board
 * the chief editor reads at a glance, and the studios side by side. Editors plan within their
 * studios (and for the central desk, ideas of no studio); chief editors and admins everywhere.
 */
export function createPlanService(deps: PlanServiceDeps) {
  const { db, repo, clock } = deps;
  const scope = createKitchenScope({ db, repo: deps.desk });

  const filterOf = (s: KitchenScope): StudioFilter => (s.all ? { all: true } : { all: false, studioIds: s.studioIds, central: true });
  const covers = (s: KitchenScope, studioId: string | null) => s.all || studioId === null || s.studioIds.includes(studioId);

  function checkSlots(slots: IdeaSlotInput[]): { form: Form; target: string; dueAt: Date | null }[] {
    const seen = new Set<string>();
    return slots.map((s) => {
      if (!(FORMS as readonly string[]).includes(s.form)) throw new AppError('kitchen.idea_unknown_form', { form: s.form, forms: FORMS.join(', ') });
      if (seen.has(s.form)) throw new AppError('kitchen.idea_duplicate_slot', { form: s.form });
      seen.add(s.form);
      return { form: s.form as Form, target: s.target, dueAt: s.dueAt ? new Date(s.dueAt) : null };
    });
  }

  async function checkStudio(s: KitchenScope, studioId: string | null, tx: Db) {
    if (studioId === null) return;
    if (!(await repo.getStudio(studioId, tx))) throw new AppError('studio.not_found');
    if (!covers(s, studioId)) throw new AppError('kitchen.out_of_scope');
  }

  async function checkOwner(ownerId: string | null, tx: Db) {
    if (ownerId === null) return;
    const u = await repo.getUser(ownerId, tx);
    if (!u || !can({ id: u.id, roles: u.roles }, 'kitchen.write')) throw new AppError('kitchen.idea_bad_owner');
  }

  async function checkFeeds(actor: Actor, submissionIds: string[], tx: Db): Promise<string[]> {
    const unique = [...new Set(submissionIds)];
    for (const id of unique) {
      const row = await deps.studioScope.assertCoversId(actor, id, tx);
      if (!FEEDABLE.includes(row.status)) throw new AppError('kitchen.idea_feed_unusable', { id });
    }
    return unique;
  }

  /** Ideas with their slots (each with the linked story's form status and the late flag), feeds and late flag. */
  async function present(rows: IdeaListRow[], now: Date, tx: Db = db): Promise<Idea[]> {
    const ideaIds = rows.map((r) => r.id);
    const [slots, feeds, forms] = [
      await repo.slots(ideaIds, tx),
      await repo.feeds(ideaIds, tx),
      await repo.formsOf(
        rows.flatMap((r) => (r.storyId ? [r.storyId] : [])),
        tx,
      ),
    ];
    const formOf = new Map(forms.map((f) => [`${f.storyId}:${f.form}`, f]));
    return rows.map((r) => {
      const active = r.status === 'proposed' || r.status === 'accepted';
      const passed = (at: Date | null) => at !== null && at.getTime() <= now.getTime();
      const mine: BoardSlot[] = slots
        .filter((s) => s.ideaId === r.id)
        .sort((a, b) => FORMS.indexOf(a.form) - FORMS.indexOf(b.form))
        .map((s) => {
          const f = r.storyId ? formOf.get(`${r.storyId}:${s.form}`) : undefined;
          const status = f?.status ?? null;
          const due = s.dueAt ?? r.deadline;
          return {
            form: s.form,
            target: s.target,
            dueAt: s.dueAt?.toISOString() ?? null,
            status,
            url: f?.url ?? null,
            late: active && passed(due) && !(status && DONE.includes(status)),
          };
        });
      const allDone = mine.length > 0 && mine.every((s) => s.status && DONE.includes(s.status));
      return {
        id: r.id,
        studioId: r.studioId,
        studioName: r.studioName,
        day: r.day,
        title: r.title,
        summary: r.summary,
        ownerId: r.ownerId,
        ownerName: r.ownerName,
        deadline: r.deadline?.toISOString() ?? null,
        status: r.status,
        storyId: r.storyId,
        storyHeadline: r.storyHeadline,
        slots: mine,
        feeds: feeds.filter((f) => f.ideaId === r.id).map((f) => ({ submissionId: f.submissionId, title: f.title, status: f.status })),
        late: mine.some((s) => s.late) || (active && passed(r.deadline) && !allDone),
        createdBy: r.createdBy,
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      };
    });
  }

  async function loadInScope(actor: Actor, id: string, tx: Db) {
    const row = await repo.lockIdea(id, tx);
    if (!row) throw new AppError('kitchen.idea_not_found');
    await scope.assertCovers(actor, row.studioId, tx);
    return row;
  }

  async function presentOne(id: string, tx: Db): Promise<Idea> {
    const row = await repo.getIdea(id, tx);
    return (await present([row!], clock.now(), tx))[0]!;
  }

  function counts(ideas: Idea[]): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const i of ideas) {
      if (i.status === 'dropped') continue;
      for (const s of i.slots) {
        const byStatus = (out[s.form] ??= {});
        const k = s.status ?? 'none';
        byStatus[k] = (byStatus[k] ?? 0) + 1;
      }
    }
    return out;
  }

  /** Sums of the studio's contributor videos' figures (highest-so-far per publication, as the dashboards count). */
  async function figuresOf(studioId: string, now: Date) {
    const f = { views: 0, likes: 0, comments: 0, shares: 0 };
    for (const x of await deps.figures.figures({ kind: 'studio', id: studioId }, now)) {
      f.views += x.views;
      f.likes += x.likes;
      f.comments += x.comments;
      f.shares += x.shares;
    }
    return { ...f, reach: reachOf(f) };
  }

  async function overviews(studioRows: { id: string; name: string; leadUserId: string | null }[], s: KitchenScope, now: Date): Promise<StudioOverview[]> {
    const studioIds = studioRows.map((r) => r.id);
    const dayStart = startOfDayShanghai(now);
    // Monday 00:00 in Shanghai: 1970-01-01 was a Thursday.
    const dayIndex = Math.round((dayStart.getTime() + SHANGHAI_MS) / DAY_MS);
    const weekStart = new Date(dayStart.getTime() - ((dayIndex + 3) % 7) * DAY_MS);
    const [queue, stages, published, today] = [
      await repo.queueCounts(studioIds),
      await repo.stageCounts(studioIds),
      await repo.publishedCounts(studioIds, dayStart, weekStart, now),
      await present(await repo.listIdeas({ day: newsroomDay(now), scope: filterOf(s) }), now),
    ];
    const out: StudioOverview[] = [];
    for (const st of studioRows) {
      const stage = Object.fromEntries(FORM_STATUSES.map((k) => [k, 0])) as Record<FormStatus, number>;
      for (const x of stages) if (x.studioId === st.id) stage[x.status] += x.n;
      const channels = FORMS.map((form) => {
        const hit = published.find((p) => p.studioId === st.id && p.form === form);
        return { form, today: hit?.today ?? 0, week: hit?.week ?? 0 };
      }).filter((c) => c.week > 0);
      const late = today.filter((i) => i.studioId === st.id).reduce((n, i) => n + (i.slots.filter((x) => x.late).length || (i.late ? 1 : 0)), 0);
      out.push({
        id: st.id,
        name: st.name,
        leadUserId: st.leadUserId,
        queue: queue.get(st.id) ?? 0,
        stages: stage,
        channels,
        figures: await figuresOf(st.id, now),
        late,
      });
    }
    return out;
  }

  return {
    async listIdeas(actor: Actor | null | undefined, q: { day?: string; studioId?: string }): Promise<Idea[]> {
      const s = await scope.forActor(actor, 'kitchen.plan');
      if (q.day !== undefined) parseDay(q.day);
      if (q.studioId !== undefined) await checkStudio(s, q.studioId, db);
      return present(await repo.listIdeas({ day: q.day, studioId: q.studioId, scope: filterOf(s) }), clock.now());
    },

    async createIdea(actor: Actor | null | undefined, input: IdeaCreate): Promise<Idea> {
      assertCan(actor, 'kitchen.plan');
      const day = parseDay(input.day);
      const slots = checkSlots(input.slots);
      return db.transaction(async (tx) => {
        const s = await scope.forActor(actor, 'kitchen.plan', tx);
        await checkStudio(s, input.studioId, tx);
        await checkOwner(input.ownerId, tx);
        const feeds = await checkFeeds(actor, input.feeds, tx);
        const now = clock.now();
        const row = await repo.insertIdea(
          {
            studioId: input.studioId,
            day,
            title: input.title,
            summary: input.summary,
            ownerId: input.ownerId,
            deadline: input.deadline ? new Date(input.deadline) : null,
            createdBy: actor.id,
            createdAt: now,
            updatedAt: now,
          },
          tx,
        );
        await repo.replaceSlots(row.id, slots, tx);
        await repo.replaceFeeds(row.id, feeds, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'kitchen.idea_create',
            objectType: 'story_idea',
            objectId: row.id,
            data: { day, studioId: input.studioId, forms: slots.map((x) => x.form), feeds: feeds.length },
          },
          tx,
        );
        return presentOne(row.id, tx);
      });
    },

    async updateIdea(actor: Actor | null | undefined, id: string, patch: IdeaPatch): Promise<Idea> {
      assertCan(actor, 'kitchen.plan');
      if (patch.day !== undefined) parseDay(patch.day);
      const slots = patch.slots ? checkSlots(patch.slots) : undefined;
      return db.transaction(async (tx) => {
        const row = await loadInScope(actor, id, tx);
        const s = await scope.forActor(actor, 'kitchen.plan', tx);
        if (patch.studioId !== undefined) await checkStudio(s, patch.studioId, tx);
        if (patch.ownerId !== undefined) await checkOwner(patch.ownerId, tx);
        const feeds = patch.feeds ? await checkFeeds(actor, patch.feeds, tx) : undefined;
        if (patch.storyId) {
          const story = await repo.getStory(patch.storyId, tx);
          if (!story) throw new AppError('kitchen.story_not_found');
          if (!covers(s, story.studioId)) throw new AppError('kitchen.out_of_scope');
        }
        const changed = Object.keys(patch);
        await repo.updateIdea(
          id,
          {
            title: patch.title,
            summary: patch.summary,
            studioId: patch.studioId,
            day: patch.day,
            ownerId: patch.ownerId,
            deadline: patch.deadline === undefined ? undefined : patch.deadline === null ? null : new Date(patch.deadline),
            status: patch.status,
            storyId: patch.storyId,
            updatedAt: clock.now(),
          },
          tx,
        );
        if (slots) await repo.replaceSlots(id, slots, tx);
        if (feeds) await repo.replaceFeeds(id, feeds, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'kitchen.idea_update',
            objectType: 'story_idea',
            objectId: id,
            data: { fields: changed, ...(patch.status && patch.status !== row.status ? { from: row.status, to: patch.status } : {}) },
          },
          tx,
        );
        return presentOne(id, tx);
      });
    },

    /** A story from the idea (headline = title, standfirst = summary), revision 1, a `planned` form per slot; the idea is accepted. */
    async createStory(actor: Actor | null | undefined, id: string): Promise<Idea> {
      assertCan(actor, 'kitchen.plan');
      assertCan(actor, 'kitchen.write');
      return db.transaction(async (tx) => {
        const row = await loadInScope(actor, id, tx);
        if (row.storyId) throw new AppError('kitchen.idea_has_story');
        if (row.status === 'dropped') throw new AppError('kitchen.idea_dropped');
        const forms = (await repo.slots([id], tx)).map((x) => x.form);
        const now = clock.now();
        const storyId = await repo.createStory(
          { studioId: row.studioId, headline: row.title, standfirst: row.summary.slice(0, 1000), authorId: actor.id, forms, now },
          tx,
        );
        await repo.updateIdea(id, { storyId, status: row.status === 'proposed' ? 'accepted' : row.status, updatedAt: now }, tx);
        await deps.audit.create({ actorId: actor.id, action: 'kitchen.idea_story', objectType: 'story_idea', objectId: id, data: { storyId, forms } }, tx);
        return presentOne(id, tx);
      });
    },

    async board(actor: Actor | null | undefined, q: { day?: string; studioId?: string }): Promise<Board> {
      const s = await scope.forActor(actor, 'kitchen.plan');
      const now = clock.now();
      const day = q.day !== undefined ? parseDay(q.day) : newsroomDay(now);
      if (q.studioId !== undefined) await checkStudio(s, q.studioId, db);
      const ideas = await present(await repo.listIdeas({ day, studioId: q.studioId, scope: filterOf(s) }), now);
      // Every studio in scope gets its column, even with nothing planned yet; the central desk when it has ideas.
      const studios = q.studioId !== undefined ? [await repo.getStudio(q.studioId)] : await repo.listStudios(s.all ? null : s.studioIds);
      const columns: Board['studios'] = studios.flatMap((st) => (st ? [{ studioId: st.id, name: st.name, ideas: [] as Idea[], counts: {}, late: 0 }] : []));
      const central = ideas.filter((i) => i.studioId === null);
      if (central.length) columns.push({ studioId: null, name: null, ideas: [], counts: {}, late: 0 });
      for (const i of ideas) columns.find((c) => c.studioId === i.studioId)?.ideas.push(i);
      for (const c of columns) {
        c.counts = counts(c.ideas);
        c.late = c.ideas.filter((i) => i.late).length;
      }
      return {
        day,
        timeZone: 'Asia/Shanghai',
        now: now.toISOString(),
        studios: columns,
        late: ideas
          .filter((i) => i.late)
          .map((i) => ({
            ideaId: i.id,
            title: i.title,
            studioId: i.studioId,
            forms: i.slots.filter((x) => x.late).map((x) => x.form),
            deadline: i.deadline !== null && new Date(i.deadline).getTime() <= now.getTime(),
          })),
      };
    },

    async studios(actor: Actor | null | undefined): Promise<StudioOverview[]> {
      const s = await scope.forActor(actor, 'kitchen.plan');
      const now = clock.now();
      return overviews(await repo.listStudios(s.all ? null : s.studioIds), s, now);
    },

    async studio(actor: Actor | null | undefined, id: string): Promise<StudioDetail> {
      const s = await scope.forActor(actor, 'kitchen.plan');
      const st = await repo.getStudio(id);
      if (!st) throw new AppError('studio.not_found');
      if (!covers(s, id)) throw new AppError('kitchen.out_of_scope');
      const now = clock.now();
      const [overview] = await overviews([st], s, now);
      const storyRows = await repo.studioStories(id, STUDIO_STORIES);
      const forms = await repo.formsOf(storyRows.map((r) => r.id));
      return {
        ...overview!,
        ideas: await present(await repo.listIdeas({ day: newsroomDay(now), studioId: id, scope: { all: true } }), now),
        stories: storyRows.map((r) => ({
          id: r.id,
          headline: r.headline,
          updatedAt: r.updatedAt.toISOString(),
          forms: forms
            .filter((f) => f.storyId === r.id)
            .sort((a, b) => FORMS.indexOf(a.form) - FORMS.indexOf(b.form))
            .map((f) => ({ form: f.form, status: f.status, url: f.url })),
        })),
        reviewQueue: (await repo.reviewQueue(id)).map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() })),
        queueItems: await repo.queueItems(id, STUDIO_QUEUE),
      };
    },
  };
}
export type PlanService = ReturnType<typeof createPlanService>;
