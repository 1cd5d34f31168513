import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { BorrowReply, Hold, LendingTitle, Loan, ReadingPosition, titleDetailReply } from '../../contracts/lending.js';
import { api } from './client.js';

/** Lending (借阅; docs/lending.md, docs/api.md "Lending"): the catalogue, a reader's shelf and reading. */
export type TitleDetail = z.infer<typeof titleDetailReply>;
export type { BorrowReply, Hold, LendingTitle, Loan, ReadingPosition };

export const lendingKeys = {
  title: (id: string) => ['lending', 'title', id] as const,
  shelf: ['lending', 'shelf'] as const,
  catalogue: ['lending', 'catalogue'] as const,
};

export const useLendingTitle = (id: string) =>
  useQuery({ queryKey: lendingKeys.title(id), queryFn: () => api<TitleDetail>(`/api/lending/titles/${encodeURIComponent(id)}`) });
export const useShelf = () => useQuery({ queryKey: lendingKeys.shelf, queryFn: () => api<{ loans: Loan[]; holds: Hold[] }>('/api/me/loans') });

export const borrow = (titleId: string) => api<BorrowReply>(`/api/lending/titles/${encodeURIComponent(titleId)}/borrow`, { method: 'POST' });
export const returnLoan = (loanId: string) => api<{ loan: Loan }>(`/api/lending/loans/${encodeURIComponent(loanId)}/return`, { method: 'POST' });
export const acceptOffer = (holdId: string) => api<{ loan: Loan }>(`/api/lending/holds/${encodeURIComponent(holdId)}/accept`, { method: 'POST' });
export const cancelHold = (holdId: string) => api<unknown>(`/api/lending/holds/${encodeURIComponent(holdId)}`, { method: 'DELETE' });
export const fileToken = (loanId: string) =>
  api<{ token: string; url: string; expiresAt: string }>(`/api/lending/loans/${encodeURIComponent(loanId)}/token`, { method: 'POST' });
export const getPosition = (loanId: string) => api<{ position: ReadingPosition | null }>(`/api/lending/loans/${encodeURIComponent(loanId)}/position`);
export const putPosition = (loanId: string, position: ReadingPosition) =>
  api<{ position: ReadingPosition }>(`/api/lending/loans/${encodeURIComponent(loanId)}/position`, { method: 'PUT', body: position });
export const catalogue = () => api<{ titles: LendingTitle[] }>('/api/lending/titles');
