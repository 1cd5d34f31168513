import { useQuery } from '@tanstack/react-query';
import type { SiteStory } from '../../contracts/kitchen.js';
import { api, ApiError } from './client.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type { SiteStory };

export const kitchenPublishKeys = {
  story: (id: string) => ['site', 'story', id] as const,
};

/** A published story's public article (GET /api/site/stories/:id); a 404 is final. */
export function usePublicStory(id: string) {
  return useQuery({
    queryKey: kitchenPublishKeys.story(id),
    retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
    queryFn: async () => (await api<{ story: SiteStory }>(`/api/site/stories/${encodeURIComponent(id)}`)).story,
  });
}
