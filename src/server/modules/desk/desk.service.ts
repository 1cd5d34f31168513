import type { Locale } from '../../../contracts/common.js';
import type { TrustLevel } from '../../../contracts/desk.js';
import type { Db } from '../../db/client.js';
import type { SubmissionRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation, pgErrorCode } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { applyMultiplier, type AdoptionRewards } from '../rewards/rewards.service.js';
import type { SubmissionsRepository } from '../submissions/submissions.repository.js';
import type { SubmissionsService } from '../submissions/submissions.service.js';
import type { NewNotice } from '../propagation/propagation.repository.js';
import type { DeskRepository } from './desk.repository.js';
import type { StudioScope } from './desk.scope.js';

export interface DeskServiceDeps {
  db: Db;
  repo: DeskRepository;
  submissionsRepo: SubmissionsRepository;
  submissions: SubmissionsService;
  campaigns: CampaignsRepository;
  ledger: LedgerService;
  audit: AuditRepository;
  clock: Clock;
  /** The studio scope (desk.scope.ts): every item-level action checks it. */
  scope: StudioScope;
  claimMinutes?: number;
  /** Cumulative rewards: reach multiplier on the reward, bonus tiers after it (same transaction). */
  rewards?: AdoptionRewards;
  /** Inside the adoption's transaction, after its outbox row: queues the distribution dispatch. */
  afterAdopt?: (submissionId: string, tx: Db) => Promise<void>;
  /** Tells the contributor of a decision, inside the decision's transaction (notices.service `notify`; once per dedupe key). */
  notify?: (n: NewNotice, tx: Db) => Promise<unknown>;
}

/** new: nothing adopted yet; regular: 1–4 adopted; trusted: 5+ adopted and fewer rejections than adoptions. */
export function trustLevel(h: { adopted: number; rejected: number }): TrustLevel {
  if (h.adopted >= 5 && h.rejected < h.adopted) return 'trusted';
  if (h.adopted >= 1) return 'regular';
  return 'new';
}

export const adoptionKey = (submissionId: string) => `adoption:${submissionId}`;
export const gradeCorrectionKey = (submissionId: string, version: number) => `grade-correction:${submissionId}:v${version}`;

/** The assignment (任务) a video was shot for, as the queue and review show it. */
function assignmentRef(id: string | null, titles: Map<string, string>): { id: string; title: string } | null {
  const title = id ? titles.get(id) : undefined;
  return id && title !== undefined ? { id, title } : null;
}

