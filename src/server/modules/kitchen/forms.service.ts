import {
  FORM_CONTENT_SCHEMAS,
  FORM_HTML_FIELDS,
  FORM_LIMITS,
  VIDEO_LED_FORMS,
  countChars,
  type Form,
  type FormStatus,
  type ReviewEntry,
  type StoryFormView,
} from '../../../contracts/kitchen.js';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import type { StoryFormRow, StoryRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { translate } from '../../lib/messages.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { FormsRepository } from './forms.repository.js';
import type { KitchenScopeService } from './kitchen.scope.js';
import { stepRole, type ReviewService } from './review.service.js';
import { sanitizeStoryHtml } from './sanitize.js';

/** Cuts to `max` characters (code points), ending with … when something was cut. */
export function cut(s: string, max: number): string {
  const chars = [...s.trim()];
  return chars.length <= max ? chars.join('') : chars.slice(0, max - 1).join('') + '…';
}

/** Text of a bit of HTML, for the forms that take plain text. */
const plain = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export interface StoryMaterial {
  story: StoryRow;
  imageIds: string[];
  videoIds: string[];
  newspaperColumns: number;
}

/** A form's first content, derived from the story (docs/kitchen-review.md, "Forms"). */
export function deriveContent(form: Form, m: StoryMaterial): Record<string, unknown> {
  const { story } = m;
  const body = sanitizeStoryHtml(story.bodyHtml);
  switch (form) {
    case 'print':
      return {
        headline: cut(story.headline, 60),
        standfirst: cut(story.standfirst, 300),
        bodyHtml: body,
        columns: Math.min(4, m.newspaperColumns),
        edition: null,
        page: '',
        imageIds: m.imageIds.slice(0, 6),
      };
    case 'web':
    case 'app':
      return { headline: cut(story.headline, 80), standfirst: cut(story.standfirst, 500), bodyHtml: body };
    case 'weibo': {
      const text = story.standfirst ? `【${story.headline.trim()}】${plain(story.standfirst)}` : story.headline;
      return { text: cut(text, 110) };
    }
    case 'wechat':
      return { title: cut(story.headline, 32), digest: cut(plain(story.standfirst), 120), author: cut(story.byline, 16), bodyHtml: body };
    case 'toutiao':
    case 'penguin':
      return { title: cut(story.headline, 30), summary: cut(plain(story.standfirst), 120) };
    case 'screen':
      return {
        headline: cut(story.headline, 24),
        subline: cut(plain(story.standfirst), 80),
        imageId: m.imageIds[0] ?? null,
        videoSubmissionId: m.imageIds[0] ? null : (m.videoIds[0] ?? null),
      };
  }
}

const ACTION_RANK = { submit: 0, approve: 1, send_back: 2, restart: 3 } as const;
/** Order within a form's history: by round, then step, then submit < approve < send back < restart (exact even when two share a timestamp). */
const historyOrder = (r: { round: number; step: number; action: keyof typeof ACTION_RANK }) => r.round * 1000 + r.step * 10 + ACTION_RANK[r.action];

export interface FieldError {
  field: string;
  message: string;
  limit?: number;
  count?: number;
}

/**
 * Checks a form's content: limits counted in characters (一个汉字 counts one), required fields,
 * then the form's schema; HTML fields are sanitised first. Throws 400 `kitchen.form_invalid`
 * with one error per field in the request's language.
 */
export function checkContent(form: Form, raw: Record<string, unknown>, m: StoryMaterial, locale: Locale): Record<string, unknown> {
  const content: Record<string, unknown> = { ...raw };
  for (const f of FORM_HTML_FIELDS) if (typeof content[f] === 'string') content[f] = sanitizeStoryHtml(content[f] as string);
  const errors: FieldError[] = [];
  const limits = FORM_LIMITS[form];
  // The schemas count UTF-16 units; the shadow copy makes them count characters as an editor does.
  const shadow: Record<string, unknown> = { ...content };
  for (const [field, limit] of Object.entries(limits)) {
    const v = content[field];
    if (typeof v !== 'string') continue;
    const count = countChars(v);
    shadow[field] = 'x'.repeat(Math.min(count, limit));
    if (count > limit) errors.push({ field, limit, count, message: translate('kitchen.field_too_long', locale, { field, limit, count }) });
  }
  const parsed = FORM_CONTENT_SCHEMAS[form].safeParse(shadow);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.length ? issue.path.map(String).join('.') : '(content)';
      if (errors.some((e) => e.field === field || field.startsWith(`${e.field}.`))) continue;
      const empty = issue.code === 'too_small' && typeof shadow[field] === 'string';
      errors.push({
        field,
        message: empty ? translate('kitchen.field_required', locale, { field }) : translate('kitchen.field_invalid', locale, { field, detail: issue.message }),
      });
    }
  }
  if (form === 'print' && typeof content.columns === 'number' && content.columns > m.newspaperColumns) {
    errors.push({ field: 'columns', limit: m.newspaperColumns, message: translate('kitchen.columns_too_many', locale, { limit: m.newspaperColumns }) });
  }
  const media: [string, unknown, string[]][] = [];
  if (form === 'print' && Array.isArray(content.imageIds)) for (const id of content.imageIds) media.push(['imageIds', id, m.imageIds]);
  if (form === 'screen') {
    if (content.imageId) media.push(['imageId', content.imageId, m.imageIds]);
    if (content.videoSubmissionId) media.push(['videoSubmissionId', content.videoSubmissionId, m.videoIds]);
  }
  for (const [field, id, own] of media) {
    if (typeof id === 'string' && !own.includes(id) && !errors.some((e) => e.field === field || e.field.startsWith(`${field}.`))) {
      errors.push({ field, message: translate('kitchen.unknown_media', locale, { field }) });
    }
  }
  if (errors.length) throw new AppError('kitchen.form_invalid', { detail: errors.map((e) => e.message).join('；') }, { details: { fields: errors } });
  return content;
}

