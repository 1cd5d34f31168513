import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { studioLeadBody, studioMemberBody, studioMemberParams } from '../../../contracts/backOffice.js';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  adoptBody,
  claimSchema,
  createStudioBody,
  decisionReply,
  deskEditBody,
  deskEditListReply,
  deskEditSchema,
  noteBody,
  noteSchema,
  queueQuerySchema,
  queueReply,
  regradeBody,
  rejectBody,
  reviewReply,
  studioListReply,
  studioSchema,
  updateStudioBody,
} from '../../../contracts/desk.js';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export function deskRoutes(services: Services): FastifyPluginAsyncZod {
  const desk = () => services.desk;
  return async (app) => {
    app.get(
      '/api/desk/queue',
      {
        schema: {
          tags: ['desk'],
          summary: 'Review queue, oldest first; filter by campaign, theme, duplicate flag, contributor trust level, studio',
          querystring: queueQuerySchema,
          response: { 200: queueReply, ...errors },
        },
      },
      async (req) => desk().queue(requireUser(req), req.query, requestLocale(req)),
    );

    app.get(
      '/api/desk/submissions/:id',
      {
        schema: {
          tags: ['desk'],
          summary: 'Everything for reviewing one submission: player URLs, probe facts, contributor history, duplicate warning, claim, notes, grade table',
          params: idParamSchema,
          response: { 200: reviewReply, ...errors },
        },
      },
      async (req) => desk().review(requireUser(req), req.params.id, requestLocale(req)),
    );

    app.post(
      '/api/desk/submissions/:id/claim',
      {
        schema: {
          tags: ['desk'],
          summary: 'Claim (or renew) an item for 15 minutes so no one else works it',
          params: idParamSchema,
          response: { 200: z.object({ claim: claimSchema }), ...errors },
        },
      },
      async (req) => desk().claim(requireUser(req), req.params.id),
    );

    app.delete(
      '/api/desk/submissions/:id/claim',
      {
        schema: { tags: ['desk'], summary: 'Release my claim', params: idParamSchema, response: { 204: z.null(), ...errors } },
      },
      async (req, reply) => {
        await desk().release(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/desk/submissions/:id/adopt',
      {
        schema: {
          tags: ['desk'],
          summary: 'Adopt with a grade from the campaign’s table: posts the reward and queues publication in one transaction (repeats are harmless)',
          params: idParamSchema,
          body: adoptBody,
          response: { 200: decisionReply, ...errors },
        },
      },
      async (req) => desk().adopt(requireUser(req), req.params.id, req.body.grade, requestLocale(req)),
    );

    app.post(
      '/api/desk/submissions/:id/reject',
      {
        schema: {
          tags: ['desk'],
          summary: 'Reject with a reason from the list and optional free text; the contributor reads it in their language',
          params: idParamSchema,
          body: rejectBody,
          response: { 200: decisionReply, ...errors },
        },
      },
      async (req) => desk().reject(requireUser(req), req.params.id, req.body, requestLocale(req)),
    );

    app.post(
      '/api/desk/submissions/:id/grade',
      {
        schema: {
          tags: ['desk'],
          summary: 'Change an adopted video’s grade: a correcting ledger entry for the difference',
          description:
            'A lower grade claws the difference back even when the contributor has already withdrawn it: their balance goes below zero, later earnings settle it first, and withdrawals are refused until it is positive (docs/ledger.md, "Claw-back").',
          params: idParamSchema,
          body: regradeBody,
          response: { 200: decisionReply, ...errors },
        },
      },
      async (req) => desk().regrade(requireUser(req), req.params.id, req.body, requestLocale(req)),
    );

    app.post(
      '/api/desk/submissions/:id/notes',
      {
        schema: { tags: ['desk'], summary: 'Add a note for other editors', params: idParamSchema, body: noteBody, response: { 201: noteSchema, ...errors } },
      },
      async (req, reply) => reply.status(201).send(await desk().addNote(requireUser(req), req.params.id, req.body.body)),
    );

    app.post(
      '/api/desk/submissions/:id/edits',
      {
        schema: {
          tags: ['desk'],
          summary: 'Secondary production by the desk: trim an adopted video and add subtitles, burned in or as WebVTT (made by a job)',
          params: idParamSchema,
          body: deskEditBody,
          response: { 202: z.object({ edit: deskEditSchema }), ...errors },
        },
      },
      async (req, reply) => reply.status(202).send({ edit: await services.deskEdits.request(requireUser(req), req.params.id, req.body) }),
    );

    app.get(
      '/api/desk/submissions/:id/edits',
      {
        schema: {
          tags: ['desk'],
          summary: 'The desk’s edited versions of a video, newest first',
          params: idParamSchema,
          response: { 200: deskEditListReply, ...errors },
        },
      },
      async (req) => ({ edits: await services.deskEdits.list(requireUser(req), req.params.id) }),
    );

    app.get(
      '/api/desk/studios',
      {
        schema: { tags: ['desk'], summary: 'Studios with their members and routed campaigns/themes', response: { 200: studioListReply, ...errors } },
      },
      async (req) => ({ studios: (await desk().listStudios(requireUser(req))).map(presentStudio) }),
    );

    app.post(
      '/api/desk/studios',
      {
        schema: {
          tags: ['desk'],
          summary: 'Create a studio (chief editor, admin)',
          body: createStudioBody,
          response: { 201: z.object({ studio: studioSchema }), ...errors },
        },
      },
      async (req, reply) => reply.status(201).send({ studio: presentStudio(await desk().saveStudio(requireUser(req), null, req.body)) }),
    );

    app.patch(
      '/api/desk/studios/:id',
      {
        schema: {
          tags: ['desk'],
          summary: 'Change a studio’s name, lead, members or routes (chief editor, admin)',
          description:
            'A partial update: only the fields sent change; `memberIds` and `routes` replace their lists when sent; `leadUserId: null` removes the lead. ' +
            'At least one field (400 `request.invalid`). 400 `studio.unknown_reference`: a lead, member or campaign that does not exist.',
          params: idParamSchema,
          body: updateStudioBody,
          response: { 200: z.object({ studio: studioSchema }), ...errors },
        },
      },
      async (req) => ({ studio: presentStudio(await desk().saveStudio(requireUser(req), req.params.id, req.body)) }),
    );

    // Issue 13: one member or the lead at a time (chief editor, admin), each audited.
    app.post(
      '/api/desk/studios/:id/members',
      {
        schema: {
          tags: ['desk'],
          summary: 'Add a member to a studio (chief editor, admin)',
          description:
            'Adding a member twice changes nothing. 409 `studio.member_not_staff`: the account is not an enabled editor, chief editor or admin; 400 `studio.unknown_reference`: no such account.',
          params: idParamSchema,
          body: studioMemberBody,
          response: { 200: z.object({ studio: studioSchema }), ...errors },
        },
      },
      async (req) => ({ studio: presentStudio(await services.studioMembers.addMember(requireUser(req), req.params.id, req.body.userId)) }),
    );

    app.delete(
      '/api/desk/studios/:id/members/:userId',
      {
        schema: {
          tags: ['desk'],
          summary: 'Remove a member from a studio (chief editor, admin); removing the lead clears the lead',
          params: studioMemberParams,
          response: { 200: z.object({ studio: studioSchema }), ...errors },
        },
      },
      async (req) => ({ studio: presentStudio(await services.studioMembers.removeMember(requireUser(req), req.params.id, req.params.userId)) }),
    );

    app.put(
      '/api/desk/studios/:id/lead',
      {
        schema: {
          tags: ['desk'],
          summary: 'Set or clear a studio’s lead (chief editor, admin)',
          description: 'The lead must already be a member (409 `studio.lead_not_member`); `userId: null` clears it.',
          params: idParamSchema,
          body: studioLeadBody,
          response: { 200: z.object({ studio: studioSchema }), ...errors },
        },
      },
      async (req) => ({ studio: presentStudio(await services.studioMembers.setLead(requireUser(req), req.params.id, req.body.userId)) }),
    );
  };
}

function presentStudio(s: {
  id: string;
  name: string;
  leadUserId: string | null;
  members: { id: string; name: string }[];
  routes: { campaignId: string; theme: string | null }[];
}) {
  return { id: s.id, name: s.name, leadUserId: s.leadUserId, members: s.members, routes: s.routes };
}
