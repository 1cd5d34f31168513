import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { createBatchBody, markPayoutBody, PAYOUT_STATUSES, requestPayoutBody } from '../../../contracts/payouts.js';
import type { Db } from '../../db/client.js';
import type { PayoutBatchRow, PayoutRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { buildBatchCsv, type CsvPayout } from './payout.csv.js';
import { fenToYuan, isPrintableText, maskAccount, maskName, normaliseAccount, type PayoutCipher } from './payout.details.js';
import type { PayoutProvider } from './payout.provider.js';
import type { NewNotice } from '../propagation/propagation.repository.js';
import type { PayoutsRepository } from './payouts.repository.js';

/** Payout text that reaches the bank's file, and the refusal for each (docs/ledger.md, "Payouts"). */
const UNPRINTABLE_CODES = [
  ['realName', 'payout.unprintable_name'],
  ['account', 'payout.unprintable_account'],
  ['bankName', 'payout.unprintable_bank_name'],
] as const;

type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export type RequestPayoutInput = z.infer<typeof requestPayoutBody>;
export type CreateBatchInput = z.infer<typeof createBatchBody>;
export type MarkPayoutInput = z.infer<typeof markPayoutBody>;

export interface PayoutsServiceDeps {
  db: Db;
  repo: PayoutsRepository;
  ledger: LedgerService;
  audit: AuditRepository;
  clock: Clock;
  cipher: PayoutCipher;
  provider: PayoutProvider;
  /** PAYOUT_MIN_FEN. */
  minimumFen: number;
  /** The WeChat Pay payee of a user: their openid under the 公众号 bound to the merchant (the wechat module's). */
  wechatPayee: (userId: string, tx?: Db) => Promise<{ appId: string; openid: string } | null>;
  /** Tells the contributor the outcome, inside the mark's transaction (notices.service `notify`; once per dedupe key). */
  notify?: (n: NewNotice, tx: Db) => Promise<unknown>;
}

/** A WeChat payout with no payee app id holds a 微信号 typed before WeChat linking: not payable by WeChat Pay. */
export const needsRelink = (p: Pick<PayoutRow, 'method' | 'payeeAppId'>) => p.method === 'wechat' && !p.payeeAppId;

/** Ledger idempotency keys, one per money movement of a payout (docs/ledger.md). */
export const payoutKey = (requestId: string) => `payout:${requestId}`;
export const payoutPaidKey = (payoutId: string) => `payout-paid:${payoutId}`;
export const payoutFailedKey = (payoutId: string) => `payout-failed:${payoutId}`;

export function presentPayout(p: PayoutRow) {
  return {
    id: p.id,
    userId: p.userId,
    amountFen: p.amountFen,
    method: p.method,
    realName: p.realNameMasked,
    account: p.accountMasked,
    bankName: p.bankName,
    status: p.status,
    batchId: p.batchId,
    failureReason: p.failureReason,
    requestedAt: p.requestedAt.toISOString(),
    paidAt: p.paidAt?.toISOString() ?? null,
    needsRelink: needsRelink(p),
  };
}

function presentBatch(b: PayoutBatchRow, payoutIds: string[]) {
  return {
    id: b.id,
    channel: b.channel,
    status: b.status,
    payoutIds,
    totalFen: b.totalFen,
    createdAt: b.createdAt.toISOString(),
    exportedAt: b.exportedAt?.toISOString() ?? null,
  };
}

/**
 * Withdrawals. Money moves only through the ledger, each movement under its own key, in the
 * same transaction as the payout row's state change:
 *   request  `payout`             contributor → payouts_clearing   payout:<requestId>
 *   paid     `payout_settlement`  payouts_clearing → treasury      payout-paid:<payoutId>
 *   failed   `reversal` of the request's transfer (funds back)     payout-failed:<payoutId>
 * The ledger refuses a debit beyond the balance under a row lock, so concurrent requests can
 * never overdraw; a payout joins at most one batch, chosen under row locks.
 */
export function createPayoutsService(deps: PayoutsServiceDeps) {
  const { db, repo, ledger, audit, clock, cipher } = deps;

  function sameRequest(prior: PayoutRow | undefined, actor: Actor, hash: string): { payout: PayoutRow; created: false } {
    if (!prior) throw new Error('payouts: a conflicting request vanished');
    if (prior.userId !== actor.id || prior.requestHash !== hash) throw new AppError('payout.request_conflict');
    return { payout: prior, created: false };
  }

  async function lockBatchThenPayout(id: string, tx: Db): Promise<{ payout: PayoutRow; batch?: PayoutBatchRow }> {
    // Batch before payout, the order export takes them in, so the two cannot deadlock.
    const seen = await repo.get(id, tx);
    if (!seen) throw new AppError('payout.not_found');
    let batch = seen.batchId ? await repo.getBatchForUpdate(seen.batchId, tx) : undefined;
    const payout = (await repo.getForUpdate(id, tx))!;
    if (!batch && payout.batchId) batch = await repo.getBatchForUpdate(payout.batchId, tx);
    return { payout, batch };
  }

  return {
    minimumFen: deps.minimumFen,

    /**
     * One payout per `requestId`: a retry with the same body returns the first payout
     * (`created: false`), a different body is `payout.request_conflict`. Refused requests write nothing.
     */
    async request(actor: Actor, body: RequestPayoutInput): Promise<{ payout: PayoutRow; created: boolean }> {
      assertCan(actor, 'account.self');
      // Before anything else: this text goes to the bank's file as typed.
      for (const [field, code] of UNPRINTABLE_CODES) {
        const value = body[field];
        if (value !== undefined && !isPrintableText(value)) throw new AppError(code, {}, { details: { field } });
      }
      if (body.amountFen < deps.minimumFen) throw new AppError('payout.below_minimum', { minYuan: fenToYuan(deps.minimumFen) });
      const bankName = body.method === 'bank' ? body.bankName?.trim() || null : null;
      if (body.method === 'bank' && !bankName) throw new AppError('payout.bank_name_required');
      let account: string | null;
      let payeeAppId: string | null = null;
      if (body.method === 'wechat') {
        // WeChat Pay 商家转账 pays an openid: the linked one, never an ID typed by hand.
        if (body.account !== undefined) throw new AppError('payout.wechat_account_typed');
        const payee = await deps.wechatPayee(actor.id);
        if (!payee) throw new AppError('payout.wechat_not_linked', {}, { status: 409 });
        account = payee.openid;
        payeeAppId = payee.appId;
      } else {
        account = body.account === undefined ? null : normaliseAccount(body.method, body.account);
      }
      if (!account) throw new AppError('payout.invalid_account', { method: body.method });
      const realName = body.realName.trim();
      const hash = cipher.fingerprint({ userId: actor.id, amountFen: body.amountFen, method: body.method, realName, account, bankName, payeeAppId });

      return db.transaction(async (tx) => {
        const prior = await repo.getByRequestId(body.requestId, tx);
        if (prior) return sameRequest(prior, actor, hash);
        const id = randomUUID();
        const row = await repo.create(
          {
            id,
            requestId: body.requestId,
            userId: actor.id,
            amountFen: body.amountFen,
            method: body.method,
            detailsEnc: cipher.encrypt(id, { realName, account }),
            realNameMasked: maskName(realName),
            accountMasked: maskAccount(account),
            bankName,
            payeeAppId,
            requestHash: hash,
            status: 'requested',
            requestedAt: clock.now(),
          },
          tx,
        );
        if (!row) return sameRequest(await repo.getByRequestId(body.requestId, tx), actor, hash);

        const [contributor, clearing] = await Promise.all([ledger.ensureContributorAccount(actor.id, tx), ledger.systemAccount('payouts_clearing', null, tx)]);
        let transferId: string;
        try {
          const t = await ledger.post(
            {
              idempotencyKey: payoutKey(body.requestId),
              kind: 'payout',
              entries: [
                { accountId: contributor.id, amountFen: -body.amountFen },
                { accountId: clearing.id, amountFen: body.amountFen },
              ],
              refs: { payoutId: id, method: body.method },
              memo: null,
              actorId: actor.id,
            },
            tx,
          );
          transferId = t.id;
        } catch (err) {
          if (err instanceof AppError && err.code === 'ledger.insufficient_funds') {
            // Read under the ledger's lock: a claw-back left the contributor owing money back.
            const balanceFen = Number(err.params.balanceFen ?? 0);
            if (balanceFen < 0)
              throw new AppError('payout.balance_owed', { owedYuan: fenToYuan(-balanceFen) }, { status: 409, details: { owedFen: -balanceFen }, cause: err });
            throw new AppError(
              'payout.insufficient_balance',
              { balanceYuan: fenToYuan(Number(err.params.balanceFen ?? 0)), amountYuan: fenToYuan(body.amountFen) },
              { details: { balanceFen: err.params.balanceFen, amountFen: body.amountFen }, cause: err },
            );
          }
          throw err;
        }
        const payout = (await repo.update(id, { transferId }, tx))!;
        await audit.create(
          {
            actorId: actor.id,
            action: 'payout.request',
            objectType: 'payout',
            objectId: id,
            data: { amountFen: body.amountFen, method: body.method, transferId },
          },
          tx,
        );
        return { payout, created: true };
      });
    },

    async listMine(actor: Actor, opts: { limit: number }) {
      assertCan(actor, 'account.self');
      const rows = await repo.list({ userId: actor.id, limit: opts.limit });
      return { payouts: rows.map(presentPayout), minimumFen: deps.minimumFen };
    },

    async listAll(actor: Actor, opts: { status?: PayoutStatus; limit: number }) {
      assertCan(actor, 'payout.manage');
      const rows = await repo.list({ status: opts.status, limit: opts.limit });
      return { payouts: rows.map(presentPayout), minimumFen: deps.minimumFen };
    },

    /** All or nothing: every payout must be `requested`, of the batch's method, and in no batch. */
    async createBatch(actor: Actor, input: CreateBatchInput) {
      assertCan(actor, 'payout.manage');
      if (new Set(input.payoutIds).size !== input.payoutIds.length) throw new AppError('payout_batch.duplicate_payouts');
      return db.transaction(async (tx) => {
        const rows = await repo.lockMany(input.payoutIds, tx);
        // A typed 微信号 from before WeChat linking cannot be paid by WeChat Pay: never batched.
        const ok = new Set(rows.filter((r) => r.status === 'requested' && !r.batchId && r.method === input.channel && !needsRelink(r)).map((r) => r.id));
        const refused = input.payoutIds.filter((id) => !ok.has(id));
        if (refused.length) throw new AppError('payout.not_batchable', { count: refused.length }, { details: { payoutIds: refused } });
        const totalFen = rows.reduce((s, r) => s + r.amountFen, 0);
        const batch = await repo.createBatch({ channel: input.channel, status: 'approved', totalFen, createdBy: actor.id, createdAt: clock.now() }, tx);
        const moved = await repo.setBatch(input.payoutIds, batch.id, tx);
        if (moved !== input.payoutIds.length) throw new Error(`payouts: batched ${moved} of ${input.payoutIds.length} locked payouts`);
        await audit.create(
          {
            actorId: actor.id,
            action: 'payout_batch.create',
            objectType: 'payout_batch',
            objectId: batch.id,
            data: { channel: input.channel, payoutIds: input.payoutIds, totalFen },
          },
          tx,
        );
        const ids = (await repo.payoutIdsByBatch([batch.id], tx)).get(batch.id) ?? [];
        return presentBatch(batch, ids);
      });
    },

    async listBatches(actor: Actor, opts: { limit: number }) {
      assertCan(actor, 'payout.manage');
      const batches = await repo.listBatches(opts.limit);
      const ids = await repo.payoutIdsByBatch(batches.map((b) => b.id));
      return { batches: batches.map((b) => presentBatch(b, ids.get(b.id) ?? [])) };
    },

    /**
     * The batch's CSV for its channel, with the real payment details (decrypted here and only
     * here). The first export moves the batch and its payouts to `exported`; a later download
     * lists only payouts still awaiting a result (never one already paid or failed). Audited.
     */
    async exportBatch(actor: Actor, batchId: string): Promise<{ filename: string; csv: string; batch: PayoutBatchRow }> {
      assertCan(actor, 'payout.manage');
      return db.transaction(async (tx) => {
        const batch = await repo.getBatchForUpdate(batchId, tx);
        if (!batch) throw new AppError('payout_batch.not_found');
        const now = clock.now();
        // Rows batched before WeChat linking that hold a typed 微信号 are left out: finance marks them failed (funds return).
        const rows = (await repo.listByBatch(batchId, tx)).filter((p) => (p.status === 'batched' || p.status === 'exported') && !needsRelink(p));
        const first = batch.status === 'approved';
        const lines: CsvPayout[] = [];
        for (const p of rows) {
          const details = cipher.decrypt(p.id, p.detailsEnc);
          lines.push({ id: p.id, amountFen: p.amountFen, realName: details.realName, account: details.account, bankName: p.bankName, appId: p.payeeAppId });
          if (first) {
            const handed = await deps.provider.transfer({
              payoutId: p.id,
              amountFen: p.amountFen,
              method: p.method,
              realName: details.realName,
              account: details.account,
              bankName: p.bankName,
            });
            await repo.setProviderRef(p.id, handed.providerRef, tx);
          }
        }
        let updated = batch;
        if (first) {
          await repo.markBatchExported(batchId, now, tx);
          updated = (await repo.updateBatch(batchId, { status: 'exported', exportedAt: now, exportedBy: actor.id }, tx))!;
        }
        await audit.create(
          {
            actorId: actor.id,
            action: 'payout_batch.export',
            objectType: 'payout_batch',
            objectId: batchId,
            data: { channel: batch.channel, payoutIds: rows.map((r) => r.id), totalFen: rows.reduce((s, r) => s + r.amountFen, 0), repeat: !first },
          },
          tx,
        );
        return { filename: `paike-${batch.channel}-${batchId.slice(0, 8)}.csv`, csv: buildBatchCsv(batch.channel, lines), batch: updated };
      });
    },

    /**
     * Finance records the outcome. `paid` settles the clearing account into the treasury;
     * `failed` reverses the request's transfer so the balance returns. Each happens once: the
     * same mark again returns the payout unchanged; any other move is `payout.not_markable`.
     */
    async mark(actor: Actor, payoutId: string, input: MarkPayoutInput) {
      assertCan(actor, 'payout.manage');
      return db.transaction(async (tx) => {
        const { payout, batch } = await lockBatchThenPayout(payoutId, tx);
        if (payout.status === input.status) return presentPayout(payout);
        if (payout.status !== 'batched' && payout.status !== 'exported')
          throw new AppError('payout.not_markable', { status: payout.status, target: input.status });
        if (!payout.transferId) throw new Error(`payouts: payout ${payout.id} has no transfer`);
        const now = clock.now();
        let updated: PayoutRow;
        let transferId: string;
        if (input.status === 'paid') {
          const [clearing, treasury] = await Promise.all([ledger.systemAccount('payouts_clearing', null, tx), ledger.systemAccount('treasury', null, tx)]);
          const t = await ledger.post(
            {
              idempotencyKey: payoutPaidKey(payout.id),
              kind: 'payout_settlement',
              entries: [
                { accountId: clearing.id, amountFen: -payout.amountFen },
                { accountId: treasury.id, amountFen: payout.amountFen },
              ],
              refs: { payoutId: payout.id, batchId: payout.batchId },
              memo: null,
              actorId: actor.id,
            },
            tx,
          );
          transferId = t.id;
          updated = (await repo.update(payout.id, { status: 'paid', paidAt: now, settlementTransferId: t.id }, tx))!;
        } else {
          const t = await ledger.reverse(payout.transferId, { idempotencyKey: payoutFailedKey(payout.id), actorId: actor.id, memo: input.reason ?? null }, tx);
          transferId = t.id;
          updated = (await repo.update(payout.id, { status: 'failed', failedAt: now, failureReason: input.reason ?? null, failureTransferId: t.id }, tx))!;
        }
        await deps.notify?.(
          {
            userId: payout.userId,
            kind: input.status === 'paid' ? 'payout_paid' : 'payout_failed',
            submissionId: null,
            params: input.status === 'paid' ? { amountFen: payout.amountFen } : { amountFen: payout.amountFen, reason: input.reason ?? '' },
            dedupeKey: `${input.status === 'paid' ? 'payout-paid' : 'payout-failed'}:${payout.id}`,
          },
          tx,
        );
        if (batch && (await repo.countOpenInBatch(batch.id, tx)) === 0) {
          await repo.updateBatch(batch.id, { status: 'closed' }, tx);
        }
        await audit.create(
          {
            actorId: actor.id,
            action: `payout.mark_${input.status}`,
            objectType: 'payout',
            objectId: payout.id,
            data: { reason: input.reason ?? null, transferId, batchId: payout.batchId },
          },
          tx,
        );
        return presentPayout(updated);
      });
    },
  };
}
export type PayoutsService = ReturnType<typeof createPayoutsService>;
