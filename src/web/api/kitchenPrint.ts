import { useQuery } from '@tanstack/react-query';
import type { Newspaper, NewspaperUpdate, PrintRenderState } from '../../contracts/kitchen.js';
import { api } from './client.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type { Newspaper, NewspaperUpdate, PrintRenderState };

export const PAGE_SIZE_OPTIONS = ['A3', 'broadsheet'] as const;

export const kitchenPrintKeys = {
  newspapers: ['kitchen', 'newspapers'] as const,
  state: (storyId: string) => ['kitchen', 'print', storyId] as const,
};

const enc = encodeURIComponent;

export function useNewspapers() {
  return useQuery({
    queryKey: kitchenPrintKeys.newspapers,
    queryFn: async () => (await api<{ newspapers: Newspaper[] }>('/api/kitchen/newspapers')).newspapers,
  });
}

export const saveNewspaper = async (id: string, body: NewspaperUpdate) =>
  (await api<{ newspaper: Newspaper }>(`/api/kitchen/newspapers/${enc(id)}`, { method: 'PUT', body })).newspaper;

/** The render state; polled every second while a render is queued or running. */
export function usePrintState(storyId: string) {
  return useQuery({
    queryKey: kitchenPrintKeys.state(storyId),
    queryFn: () => api<PrintRenderState>(`/api/kitchen/stories/${enc(storyId)}/print`),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'queued' || q.state.data.status === 'rendering') ? 1000 : false),
  });
}

export const requestRender = (storyId: string) => api<PrintRenderState>(`/api/kitchen/stories/${enc(storyId)}/print/render`, { method: 'POST', body: {} });

export const printLinks = (storyId: string) => ({
  preview: `/api/kitchen/stories/${enc(storyId)}/print/preview`,
  pdf: `/api/kitchen/stories/${enc(storyId)}/print.pdf`,
  newsml: `/api/kitchen/stories/${enc(storyId)}/export/newsml`,
  ninjs: `/api/kitchen/stories/${enc(storyId)}/export/ninjs`,
});
