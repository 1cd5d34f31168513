import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  assignmentLocationReplySchema,
  locationShareBodySchema,
  locationShareStateSchema,
  positionUploadReplySchema,
  positionUploadSchema,
} from '../../../contracts/command.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

const WHO =
  'Only the person working the assignment (an accepted offer; contributors and staff reporters) may share: desk staff get 403 `command.location.not_working`; ' +
  'anyone else, and an assignment that does not exist, 404 `command.assignment_not_found`.';
const LIFE =
  'Locations are taken only while the assignment is `assigned` or `in_progress`: otherwise 409 `command.location.assignment_not_active` (and a share still running on it is stopped; ' +
  'once the assignment is completed or cancelled its positions are deleted at the same time).';

/** People on a map, the phone's side and one assignment's people (docs/command-map.md). */
export function locationRoutes(services: Services): FastifyPluginAsyncZod {
  const location = services.commandLocation;
  return async (app) => {
    app.put(
      '/api/command/assignments/:id/location-share',
      {
        schema: {
          tags: ['command'],
          summary: 'Consent to share your location while you work this assignment (coarse by default)',
          description:
            '`precision`: `coarse` (default; every position is rounded to a grid of about 100 m BEFORE it is stored) or `precise` (stored as the phone measured it, only when the person chooses it). ' +
            'Calling it again changes the precision or restarts a stopped share; going from precise back to coarse deletes the precise positions already stored. ' +
            `${WHO} ${LIFE}`,
          params: idParamSchema,
          body: locationShareBodySchema,
          response: { 200: z.object({ share: locationShareStateSchema }), ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ share: await location.consent(req.user, req.params.id, req.body.precision) }),
    );
    app.delete(
      '/api/command/assignments/:id/location-share',
      {
        schema: {
          tags: ['command'],
          summary: 'Stop sharing your location on this assignment (your positions on it are deleted)',
          description: `Stops the share (\`stopReason: "person"\`) and deletes every position the person sent for this assignment. Idempotent: \`share\` is null when there never was one. ${WHO}`,
          params: idParamSchema,
          response: { 200: z.object({ share: locationShareStateSchema.nullable() }), ...errors },
        },
      },
      async (req) => ({ share: await location.stop(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/assignments/:id/location',
      {
        schema: {
          tags: ['command'],
          summary: 'Send where you are: one position report, or a batch queued while offline',
          description:
            'Body: one report `{lat, lng, accuracyM?, battery? (0–1), charging?, network? (≤ 20 chars), recordedAt (ISO 8601 with offset)}`, or `{reports: [...]}` with 1–20 of them, oldest first. ' +
            'Coarse shares are rounded to about 100 m before anything is stored (accuracyM is then at least 100). ' +
            '409 `command.location.no_consent` without a running share (never consented, or stopped). ' +
            "A report stamped more than 2 minutes ahead of the server is refused with 422 `command.location.recorded_in_future`; one older than 6 hours or from before the consent with 422 `command.location.recorded_too_old`; one stamped less than 5 s after the person's previous stored report (or out of order) with 429 `command.location.too_frequent`. " +
            "One report: those are the answer's error. A batch: 200 with `stored` and the refused ones in `refused` (`{index, code}`); the phone drops them and keeps the rest sent. " +
            `${WHO} A person whose offer is no longer accepted gets 404 and their share is stopped (\`offer_ended\`) and its positions deleted. ${LIFE}`,
          params: idParamSchema,
          body: positionUploadSchema,
          response: { 200: positionUploadReplySchema, ...errors, 409: errorBodySchema, 422: errorBodySchema, 429: errorBodySchema },
        },
      },
      async (req) => location.report(req.user, req.params.id, req.body),
    );
    app.get(
      '/api/command/assignments/:id/location',
      {
        schema: {
          tags: ['command'],
          summary: 'Location on one assignment: your own share and last position, or (desk) everyone sharing on it',
          description:
            'The person working it (accepted offer) gets `{as: "field", active, share, last}`: their consent (null if never given) and their last stored position (as stored: coarse when coarse). ' +
            "Desk staff whose scope covers the assignment's studio (the central desk's is everyone's) get `{as: \"desk\", active, people}`: the latest position of every running share of a person still holding an accepted offer. " +
            "Another studio's editor: 403 `command.out_of_scope`. Anyone else (another contributor, a person merely offered it): 404 `command.assignment_not_found`.",
          params: idParamSchema,
          response: { 200: assignmentLocationReplySchema, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return location.view(req.user, req.params.id);
      },
    );
  };
}