export function createDeskService(deps: DeskServiceDeps) {
  const { db, repo, clock } = deps;
  const claimMs = (deps.claimMinutes ?? 15) * 60_000;

  // The studio scope lives in desk.scope.ts, shared with packaging, publishing, submissions and media.
  const scopeOf = (actor: Actor, tx: Db = db) => deps.scope.forDesk(actor, tx);
  async function assertInScope(actor: Actor, row: SubmissionRow, tx: Db = db): Promise<void> {
    assertCan(actor, 'desk.review');
    await deps.scope.assertCovers(actor, row, tx);
  }

  async function summaries(userIds: string[]) {
    const [history, names] = await Promise.all([repo.history(userIds), repo.userNames(userIds)]);
    return (id: string) => {
      const h = history.get(id) ?? { adopted: 0, rejected: 0 };
      return { id, name: names.get(id) ?? '', trust: trustLevel(h), adopted: h.adopted, rejected: h.rejected, totalReach: 0 };
    };
  }

  function presentClaim(c: { editorId: string; claimedAt: Date; expiresAt: Date } | undefined, names: Map<string, string>, actor: Actor) {
    if (!c) return null;
    return {
      editorId: c.editorId,
      editorName: names.get(c.editorId) ?? '',
      claimedAt: c.claimedAt.toISOString(),
      expiresAt: c.expiresAt.toISOString(),
      mine: c.editorId === actor.id,
    };
  }

  /** Inside a decision's transaction: the item is in review (or already decided) and not claimed by someone else. */
  async function lockForDecision(actor: Actor, id: string, tx: Db): Promise<SubmissionRow> {
    const row = await deps.submissionsRepo.getForUpdate(id, tx);
    if (!row) throw new AppError('submission.not_found');
    await assertInScope(actor, row, tx);
    const claim = await repo.getClaimForUpdate(id, tx);
    if (claim && claim.editorId !== actor.id && claim.expiresAt > clock.now()) {
      const names = await repo.userNames([claim.editorId], tx);
      throw new AppError('desk.claimed_by_other', { name: names.get(claim.editorId) ?? '' });
    }
    return row;
  }

  async function rewardFor(row: SubmissionRow, grade: string, tx: Db): Promise<number> {
    const campaign = await deps.campaigns.get(row.campaignId, tx);
    const hit = campaign?.rules.grades.find((g) => g.grade === grade);
    if (!hit) throw new AppError('desk.unknown_grade', { grade, grades: campaign?.rules.grades.map((g) => g.grade).join(', ') ?? '' });
    return hit.rewardFen;
  }

  function presentDecision(row: SubmissionRow, locale: Locale, transferId: string | null) {
    return { submission: { ...deps.submissions.present(row, locale, true), grade: row.grade }, transferId };
  }

  return {
    trustLevel,

    async queue(
      actor: Actor,
      q: { campaignId?: string; theme?: string; duplicate?: 'true' | 'false'; trust?: TrustLevel; studioId?: string; limit: number },
      locale: Locale,
    ) {
      const scope = await scopeOf(actor);
      let studioIds: string[] | undefined = scope.all ? undefined : scope.studioIds;
      if (q.studioId) {
        if (studioIds && !studioIds.includes(q.studioId)) throw new AppError('desk.out_of_scope');
        studioIds = [q.studioId];
      }
      // Trust is derived from history, so filter after reading a wider page.
      const rows = await repo.listQueue({
        campaignId: q.campaignId,
        theme: q.theme,
        duplicate: q.duplicate === undefined ? undefined : q.duplicate === 'true',
        studioIds,
        includeUnrouted: !q.studioId && !scope.all,
        limit: q.trust ? Math.min(q.limit * 5, 1000) : q.limit,
      });
      const now = clock.now();
      const summary = await summaries([...new Set(rows.map((r) => r.row.userId))]);
      const claims = await repo.listClaims(
        rows.map((r) => r.row.id),
        now,
      );
      const names = await repo.userNames([...new Set(claims.map((c) => c.editorId))]);
      const assignmentIds = [...new Set(rows.flatMap((r) => (r.row.assignmentId ? [r.row.assignmentId] : [])))];
      const titles = await repo.assignmentTitles(assignmentIds);
      const items = rows
        .map(({ row, studioId }) => ({
          submission: deps.submissions.present(row, locale, true),
          contributor: summary(row.userId),
          waitingSeconds: Math.max(0, Math.floor((now.getTime() - (row.processedAt ?? row.createdAt).getTime()) / 1000)),
          claim: presentClaim(
            claims.find((c) => c.submissionId === row.id),
            names,
            actor,
          ),
          studioId,
          assignment: assignmentRef(row.assignmentId, titles),
        }))
        .filter((i) => !q.trust || i.contributor.trust === q.trust)
        .slice(0, q.limit);
      return { items };
    },

    async review(actor: Actor, id: string, locale: Locale) {
      const row = await deps.submissionsRepo.get(id);
      if (!row) throw new AppError('submission.not_found');
      await assertInScope(actor, row);
      const campaign = await deps.campaigns.get(row.campaignId);
      const [claims, notes, summary] = await Promise.all([repo.listClaims([id], clock.now()), repo.listNotes(id), summaries([row.userId])]);
      const names = await repo.userNames([...new Set([...claims.map((c) => c.editorId), ...notes.map((n) => n.authorId)])]);
      const titles = await repo.assignmentTitles(row.assignmentId ? [row.assignmentId] : []);
      const out = row.outputs;
      return {
        submission: { ...deps.submissions.present(row, locale, true), grade: row.grade, spriteVttUrl: out?.spriteVtt ? `/api/media/${out.spriteVtt}` : null },
        contributor: summary(row.userId),
        claim: presentClaim(claims[0], names, actor),
        notes: notes.map((n) => ({
          id: n.id,
          authorId: n.authorId,
          authorName: names.get(n.authorId) ?? '',
          body: n.body,
          createdAt: n.createdAt.toISOString(),
        })),
        grades: campaign?.rules.grades ?? [],
        assignment: assignmentRef(row.assignmentId, titles),
      };
    },

    /** Takes (or renews) the item for `claimMinutes`; someone else's live claim is a 409. */
    async claim(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const row = await lockForDecision(actor, id, tx);
        if (row.status !== 'in_review') throw new AppError('desk.not_in_review');
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + claimMs);
        await repo.upsertClaim({ submissionId: id, editorId: actor.id, claimedAt: now, expiresAt }, tx);
        const names = await repo.userNames([actor.id], tx);
        return { claim: presentClaim({ editorId: actor.id, claimedAt: now, expiresAt }, names, actor)! };
      });
    },

    async release(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        await lockForDecision(actor, id, tx);
        await repo.deleteClaim(id, tx);
      });
    },

    /**
     * One transaction: the submission becomes adopted, the reward is posted to the ledger and
     * the publication is queued. A repeat (double click, retry after a timeout) with the same
     * grade returns the same result and pays nothing more.
     */
    async adopt(actor: Actor, id: string, grade: string, locale: Locale) {
      return db.transaction(async (tx) => {
        const row = await lockForDecision(actor, id, tx);
        if (row.status === 'adopted') {
          if (row.grade !== grade) throw new AppError('desk.already_adopted', { grade: row.grade ?? '' });
          // The reward was posted with the multiplier of its day; answer with that transfer rather than re-deriving it.
          const recorded = await deps.rewards?.recordedAdoption(row.id, tx);
          if (recorded) return presentDecision(row, locale, recorded.transferId);
          const again = await deps.ledger.post(await rewardTransfer(row, grade, tx), tx);
          return presentDecision(row, locale, again.id);
        }
        if (row.status !== 'in_review') throw new AppError('desk.not_in_review');
        const now = clock.now();
        const updated = (await deps.submissionsRepo.update(id, { status: 'adopted', grade, adoptedAt: now, adoptedBy: actor.id, reviewedBy: actor.id }, tx))!;
        const multiplierPercent = (await deps.rewards?.multiplierFor({ userId: row.userId, campaignId: row.campaignId }, tx)) ?? 100;
        const transfer = await deps.ledger.post(await rewardTransfer(updated, grade, tx, actor.id, multiplierPercent), tx);
        await deps.rewards?.afterAdoption({ userId: row.userId, campaignId: row.campaignId, actorId: actor.id, submissionId: id }, tx);
        await repo.enqueuePublication(id, tx);
        await deps.afterAdopt?.(id, tx);
        await repo.deleteClaim(id, tx);
        await deps.notify?.(
          {
            userId: row.userId,
            kind: 'adopted',
            submissionId: id,
            params: { grade, rewardFen: applyMultiplier(await rewardFor(updated, grade, tx), multiplierPercent) },
            dedupeKey: `adopted:${id}`,
          },
          tx,
        );
        await deps.audit.create(
          { actorId: actor.id, action: 'submission.adopt', objectType: 'submission', objectId: id, data: { grade, transferId: transfer.id } },
          tx,
        );
        return presentDecision(updated, locale, transfer.id);
      });
    },

    async reject(actor: Actor, id: string, input: { reason: string; note?: string }, locale: Locale) {
      return db.transaction(async (tx) => {
        const row = await lockForDecision(actor, id, tx);
        const code = `desk.reason.${input.reason}`;
        if (row.status === 'rejected' && row.rejectionCode === code) return presentDecision(row, locale, null);
        if (row.status !== 'in_review') throw new AppError('desk.not_in_review');
        const updated = (await deps.submissionsRepo.update(
          id,
          { status: 'rejected', rejectionCode: code, rejectionParams: { note: input.note ? ` — ${input.note}` : '' }, reviewedBy: actor.id },
          tx,
        ))!;
        await repo.deleteClaim(id, tx);
        // The reason goes as its code, so the contributor reads it in their own language.
        await deps.notify?.(
          {
            userId: row.userId,
            kind: 'rejected',
            submissionId: id,
            params: { reasonCode: code, note: input.note ? ` — ${input.note}` : '' },
            dedupeKey: `rejected:${id}`,
          },
          tx,
        );
        await deps.audit.create(
          { actorId: actor.id, action: 'submission.reject', objectType: 'submission', objectId: id, data: { reason: input.reason, note: input.note ?? null } },
          tx,
        );
        return presentDecision(updated, locale, null);
      });
    },

    /**
     * A grade change after adoption posts a correcting transfer for the difference; the
     * adoption's transfer is never edited. `expectedGrade` makes retries and races harmless.
     */
    async regrade(actor: Actor, id: string, input: { grade: string; expectedGrade: string }, locale: Locale) {
      return db.transaction(async (tx) => {
        const row = await lockForDecision(actor, id, tx);
        if (row.status !== 'adopted') throw new AppError('desk.not_adopted');
        if (row.grade === input.grade) return presentDecision(row, locale, null);
        if (row.grade !== input.expectedGrade) throw new AppError('desk.grade_changed', { grade: row.grade ?? '' });
        // Corrections carry the adoption's multiplier, so reward + corrections = multiplied current grade.
        const multiplierPercent = (await deps.rewards?.recordedAdoption(id, tx))?.multiplierPercent ?? 100;
        const before = applyMultiplier(await rewardFor(row, row.grade!, tx), multiplierPercent);
        const after = applyMultiplier(await rewardFor(row, input.grade, tx), multiplierPercent);
        const version = row.gradeVersion + 1;
        const updated = (await deps.submissionsRepo.update(id, { grade: input.grade, gradeVersion: version }, tx))!;
        let transferId: string | null = null;
        if (after !== before) {
          const [contributor, budget] = await Promise.all([
            deps.ledger.ensureContributorAccount(row.userId, tx),
            deps.ledger.systemAccount('campaign_budget', row.campaignId, tx),
          ]);
          const diff = after - before;
          const t = await deps.ledger.post(
            {
              idempotencyKey: gradeCorrectionKey(id, version),
              kind: 'grade_correction',
              entries: [
                { accountId: contributor.id, amountFen: diff },
                { accountId: budget.id, amountFen: -diff },
              ],
              refs: { submissionId: id, campaignId: row.campaignId, from: row.grade, to: input.grade, multiplierPercent },
              memo: `${row.grade} → ${input.grade}`,
              actorId: actor.id,
              // A lower grade after the contributor withdrew claws back: the balance goes below
              // zero and later earnings settle it first (docs/ledger.md, "Claw-back").
              mayOverdraw: true,
            },
            tx,
          );
          transferId = t.id;
        }
        await deps.notify?.(
          {
            userId: row.userId,
            kind: 'regraded',
            submissionId: id,
            params: { from: row.grade ?? '', to: input.grade, diffFen: after - before },
            dedupeKey: `regraded:${id}:v${version}`,
          },
          tx,
        );
        await deps.audit.create(
          { actorId: actor.id, action: 'submission.regrade', objectType: 'submission', objectId: id, data: { from: row.grade, to: input.grade, transferId } },
          tx,
        );
        return presentDecision(updated, locale, transferId);
      });
    },

    async addNote(actor: Actor, id: string, body: string) {
      const row = await deps.submissionsRepo.get(id);
      if (!row) throw new AppError('submission.not_found');
      await assertInScope(actor, row);
      const note = await repo.createNote({ submissionId: id, authorId: actor.id, body });
      const names = await repo.userNames([actor.id]);
      return { id: note.id, authorId: note.authorId, authorName: names.get(actor.id) ?? '', body: note.body, createdAt: note.createdAt.toISOString() };
    },

    // ---- studios ----
    async listStudios(actor: Actor) {
      assertCan(actor, 'desk.review');
      return repo.listStudios();
    },

    async saveStudio(
      actor: Actor,
      id: string | null,
      input: { name?: string; leadUserId?: string | null; memberIds?: string[]; routes?: { campaignId: string; theme: string | null }[] },
    ) {
      assertCan(actor, 'studio.manage');
      await db
        .transaction(async (tx) => {
          let studioId = id;
          if (!studioId) studioId = (await repo.createStudio({ name: input.name!, leadUserId: input.leadUserId ?? null }, tx)).id;
          else {
            // Only the fields sent change (a PATCH of members alone leaves the name alone).
            const patch = Object.fromEntries(Object.entries({ name: input.name, leadUserId: input.leadUserId }).filter(([, v]) => v !== undefined));
            const found = Object.keys(patch).length ? await repo.updateStudio(studioId, patch, tx) : await repo.getStudio(studioId, tx);
            if (!found) throw new AppError('studio.not_found');
          }
          if (input.memberIds) await repo.setMembers(studioId, [...new Set(input.memberIds)], tx);
          if (input.routes) await repo.setRoutes(studioId, input.routes, tx);
          await deps.audit.create(
            { actorId: actor.id, action: id ? 'studio.update' : 'studio.create', objectType: 'studio', objectId: studioId, data: { name: input.name ?? null } },
            tx,
          );
          id = studioId;
        })
        .catch((err: unknown) => {
          if (isUniqueViolation(err, 'studio_routes_target')) throw new AppError('studio.route_taken');
          if (isUniqueViolation(err)) throw new AppError('studio.name_taken');
          if (pgErrorCode(err) === '23503') throw new AppError('studio.unknown_reference');
          throw err;
        });
      return (await repo.listStudios()).find((s) => s.id === id)!;
    },
  };

  async function rewardTransfer(row: SubmissionRow, grade: string, tx: Db, actorId?: string, multiplierPercent = 100) {
    const reward = applyMultiplier(await rewardFor(row, grade, tx), multiplierPercent);
    const [contributor, budget] = await Promise.all([
      deps.ledger.ensureContributorAccount(row.userId, tx),
      deps.ledger.systemAccount('campaign_budget', row.campaignId, tx),
    ]);
    return {
      idempotencyKey: adoptionKey(row.id),
      kind: 'adoption_reward' as const,
      entries: [
        { accountId: contributor.id, amountFen: reward },
        { accountId: budget.id, amountFen: -reward },
      ],
      refs: { submissionId: row.id, campaignId: row.campaignId, grade, multiplierPercent },
      memo: null,
      actorId: actorId ?? row.adoptedBy,
    };
  }
}
export type DeskService = ReturnType<typeof createDeskService>;
