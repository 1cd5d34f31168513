import type { Locale } from '../../../contracts/common.js';
import type { LedgerAccountKind, LedgerTransferKind } from '../../../contracts/ledger.js';
import type { ExplorerCause } from '../../../contracts/ledgerExplorer.js';
import { csvField } from '../payouts/payout.csv.js';
import { fenToYuan } from '../payouts/payout.details.js';

/**
 * The period export finance opens in Excel (docs/ledger.md, "Ledger explorer"): every leg of
 * every transfer in the period, the debit and credit totals (equal, or the file says so), then
 * each account's opening balance, debits, credits and closing balance. UTF-8 with a BOM, CRLF,
 * RFC 4180. Text that people typed (names, titles, memos) goes through the payout file's guard
 * (`csvField`: a leading `'` on anything a spreadsheet would run as a formula); amounts are
 * numbers we write ourselves, `-?\d+\.\d{2}`, which a spreadsheet reads as numbers.
 */
export interface ExportAccount {
  id: string;
  kind: LedgerAccountKind;
  name: string | null;
  campaignTitle: { 'zh-CN': string; en: string } | null;
}

export interface ExportLeg {
  transferId: string;
  kind: LedgerTransferKind;
  createdAt: Date;
  memo: string | null;
  cause: ExplorerCause | null;
  accountId: string;
  amountFen: number;
}

export interface ExportBalance {
  accountId: string;
  openingFen: number;
  debitsFen: number;
  creditsFen: number;
  closingFen: number;
}

export interface LedgerExport {
  from: Date;
  to: Date;
  accounts: Map<string, ExportAccount>;
  legs: ExportLeg[];
  balances: ExportBalance[];
}

const L = {
  'zh-CN': {
    title: '拍客账本导出',
    period: '期间 (Asia/Shanghai，含起不含止)',
    legs: ['时间 (Asia/Shanghai)', '转账编号', '转账类型', '账户编号', '账户类型', '账户', '借方/转出(元)', '贷方/转入(元)', '事由', '备注'],
    total: '合计',
    balanced: '借贷平衡',
    unbalanced: '借贷不平衡',
    balances: ['账户编号', '账户类型', '账户', '期初余额(元)', '借方合计(元)', '贷方合计(元)', '期末余额(元)'],
    account: {
      contributor: '拍客',
      campaign_budget: '活动预算',
      treasury: '公司资金',
      rewards_expense: '奖励支出',
      prizes_expense: '奖金支出',
      red_packet_expense: '红包支出',
      payouts_clearing: '提现在途',
    },
    transfer: {
      budget_funding: '预算拨款',
      adoption_reward: '采用奖励',
      grade_correction: '评级更正',
      cumulative_bonus: '累积奖励',
      weekly_prize: '周榜奖金',
      grand_prize: '终极大奖',
      red_packet: '红包雨',
      payout: '提现申请',
      payout_settlement: '提现到账',
      reversal: '冲正',
    },
    cause: { submission: '视频', payout: '提现', rain_session: '红包雨场次', weekly_chart: '周榜', grand_prize: '终极大奖', campaign: '活动' },
  },
  en: {
    title: 'Paike ledger export',
    period: 'Period (Asia/Shanghai, from inclusive, to exclusive)',
    legs: [
      'Time (Asia/Shanghai)',
      'Transfer',
      'Transfer kind',
      'Account id',
      'Account kind',
      'Account',
      'Debit / out (yuan)',
      'Credit / in (yuan)',
      'Cause',
      'Memo',
    ],
    total: 'Total',
    balanced: 'debits equal credits',
    unbalanced: 'debits DO NOT equal credits',
    balances: ['Account id', 'Account kind', 'Account', 'Opening balance (yuan)', 'Debits (yuan)', 'Credits (yuan)', 'Closing balance (yuan)'],
    account: {
      contributor: 'Contributor',
      campaign_budget: 'Campaign budget',
      treasury: 'Treasury',
      rewards_expense: 'Rewards expense',
      prizes_expense: 'Prizes expense',
      red_packet_expense: 'Red-packet expense',
      payouts_clearing: 'Payouts clearing',
    },
    transfer: {
      budget_funding: 'Budget funding',
      adoption_reward: 'Adoption reward',
      grade_correction: 'Grade correction',
      cumulative_bonus: 'Cumulative bonus',
      weekly_prize: 'Weekly prize',
      grand_prize: 'Grand prize',
      red_packet: 'Red packet',
      payout: 'Withdrawal',
      payout_settlement: 'Withdrawal paid',
      reversal: 'Reversal',
    },
    cause: {
      submission: 'Video',
      payout: 'Withdrawal',
      rain_session: 'Rain session',
      weekly_chart: 'Weekly chart',
      grand_prize: 'Grand prize',
      campaign: 'Campaign',
    },
  },
} as const;

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai (no DST, so a fixed offset is exact). */
export const shanghai = (d: Date) => new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');

