import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { searchQuerySchema, searchReply, timelineReply } from '../../../contracts/search.js';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

export function searchRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/desk/submissions',
      {
        schema: {
          tags: ['desk'],
          summary:
            'Search and list every submission in the editor’s studio scope: text, status, campaign, theme, studio, contributor, dates; paged, newest first',
          description:
            '`q` is matched as a literal substring (Chinese without word boundaries, English case-insensitive) in the title, description and the packaged headlines and tags. ' +
            '`status=adopted` includes published and unpublished items. `from`/`to` are inclusive days in Asia/Shanghai. ' +
            '403 `desk.out_of_scope` when `studioId` names a studio the editor is not in.',
          querystring: searchQuerySchema,
          response: { 200: searchReply, ...errors },
        },
      },
      async (req) => services.deskSearch.search(requireUser(req), req.query),
    );

    app.get(
      '/api/desk/submissions/:id/timeline',
      {
        schema: {
          tags: ['desk'],
          summary:
            'One item’s timeline: uploaded, processed, claimed, adopted (grade, reward), rejected (reason), packaged, published per channel, unpublished; with each channel’s figures',
          params: idParamSchema,
          response: { 200: timelineReply, ...errors },
        },
      },
      async (req) => services.deskSearch.timeline(requireUser(req), req.params.id, requestLocale(req)),
    );
  };
}
