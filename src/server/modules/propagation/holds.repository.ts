import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

export type PropagationHoldKind = 'weekly_prize' | 'reach_multiplier' | 'grand_prize';
export type PropagationHoldStatus = 'held' | 'released' | 'rejected';

export interface PropagationHoldRow {
  id: string;
  kind: PropagationHoldKind;
  ledgerKey: string;
  campaignId: string;
  submissionId: string;
  userId: string;
  amountFen: number | null;
  refs: Record<string, unknown>;
  reason: Record<string, unknown>;
  status: PropagationHoldStatus;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  note: string | null;
  transferId: string | null;
  /** The video's title and the contributor's name, for the desk's list. */
  title: string;
  userName: string;
  decidedByName: string | null;
}
export type NewPropagationHold = Pick<PropagationHoldRow, 'kind' | 'ledgerKey' | 'campaignId' | 'submissionId' | 'userId' | 'amountFen' | 'refs' | 'reason'>;

const COLUMNS = sql.raw(
  `id, kind, ledger_key, campaign_id, submission_id, user_id, amount_fen::text AS amount_fen, refs, reason, status,
   created_at, decided_at, decided_by, note, transfer_id,
   (SELECT s.title FROM submissions s WHERE s.id = propagation_holds.submission_id) AS title,
   (SELECT u.name FROM users u WHERE u.id = propagation_holds.user_id) AS user_name,
   (SELECT u.name FROM users u WHERE u.id = propagation_holds.decided_by) AS decided_by_name`,
);
interface Raw {
  id: string;
  kind: PropagationHoldKind;
  ledger_key: string;
  campaign_id: string;
  submission_id: string;
  user_id: string;
  amount_fen: string | null;
  refs: Record<string, unknown> | string;
  reason: Record<string, unknown> | string;
  status: PropagationHoldStatus;
  created_at: Date | string;
  decided_at: Date | string | null;
  decided_by: string | null;
  note: string | null;
  transfer_id: string | null;
  title: string | null;
  user_name: string | null;
  decided_by_name: string | null;
}
const json = (v: Record<string, unknown> | string) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : v);
const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const toRow = (r: Raw): PropagationHoldRow => ({
  id: r.id,
  kind: r.kind,
  ledgerKey: r.ledger_key,
  campaignId: r.campaign_id,
  submissionId: r.submission_id,
  userId: r.user_id,
  amountFen: r.amount_fen === null ? null : Number(r.amount_fen),
  refs: json(r.refs),
  reason: json(r.reason),
  status: r.status,
  createdAt: date(r.created_at),
  decidedAt: r.decided_at === null ? null : date(r.decided_at),
  decidedBy: r.decided_by,
  note: r.note,
  transferId: r.transfer_id,
  title: r.title ?? '',
  userName: r.user_name ?? '',
  decidedByName: r.decided_by_name,
});

/** `propagation_holds`: money held for review because the views behind it looked forged. */
export function createHoldsRepository(db: Db) {
  return {
    /** One hold per ledger key: a second call (a retried freeze, a repeated adoption) returns the first. */
    async create(h: NewPropagationHold, tx: Db = db): Promise<PropagationHoldRow> {
      await tx.execute(
        sql`INSERT INTO propagation_holds (kind, ledger_key, campaign_id, submission_id, user_id, amount_fen, refs, reason)
            VALUES (${h.kind}, ${h.ledgerKey}, ${h.campaignId}, ${h.submissionId}, ${h.userId}, ${h.amountFen},
                    ${JSON.stringify(h.refs)}::jsonb, ${JSON.stringify(h.reason)}::jsonb)
            ON CONFLICT (ledger_key) DO NOTHING`,
      );
      return (await this.getByKey(h.ledgerKey, tx))!;
    },

    async getByKey(ledgerKey: string, tx: Db = db): Promise<PropagationHoldRow | undefined> {
      const r = await tx.execute(sql`SELECT ${COLUMNS} FROM propagation_holds WHERE ledger_key = ${ledgerKey}`);
      const row = rowsOf<Raw>(r)[0];
      return row && toRow(row);
    },

    async getForUpdate(id: string, tx: Db): Promise<PropagationHoldRow | undefined> {
      const r = await tx.execute(sql`SELECT ${COLUMNS} FROM propagation_holds WHERE id = ${id} FOR UPDATE`);
      const row = rowsOf<Raw>(r)[0];
      return row && toRow(row);
    },

    async get(id: string, tx: Db = db): Promise<PropagationHoldRow | undefined> {
      const r = await tx.execute(sql`SELECT ${COLUMNS} FROM propagation_holds WHERE id = ${id}`);
      const row = rowsOf<Raw>(r)[0];
      return row && toRow(row);
    },

    /** Held ones first, newest first; at most 500. */
    async list(q: { status?: PropagationHoldStatus; campaignId?: string }, tx: Db = db): Promise<PropagationHoldRow[]> {
      const where = [sql`true`];
      if (q.status) where.push(sql`status = ${q.status}`);
      if (q.campaignId) where.push(sql`campaign_id = ${q.campaignId}`);
      const r = await tx.execute(
        sql`SELECT ${COLUMNS} FROM propagation_holds WHERE ${sql.join(where, sql` AND `)}
            ORDER BY (status = 'held') DESC, created_at DESC, id LIMIT 500`,
      );
      return rowsOf<Raw>(r).map(toRow);
    },

    async decide(
      q: { id: string; status: 'released' | 'rejected'; by: string; at: Date; note: string | null; transferId: string | null },
      tx: Db,
    ): Promise<void> {
      await tx.execute(
        sql`UPDATE propagation_holds SET status = ${q.status}, decided_by = ${q.by}, decided_at = ${q.at.toISOString()}::timestamptz,
              note = ${q.note}, transfer_id = ${q.transferId} WHERE id = ${q.id}`,
      );
    },

    /** A released weekly prize's transfer, on its chart entry (as if it had been paid at the freeze). */
    async setChartEntryTransfer(q: { campaignId: string; week: string; rank: number; transferId: string }, tx: Db): Promise<void> {
      await tx.execute(
        sql`UPDATE weekly_chart_entries SET transfer_id = ${q.transferId}
            WHERE campaign_id = ${q.campaignId} AND week = ${q.week} AND rank = ${q.rank} AND transfer_id IS NULL`,
      );
    },
  };
}
export type HoldsRepository = ReturnType<typeof createHoldsRepository>;
