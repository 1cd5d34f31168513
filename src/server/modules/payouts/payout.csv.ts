import { fenToYuan, stripUnprintable } from './payout.details.js';
import type { PayoutMethod } from './payout.provider.js';

export interface CsvPayout {
  id: string;
  amountFen: number;
  realName: string;
  account: string;
  bankName: string | null;
  /** WeChat: the app id (公众号) the openid in `account` belongs to. */
  appId: string | null;
}

/**
 * The batch files finance uploads, one per channel (docs/ledger.md describes each column).
 * Amounts are yuan with two decimals computed from integer fen; the file is UTF-8 with a BOM
 * (so Excel opens the Chinese headers) and CRLF line ends (RFC 4180).
 */
export const CSV_HEADERS: Record<PayoutMethod, string[]> = {
  // Bank batch payment (代发): the usual columns of Chinese banks' 批量转账 templates.
  bank: ['序号', '收款人姓名', '收款账号', '开户行', '金额(元)', '用途'],
  // WeChat Pay 商家转账: the per-transfer fields of its batch (out_detail_no, openid, user_name,
  // transfer_amount in yuan, transfer_remark) and the appid the openid belongs to (the 公众号
  // bound to the merchant account; a transfer to an openid of another app fails).
  wechat: ['商家明细单号', '收款用户openid', '收款用户姓名', '转账金额(元)', '转账备注', 'appid'],
  // Alipay 批量付款到支付宝账户: 商户流水号, 收款人支付宝账号, 收款人姓名, 付款金额, 付款理由.
  alipay: ['商户流水号', '收款人支付宝账号', '收款人姓名', '付款金额(元)', '付款理由'],
};

const PURPOSE = '拍客稿酬';

/** Our payout id as a provider's detail number: 32 letters and digits. */
export const detailNo = (payoutId: string) => payoutId.replace(/-/g, '');

function row(channel: PayoutMethod, p: CsvPayout, index: number): string[] {
  const yuan = fenToYuan(p.amountFen);
  switch (channel) {
    case 'bank':
      return [String(index + 1), p.realName, p.account, p.bankName ?? '', yuan, `${PURPOSE}-${p.id.slice(0, 8)}`];
    case 'wechat':
      return [detailNo(p.id), p.account, p.realName, yuan, PURPOSE, p.appId ?? ''];
    case 'alipay':
      return [detailNo(p.id), p.account, p.realName, yuan, PURPOSE];
  }
}

/**
 * RFC 4180 quoting, and a leading `'` on anything a spreadsheet would run as a formula
 * (contributor-typed names and accounts reach finance's Excel), full-width signs included.
 * Controls and direction marks are refused when a payout is requested; a row stored before that
 * rule has them removed here first, so none can hide a formula sign or reorder what the bank reads.
 */
export function csvField(value: string): string {
  const clean = stripUnprintable(value);
  const safe = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(clean) ? `'${clean}` : clean;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function buildBatchCsv(channel: PayoutMethod, payouts: CsvPayout[]): string {
  const lines = [CSV_HEADERS[channel], ...payouts.map((p, i) => row(channel, p, i))].map((cells) => cells.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
