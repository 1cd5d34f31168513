import { DEFAULT_REVIEW_CHAIN, type Form, type ReviewStepRole } from '../../../contracts/kitchen.js';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import type { StoryFormRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, can, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { FormsRepository } from './forms.repository.js';
import type { KitchenScopeService } from './kitchen.scope.js';
import type { ReviewRepository } from './review.repository.js';

const ROLE_LABELS: Record<Locale, Record<ReviewStepRole, string>> = {
  'zh-CN': { editor: '编辑初审', studio_lead: '工作室负责人复审', chief_editor: '总编辑终审' },
  en: { editor: 'editor review', studio_lead: 'studio lead review', chief_editor: 'chief editor review' },
};

export interface ChainContext {
  studioId: string | null;
  leadUserId: string | null;
  steps: ReviewStepRole[];
}

/** The role of step `step` of a chain; a chain shortened while a form was in review ends at its last step. */
export function stepRole(steps: readonly ReviewStepRole[], step: number): ReviewStepRole {
  return steps[Math.min(step, steps.length - 1)]!;
}
/** True when `step` is the chain's last (the next approval makes the form ready). */
export const isLastStep = (steps: readonly ReviewStepRole[], step: number) => step >= steps.length - 1;

/**
 * Who may approve (or send back) a step (docs/kitchen-review.md, "Who holds a step"):
 * - `editor`: an editor or chief editor covering the story's studio, not the person who submitted this round;
 * - `studio_lead`: the lead of the story's studio; a chief editor when the studio has no lead or the story no studio;
 * - `chief_editor`: a chief editor.
 * Admin alone is none of these: an admin cannot bypass a chain.
 */
export function entitled(actor: Actor, role: ReviewStepRole, ctx: { leadUserId: string | null; submitterId: string | null }): 'ok' | 'self' | 'no' {
  const isChief = actor.roles.includes('chief_editor');
  switch (role) {
    case 'editor':
      if (!isChief && !actor.roles.includes('editor')) return 'no';
      return actor.id === ctx.submitterId ? 'self' : 'ok';
    case 'studio_lead':
      if (ctx.leadUserId) return actor.id === ctx.leadUserId && (isChief || actor.roles.includes('editor')) ? 'ok' : 'no';
      return isChief ? 'ok' : 'no';
    case 'chief_editor':
      return isChief ? 'ok' : 'no';
  }
}

export function createReviewService(deps: {
  db: Db;
  repo: ReviewRepository;
  forms: FormsRepository;
  audit: AuditRepository;
  scope: KitchenScopeService;
  clock: Clock;
}) {
  const { db, repo, forms, audit, scope, clock } = deps;

  async function stepsFor(studioId: string | null, tx: Db = db): Promise<ReviewStepRole[]> {
    if (!studioId) return [...DEFAULT_REVIEW_CHAIN];
    const row = await repo.chain(studioId, tx);
    return row ? [...row.chain.steps] : [...DEFAULT_REVIEW_CHAIN];
  }

  /** The story (in the actor's scope) and its form, locked for the transaction. */
  async function load(actor: Actor, storyId: string, form: Form, tx: Db) {
    const s = await forms.story(storyId, tx);
    if (!s) throw new AppError('kitchen.story_not_found');
    await scope.assertCovers(actor, s.story.studioId, tx);
    const row = await forms.form(storyId, form, tx, true);
    if (!row) throw new AppError('kitchen.form_not_found');
    const steps = await stepsFor(s.story.studioId, tx);
    return { s, row, steps };
  }

  /** The round's submitter, refusals for the wrong person, and the guard against a moved form. */
  async function assertHolds(
    actor: Actor,
    row: StoryFormRow,
    steps: ReviewStepRole[],
    leadUserId: string | null,
    guard: { round?: number; step?: number },
    locale: Locale,
    tx: Db,
  ) {
    if (row.status !== 'in_review' || row.reviewStep === null) {
      if (guard.round !== undefined || guard.step !== undefined) throw new AppError('kitchen.review_moved');
      throw new AppError('kitchen.form_not_in_review');
    }
    if ((guard.round !== undefined && guard.round !== row.reviewRound) || (guard.step !== undefined && guard.step !== row.reviewStep)) {
      throw new AppError('kitchen.review_moved');
    }
    const role = stepRole(steps, row.reviewStep);
    const submitter = (await repo.submitters([{ id: row.id, round: row.reviewRound }], tx)).get(row.id) ?? null;
    const verdict = entitled(actor, role, { leadUserId, submitterId: submitter?.id ?? null });
    if (verdict === 'self') throw new AppError('kitchen.self_approval');
    if (verdict === 'no') throw new AppError('kitchen.not_your_step', { role: ROLE_LABELS[locale][role] });
    return role;
  }

  const auditData = (row: StoryFormRow, extra: Record<string, unknown>) => ({ storyId: row.storyId, form: row.form, round: row.reviewRound, ...extra });

  return {
    stepsFor,
    roleLabel: (role: ReviewStepRole, locale: Locale) => ROLE_LABELS[locale][role],

    /** in_edit → in_review at step 0. A resubmission after a send-back starts a new round. */
    async submit(actor: Actor, storyId: string, form: Form) {
      assertCan(actor, 'kitchen.write');
      await db.transaction(async (tx) => {
        const { row } = await load(actor, storyId, form, tx);
        if (row.status !== 'in_edit') throw new AppError('kitchen.form_not_in_edit');
        const round = (await repo.hasSubmit(row.id, row.reviewRound, tx)) ? row.reviewRound + 1 : row.reviewRound;
        const at = clock.now();
        const moved = await forms.updateForm(
          row.id,
          { version: row.version, status: 'in_edit' },
          { status: 'in_review', reviewRound: round, reviewStep: 0, updatedAt: at },
          tx,
        );
        if (!moved) throw new AppError('kitchen.review_moved');
        await forms.addReview({ storyFormId: row.id, round, step: 0, action: 'submit', actorId: actor.id, at }, tx);
        await audit.create(
          { actorId: actor.id, action: 'kitchen.form_submit', objectType: 'story_form', objectId: row.id, data: auditData(row, { round }) },
          tx,
        );
      });
    },

    /** Approves the step that holds the form; the last step makes it `ready`. Two at once: one wins, the other 409 `kitchen.review_moved`. */
    async approve(actor: Actor, storyId: string, form: Form, guard: { round?: number; step?: number }, locale: Locale) {
      assertCan(actor, 'kitchen.review');
      await db.transaction(async (tx) => {
        const { s, row, steps } = await load(actor, storyId, form, tx);
        const role = await assertHolds(actor, row, steps, s.leadUserId, guard, locale, tx);
        const step = row.reviewStep!;
        const done = isLastStep(steps, step);
        const at = clock.now();
        const moved = await forms.updateForm(
          row.id,
          { version: row.version, status: 'in_review', reviewRound: row.reviewRound, reviewStep: step },
          done ? { status: 'ready', reviewStep: null, updatedAt: at } : { reviewStep: step + 1, updatedAt: at },
          tx,
        );
        if (!moved) throw new AppError('kitchen.review_moved');
        await forms.addReview({ storyFormId: row.id, round: row.reviewRound, step, action: 'approve', actorId: actor.id, at }, tx);
        await audit.create(
          { actorId: actor.id, action: 'kitchen.form_approve', objectType: 'story_form', objectId: row.id, data: auditData(row, { step, role, ready: done }) },
          tx,
        );
      });
    },

    /** Back to in_edit with a note the author reads; the next submit starts a new round. */
    async sendBack(actor: Actor, storyId: string, form: Form, body: { note: string; round?: number; step?: number }, locale: Locale) {
      assertCan(actor, 'kitchen.review');
      await db.transaction(async (tx) => {
        const { s, row, steps } = await load(actor, storyId, form, tx);
        const role = await assertHolds(actor, row, steps, s.leadUserId, body, locale, tx);
        const step = row.reviewStep!;
        const at = clock.now();
        const moved = await forms.updateForm(
          row.id,
          { version: row.version, status: 'in_review', reviewRound: row.reviewRound, reviewStep: step },
          { status: 'in_edit', reviewStep: null, updatedAt: at },
          tx,
        );
        if (!moved) throw new AppError('kitchen.review_moved');
        await forms.addReview({ storyFormId: row.id, round: row.reviewRound, step, action: 'send_back', note: body.note, actorId: actor.id, at }, tx);
        await audit.create(
          {
            actorId: actor.id,
            action: 'kitchen.form_send_back',
            objectType: 'story_form',
            objectId: row.id,
            data: auditData(row, { step, role, note: body.note }),
          },
          tx,
        );
      });
    },

    /** Forms whose current step the actor may approve, oldest waiting first. */
    async inbox(actor: Actor) {
      const sc = await scope.forActor(actor, 'kitchen.review');
      const rows = await repo.inReview(sc.all ? null : sc.studioIds);
      const studioIds = [...new Set(rows.map((r) => r.studioId).filter((x): x is string => x !== null))];
      const chains = new Map((await repo.chains(studioIds)).map((c) => [c.studioId, c.steps]));
      const submitters = await repo.submitters(rows.map((r) => ({ id: r.form.id, round: r.form.reviewRound })));
      const items = [];
      for (const r of rows) {
        const steps = (r.studioId && chains.get(r.studioId)) || [...DEFAULT_REVIEW_CHAIN];
        const step = r.form.reviewStep ?? 0;
        const role = stepRole(steps, step);
        const submitter = submitters.get(r.form.id) ?? null;
        if (entitled(actor, role, { leadUserId: r.leadUserId, submitterId: submitter?.id ?? null }) !== 'ok') continue;
        items.push({
          storyId: r.form.storyId,
          headline: r.headline,
          studioId: r.studioId,
          studioName: r.studioName,
          form: r.form.form,
          round: r.form.reviewRound,
          step,
          role,
          submittedBy: submitter,
          waitingSince: r.form.updatedAt.toISOString(),
        });
      }
      return { items };
    },

    async getChain(actor: Actor, studioId: string) {
      assertCan(actor, 'kitchen.review');
      const studio = await repo.studio(studioId);
      if (!studio) throw new AppError('studio.not_found');
      const row = await repo.chain(studioId);
      return {
        studioId,
        studioName: studio.name,
        steps: row ? [...row.chain.steps] : [...DEFAULT_REVIEW_CHAIN],
        isDefault: !row,
        updatedAt: row?.chain.updatedAt.toISOString() ?? null,
        updatedBy: row?.chain.updatedBy && row.updatedByName ? { id: row.chain.updatedBy, name: row.updatedByName } : null,
      };
    },

    /** Sets a studio's chain (chief editors). Forms already in review follow the new chain from the step they are at. */
    async putChain(actor: Actor, studioId: string, steps: ReviewStepRole[]) {
      assertCan(actor, 'kitchen.configure');
      await db.transaction(async (tx) => {
        const studio = await repo.studio(studioId, tx);
        if (!studio) throw new AppError('studio.not_found');
        const before = await repo.chain(studioId, tx);
        await repo.putChain(studioId, steps, actor.id, clock.now(), tx);
        await audit.create(
          {
            actorId: actor.id,
            action: 'kitchen.review_chain_set',
            objectType: 'studio',
            objectId: studioId,
            data: { studio: studio.name, from: before ? before.chain.steps : null, to: steps },
          },
          tx,
        );
      });
      return this.getChain(actor, studioId);
    },

    /** True when the actor may act on the step now holding this form (the page shows the buttons). */
    canAct(actor: Actor, role: ReviewStepRole, ctx: { leadUserId: string | null; submitterId: string | null }) {
      return can(actor, 'kitchen.review') && entitled(actor, role, ctx) === 'ok';
    },
  };
}
export type ReviewService = ReturnType<typeof createReviewService>;
