import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  kioskClaimBody,
  kioskCommandBody,
  kioskCommandSchema,
  kioskFleetScreenSchema,
  kioskGroupBody,
  kioskGroupSchema,
  kioskLayerBody,
  kioskLayerSchema,
  kioskScheduleReply,
  kioskScreenUpdateBody,
  pairingCodeSchema,
} from '../../../contracts/kiosk.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const ADMIN = 'Admins only (`kiosk.manage`): 401 `auth.required`, 403 `auth.forbidden`.';
const tags = ['kiosk admin'];

/** The admin's fleet of kiosk screens (docs/kiosk.md): pairing, settings, keys, commands, groups and schedules. */
export function kioskFleetRoutes(services: Services): FastifyPluginAsyncZod {
  const fleet = services.kioskFleet;
  const schedule = services.kioskSchedule;
  return async (app) => {
    app.get(
      '/api/admin/kiosk-fleet',
      {
        schema: {
          tags,
          summary: 'Every screen with its health, worst first',
          description:
            'Health: `offline` (no heartbeat for 10 minutes), `late` (none for 90 s; screens report every 30 s), `never` (paired, not heard from ' +
            'yet), `ok`, `revoked`. Sorted in that order, then by name. `clockSkewSeconds` is the screen’s clock minus the server’s at its ' +
            'last heartbeat. ' +
            ADMIN,
          response: { 200: z.object({ screens: z.array(kioskFleetScreenSchema) }), ...errors },
        },
      },
      async (req) => ({ screens: await fleet.fleet(requireUser(req)) }),
    );

    app.post(
      '/api/admin/kiosk-screens/claim',
      {
        schema: {
          tags,
          summary: 'Claim the pairing code a screen shows at /kiosk, naming the new screen',
          description:
            'The code is the 6 characters the screen shows (case, spaces and dashes ignored). The screen receives its device key on its next ' +
            'poll (within 3 s). 404 `kiosk.code_unknown` when no screen shows the code (codes last 10 minutes); 409 `kiosk.name_taken`; 404 ' +
            '`kiosk.group_not_found`, `kiosk.campaign_not_found`. `openingHours` null means always lit; windows whose end is not after their ' +
            'start run overnight. ' +
            ADMIN,
          body: kioskClaimBody,
          response: { 201: kioskFleetScreenSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await fleet.claim(requireUser(req), req.body)),
    );

    app.get(
      '/api/admin/kiosk-screens/:id',
      {
        schema: {
          tags,
          summary: 'One screen and its last 20 commands',
          description: ADMIN,
          params: idParamSchema,
          response: { 200: z.object({ screen: kioskFleetScreenSchema, commands: z.array(kioskCommandSchema) }), ...errors },
        },
      },
      async (req) => fleet.screen(requireUser(req), req.params.id),
    );

    app.patch(
      '/api/admin/kiosk-screens/:id',
      {
        schema: {
          tags,
          summary: 'Change a screen’s name, group, campaign, place, orientation, time zone or opening hours',
          description: 'Only the fields sent change; the screen is told to fetch its schedule again. ' + ADMIN,
          params: idParamSchema,
          body: kioskScreenUpdateBody,
          response: { 200: kioskFleetScreenSchema, ...errors },
        },
      },
      async (req) => fleet.update(requireUser(req), req.params.id, req.body),
    );

    app.post(
      '/api/admin/kiosk-screens/:id/revoke',
      {
        schema: {
          tags,
          summary: 'Revoke a screen’s device key: it stops working at once and the screen goes back to pairing',
          description: 'Pending commands end as `revoked`. Pair it again with `POST /api/admin/kiosk-screens/:id/pair`. ' + ADMIN,
          params: idParamSchema,
          response: { 200: kioskFleetScreenSchema, ...errors },
        },
      },
      async (req) => fleet.revoke(requireUser(req), req.params.id),
    );

    app.post(
      '/api/admin/kiosk-screens/:id/pair',
      {
        schema: {
          tags,
          summary: 'Pair a device to an existing screen (a replacement, or the same one after a revoke)',
          description: 'The device keeps the screen’s name, settings and schedule. 404 `kiosk.code_unknown`. ' + ADMIN,
          params: idParamSchema,
          body: z.strictObject({ code: pairingCodeSchema }),
          response: { 200: kioskFleetScreenSchema, ...errors },
        },
      },
      async (req) => fleet.repair(requireUser(req), req.params.id, req.body.code),
    );

    app.post(
      '/api/admin/kiosk-screens/:id/commands',
      {
        schema: {
          tags,
          summary: 'Send a screen a command: reload, refresh (content now), screenshot, rotate_key',
          description:
            'An online screen gets it within a second on its event stream; one that is away gets it when it reconnects or at its next ' +
            'heartbeat. `sentAt` is when it went out, `doneAt` and `result` when the screen reported it done. 409 `kiosk.screen_revoked`. ' +
            ADMIN,
          params: idParamSchema,
          body: kioskCommandBody,
          response: { 201: kioskCommandSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await fleet.command(requireUser(req), req.params.id, req.body.kind)),
    );

    app.get(
      '/api/admin/kiosk-screens/:id/schedule',
      {
        schema: {
          tags,
          summary: 'What the screen plays now and over the next hours',
          description:
            '`now` at `at` (default: now), `nextChangeAt` (within 8 days, else null) and `timeline`: spans over `hours` (default 24, at most ' +
            '168) of `dark` or the `layerId` playing, computed by the resolver the kiosk app itself runs (docs/kiosk.md, "Schedules"). ' +
            ADMIN,
          params: idParamSchema,
          querystring: z.strictObject({
            at: z.iso.datetime({ offset: true }).optional(),
            hours: z.coerce.number().int().min(1).max(168).default(24),
          }),
          response: { 200: kioskScheduleReply, ...errors },
        },
      },
      async (req) => schedule.forScreen(requireUser(req), req.params.id, req.query),
    );

    app.get(
      '/api/admin/kiosk-screens/:id/screenshot',
      {
        schema: {
          tags,
          summary: 'The screen’s last screenshot (image/jpeg); ask for a new one with the `screenshot` command',
          description:
            '`last-modified` is when it was taken; `at` is ignored (pages put `screenshotAt` there so a new one is fetched). 404 `kiosk.screenshot_none` before the first. ' +
            ADMIN,
          params: idParamSchema,
          querystring: z.strictObject({ at: z.string().max(40).optional() }),
          response: { 200: z.any().describe('image/jpeg'), ...errors },
        },
      },
      async (req, reply) => {
        const shot = await services.kioskScreenshots.read(requireUser(req), req.params.id);
        return reply
          .header('content-type', 'image/jpeg')
          .header('cache-control', 'private, no-store')
          .header('last-modified', shot.at.toUTCString())
          .send(shot.stream);
      },
    );

    // ---- groups ----
    app.get(
      '/api/admin/kiosk-groups',
      {
        schema: {
          tags,
          summary: 'Screen groups with their screen counts',
          description: ADMIN,
          response: { 200: z.object({ groups: z.array(kioskGroupSchema) }), ...errors },
        },
      },
      async (req) => ({ groups: await fleet.groups(requireUser(req)) }),
    );
    app.post(
      '/api/admin/kiosk-groups',
      {
        schema: {
          tags,
          summary: 'Add a screen group',
          description: '409 `kiosk.group_name_taken`. ' + ADMIN,
          body: kioskGroupBody,
          response: { 201: kioskGroupSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await fleet.createGroup(requireUser(req), req.body.name)),
    );
    app.delete(
      '/api/admin/kiosk-groups/:id',
      {
        schema: {
          tags,
          summary: 'Remove a screen group: its screens stay, without a group; its schedule layers go',
          description: ADMIN,
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await fleet.deleteGroup(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    // ---- schedule layers ----
    app.get(
      '/api/admin/kiosk-layers',
      {
        schema: {
          tags,
          summary: 'Schedule layers of a group or a screen (or all)',
          description: ADMIN,
          querystring: z.strictObject({ groupId: z.uuid().optional(), screenId: z.uuid().optional() }),
          response: { 200: z.object({ layers: z.array(kioskLayerSchema) }), ...errors },
        },
      },
      async (req) => ({ layers: await schedule.list(requireUser(req), req.query) }),
    );
    app.post(
      '/api/admin/kiosk-layers',
      {
        schema: {
          tags,
          summary: 'Add a schedule layer to a group or a screen',
          description:
            'Exactly one of `groupId`, `screenId`. By `kind`: `default` (the loop), `window` (needs `windows`: weekdays 1–7 from Monday and ' +
            '`HH:MM` start/end in the screen’s time zone; an end not after the start runs overnight, start = end is all day), `campaign` ' +
            '(`fromDate`–`toDate`, local dates inclusive, optionally `windows`), `interrupt` (`startsAt`–`endsAt`, at most 24 h, urgent news ' +
            'over everything while the screen is lit). Fields of other kinds are dropped. Higher kinds win (interrupt > campaign > window > ' +
            'default), then a screen’s own layer over its group’s, then `priority`, then the newer. Screens are told at once. 400 with the ' +
            'field for a layer that cannot be scheduled; 409 `kiosk.too_many_layers` (50 per target). ' +
            ADMIN,
          body: kioskLayerBody,
          response: { 201: kioskLayerSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await schedule.create(requireUser(req), req.body)),
    );
    app.delete(
      '/api/admin/kiosk-layers/:id',
      {
        schema: { tags, summary: 'Remove a schedule layer', description: ADMIN, params: idParamSchema, response: { 204: z.null(), ...errors } },
      },
      async (req, reply) => {
        await schedule.remove(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