export function createFormsService(deps: {
  db: Db;
  repo: FormsRepository;
  review: ReviewService;
  audit: AuditRepository;
  scope: KitchenScopeService;
  clock: Clock;
}) {
  const { db, repo, review, audit, scope, clock } = deps;

  async function material(story: StoryRow, tx: Db, newspaperId?: string | null): Promise<StoryMaterial & { newspaperId: string | null }> {
    const paper = newspaperId ? await repo.newspaper(newspaperId, tx) : await repo.defaultNewspaper(tx);
    return {
      story,
      imageIds: await repo.imageIds(story.id, tx),
      videoIds: await repo.videoIds(story.id, tx),
      newspaperColumns: paper?.columns ?? 6,
      newspaperId: paper?.id ?? null,
    };
  }

  async function storyInScope(actor: Actor, storyId: string, tx: Db = db) {
    const s = await repo.story(storyId, tx);
    if (!s) throw new AppError('kitchen.story_not_found');
    await scope.assertCovers(actor, s.story.studioId, tx);
    return s;
  }

  async function list(actor: Actor, storyId: string) {
    assertCan(actor, 'kitchen.write');
    const s = await storyInScope(actor, storyId);
    const rows = await repo.forms(storyId);
    const steps = await review.stepsFor(s.story.studioId);
    const reviews = await repo.reviews(rows.map((r) => r.id));
    const names = await repo.userNames([...rows.map((r) => r.updatedBy).filter((x): x is string => !!x), ...(s.leadUserId ? [s.leadUserId] : [])]);
    const videoIds = await repo.videoIds(storyId);
    const forms: StoryFormView[] = rows.map((row) => {
      const history: ReviewEntry[] = reviews
        .filter((r) => r.review.storyFormId === row.id)
        .sort((a, b) => historyOrder(a.review) - historyOrder(b.review) || a.review.at.getTime() - b.review.at.getTime())
        .map(({ review: r, actorName }) => ({
          action: r.action,
          round: r.round,
          step: r.step,
          role: r.action === 'approve' || r.action === 'send_back' ? stepRole(steps, r.step) : null,
          note: r.note,
          actor: { id: r.actorId, name: actorName },
          at: r.at.toISOString(),
        }));
      const thisRound = history.filter((h) => h.round === row.reviewRound);
      const submitter = [...thisRound].reverse().find((h) => h.action === 'submit')?.actor.id ?? null;
      const lastSendBack = [...thisRound].reverse().find((h) => h.action === 'send_back') ?? null;
      const role = row.status === 'in_review' && row.reviewStep !== null ? stepRole(steps, row.reviewStep) : null;
      const holderUser = role === 'studio_lead' && s.leadUserId ? { id: s.leadUserId, name: names.get(s.leadUserId) ?? '' } : null;
      return {
        id: row.id,
        storyId: row.storyId,
        form: row.form,
        status: row.status,
        content: row.content,
        version: row.version,
        reviewRound: row.reviewRound,
        reviewStep: row.reviewStep,
        holder: role ? { step: row.reviewStep!, role, user: holderUser } : null,
        youMayAct: role ? review.canAct(actor, role, { leadUserId: s.leadUserId, submitterId: submitter }) : false,
        chain: steps,
        // Back in edit, the round's approvals no longer count: the next submit starts again.
        approvals: row.status === 'in_edit' || row.status === 'planned' ? [] : thisRound.filter((h) => h.action === 'approve'),
        sendBackNote: row.status === 'in_edit' ? lastSendBack : null,
        history,
        url: row.url,
        lastError: row.lastError,
        publishedAt: row.publishedAt?.toISOString() ?? null,
        updatedAt: row.updatedAt.toISOString(),
        updatedBy: row.updatedBy ? { id: row.updatedBy, name: names.get(row.updatedBy) ?? '' } : null,
      };
    });
    return {
      story: { id: s.story.id, headline: s.story.headline, studioId: s.story.studioId, studioName: s.studioName, hasVideo: videoIds.length > 0 },
      forms,
    };
  }

  const viewOf = async (actor: Actor, storyId: string, form: Form) => (await list(actor, storyId)).forms.find((f) => f.form === form)!;

  return {
    list,

    /**
     * Creates a form derived from the story (`in_edit`), or reserves it (`planned`, no content
     * yet). A planned form is filled in by a later PUT; an existing one answers 409 `kitchen.form_exists`.
     */
    async create(actor: Actor, storyId: string, form: Form, status: Extract<FormStatus, 'planned' | 'in_edit'>, locale: Locale) {
      assertCan(actor, 'kitchen.write');
      const created = await db.transaction(async (tx) => {
        const s = await storyInScope(actor, storyId, tx);
        const existing = await repo.form(storyId, form, tx, true);
        if (existing && !(existing.status === 'planned' && status === 'in_edit')) throw new AppError('kitchen.form_exists');
        const m = await material(s.story, tx, existing?.newspaperId);
        if (status === 'in_edit' && (VIDEO_LED_FORMS as readonly Form[]).includes(form) && m.videoIds.length === 0)
          throw new AppError('kitchen.form_needs_video');
        const content = status === 'planned' ? {} : checkContent(form, deriveContent(form, m), m, locale);
        const at = clock.now();
        let row: StoryFormRow | null;
        if (existing) {
          row = await repo.updateForm(
            existing.id,
            { version: existing.version, status: 'planned' },
            { status: 'in_edit', content, updatedBy: actor.id, updatedAt: at },
            tx,
          );
        } else {
          row = await repo.insertForm({ storyId, form, status, content, newspaperId: form === 'print' ? m.newspaperId : null, updatedBy: actor.id, at }, tx);
        }
        if (!row) throw new AppError('kitchen.form_exists');
        await audit.create(
          { actorId: actor.id, action: 'kitchen.form_create', objectType: 'story_form', objectId: row.id, data: { storyId, form, status } },
          tx,
        );
        return !existing;
      });
      return { created, form: await viewOf(actor, storyId, form) };
    },

    /**
     * Edits a form's content under optimistic locking. A change to a form in review, ready or
     * published sends it back to `in_edit` and starts a new review round (only this form's).
     */
    async update(actor: Actor, storyId: string, form: Form, body: { version: number; content: Record<string, unknown> }, locale: Locale) {
      assertCan(actor, 'kitchen.write');
      await db.transaction(async (tx) => {
        const s = await storyInScope(actor, storyId, tx);
        const row = await repo.form(storyId, form, tx, true);
        if (!row) throw new AppError('kitchen.form_not_found');
        if (row.version !== body.version) {
          const who = row.updatedBy ? ((await repo.userNames([row.updatedBy], tx)).get(row.updatedBy) ?? '') : '';
          throw new AppError(
            'kitchen.stale_version',
            { name: who, at: row.updatedAt.toISOString(), version: row.version },
            {
              details: {
                currentVersion: row.version,
                updatedBy: row.updatedBy ? { id: row.updatedBy, name: who } : null,
                updatedAt: row.updatedAt.toISOString(),
              },
            },
          );
        }
        if (row.status === 'planned') throw new AppError('kitchen.form_planned');
        const m = await material(s.story, tx, row.newspaperId);
        const content = checkContent(form, { ...row.content, ...body.content }, m, locale);
        const restart = row.status === 'in_review' || row.status === 'ready' || row.status === 'published';
        const at = clock.now();
        const updated = await repo.updateForm(
          row.id,
          { version: row.version },
          restart
            ? { content, status: 'in_edit', reviewRound: row.reviewRound + 1, reviewStep: null, updatedBy: actor.id, updatedAt: at }
            : { content, updatedBy: actor.id, updatedAt: at },
          tx,
        );
        if (!updated) throw new AppError('kitchen.stale_version', { name: '', at: at.toISOString(), version: row.version + 1 });
        await audit.create(
          {
            actorId: actor.id,
            action: 'kitchen.form_update',
            objectType: 'story_form',
            objectId: row.id,
            data: { storyId, form, version: updated.version, fields: Object.keys(body.content) },
          },
          tx,
        );
        if (restart) {
          const steps = await review.stepsFor(s.story.studioId, tx);
          await repo.addReview(
            { storyFormId: row.id, round: row.reviewRound, step: row.reviewStep ?? steps.length, action: 'restart', actorId: actor.id, at },
            tx,
          );
          await audit.create(
            {
              actorId: actor.id,
              action: 'kitchen.form_restart',
              objectType: 'story_form',
              objectId: row.id,
              data: { storyId, form, from: row.status, round: row.reviewRound + 1 },
            },
            tx,
          );
        }
      });
      return viewOf(actor, storyId, form);
    },

    viewOf,
  };
}
export type FormsService = ReturnType<typeof createFormsService>;