/** An amount cell: yuan with two decimals from integer fen, never passed through the text guard (a negative number is not a formula). */
function money(fen: number): string {
  const s = fenToYuan(fen);
  if (!/^-?\d+\.\d{2}$/.test(s)) throw new Error(`ledger export: ${fen} is not whole fen`);
  return s;
}

export function accountLabel(a: ExportAccount | undefined, locale: Locale): string {
  if (!a) return '';
  if (a.kind === 'contributor') return a.name ?? '';
  const kind = L[locale].account[a.kind];
  return a.campaignTitle ? `${kind} · ${a.campaignTitle[locale]}` : kind;
}

function causeText(c: ExplorerCause | null, locale: Locale): string {
  if (!c) return '';
  const label = L[locale].cause[c.type];
  const extra = c.week ? ` ${c.week}` : c.title ? ` 《${c.title}》` : '';
  return `${label}${extra} ${c.id}`;
}

export function ledgerCsv(x: LedgerExport, locale: Locale): string {
  const T = L[locale];
  const text = (v: string) => csvField(v);
  const lines: string[][] = [];
  lines.push([text(T.title), text(T.period), shanghai(x.from), shanghai(x.to)]);
  lines.push([]);
  lines.push(T.legs.map(text));
  let debits = 0;
  let credits = 0;
  for (const leg of x.legs) {
    const a = x.accounts.get(leg.accountId);
    if (leg.amountFen < 0) debits -= leg.amountFen;
    else credits += leg.amountFen;
    lines.push([
      shanghai(leg.createdAt),
      leg.transferId,
      text(T.transfer[leg.kind]),
      leg.accountId,
      text(a ? T.account[a.kind] : ''),
      text(accountLabel(a, locale)),
      leg.amountFen < 0 ? money(-leg.amountFen) : '',
      leg.amountFen > 0 ? money(leg.amountFen) : '',
      text(causeText(leg.cause, locale)),
      text(leg.memo ?? ''),
    ]);
  }
  lines.push([text(T.total), '', '', '', '', text(debits === credits ? T.balanced : T.unbalanced), money(debits), money(credits), '', '']);
  lines.push([]);
  lines.push(T.balances.map(text));
  const sum = { opening: 0, debits: 0, credits: 0, closing: 0 };
  for (const b of x.balances) {
    const a = x.accounts.get(b.accountId);
    sum.opening += b.openingFen;
    sum.debits += b.debitsFen;
    sum.credits += b.creditsFen;
    sum.closing += b.closingFen;
    lines.push([
      b.accountId,
      text(a ? T.account[a.kind] : ''),
      text(accountLabel(a, locale)),
      money(b.openingFen),
      money(b.debitsFen),
      money(b.creditsFen),
      money(b.closingFen),
    ]);
  }
  lines.push([text(T.total), '', '', money(sum.opening), money(sum.debits), money(sum.credits), money(sum.closing)]);
  return `\uFEFF${lines.map((cells) => cells.join(',')).join('\r\n')}\r\n`;
}
