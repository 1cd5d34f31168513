import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { fieldProfilePutSchema, fieldProfileSchema } from '../../../contracts/command.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema };
const reply = z.object({ profile: fieldProfileSchema });

/** A contributor's or staff reporter's standing choice to be offered assignments near a place (docs/command.md). */
export function fieldProfileRoutes(services: Services): FastifyPluginAsyncZod {
  const profiles = services.fieldProfiles;
  return async (app) => {
    app.get(
      '/api/command/field-profile',
      {
        schema: {
          tags: ['command'],
          summary: 'My field profile: whether I am offered assignments near a place',
          description: 'Needs `command.field` (contributors, staff reporters). A person who never saved one gets `optedIn: false` with nulls.',
          response: { 200: reply, ...errors },
        },
      },
      async (req, rep) => {
        rep.header('cache-control', 'private, no-store');
        return { profile: await profiles.get(req.user) };
      },
    );
    app.put(
      '/api/command/field-profile',
      {
        schema: {
          tags: ['command'],
          summary: 'Opt in (home area, place name, travel distance) or out of field assignments',
          description:
            'Needs `command.field`. Opting in needs `lat` and `lng`; the server keeps them rounded to a grid of about 1 km (the answer shows what was kept). `travelKm` (1–2000, default 30 or the last saved) is how far the person will go: "nearest N" dispatch only offers work within it. Opting out clears the point and the place name (nothing precise is kept); the travel distance stays. 400 `request.invalid` when opting in without a point.',
          body: fieldProfilePutSchema,
          response: { 200: reply, ...errors },
        },
      },
      async (req) => ({ profile: await profiles.put(req.user, req.body) }),
    );
  };
}
