import QRCode from 'qrcode';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignListReply, campaignReply, createCampaignBody, joinReply, updateCampaignBody } from '../../../contracts/campaigns.js';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const idOrSlug = z.strictObject({ idOrSlug: z.string().min(1).max(80) });

export function campaignsRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/campaigns',
      {
        schema: { tags: ['campaigns'], security: [], summary: 'Open campaigns', response: { 200: campaignListReply } },
      },
      async () => ({ campaigns: await services.campaigns.listOpen() }),
    );

    app.get(
      '/api/campaigns/:idOrSlug',
      {
        schema: {
          tags: ['campaigns'],
          security: [{}, { session: [] }],
          summary: 'One campaign, by id or slug',
          params: idOrSlug,
          response: { 200: campaignReply, ...errors },
        },
      },
      async (req) => ({ campaign: await services.campaigns.getPublic(req.params.idOrSlug, req.user) }),
    );

    app.post(
      '/api/campaigns/:id/join',
      {
        schema: { tags: ['campaigns'], summary: 'Join a campaign (respects its quota)', params: idParamSchema, response: { 200: joinReply, ...errors } },
      },
      async (req) => {
        const user = requireUser(req);
        return { joined: true as const, campaign: await services.campaigns.join(user, req.params.id) };
      },
    );

    app.get(
      '/api/me/campaigns',
      {
        schema: { tags: ['me'], summary: 'Campaigns I have joined', response: { 200: campaignListReply, ...errors } },
      },
      async (req) => ({ campaigns: await services.campaigns.listForMember(requireUser(req).id) }),
    );

    const qrSchema = (format: string) => ({
      tags: ['campaigns'],
      security: [{}, { session: [] }] as Record<string, string[]>[],
      summary: `Printable QR code (${format}) of the campaign's join link`,
      params: idParamSchema,
      response: { 200: z.any().describe(format), ...errors },
    });

    app.get('/api/campaigns/:id/qr.svg', { schema: qrSchema('image/svg+xml') }, async (req, reply) => {
      const campaign = await services.campaigns.getPublic(req.params.id, req.user);
      const svg = await QRCode.toString(campaign.joinUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=300').send(svg);
    });

    app.get('/api/campaigns/:id/qr.png', { schema: qrSchema('image/png') }, async (req, reply) => {
      const campaign = await services.campaigns.getPublic(req.params.id, req.user);
      // 1024 px with a quiet zone prints sharply at poster size.
      const png = await QRCode.toBuffer(campaign.joinUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width: 1024 });
      return reply.type('image/png').header('cache-control', 'public, max-age=300').send(png);
    });

    app.get(
      '/api/admin/campaigns',
      {
        schema: { tags: ['admin'], summary: 'All campaigns, drafts included', response: { 200: campaignListReply, ...errors } },
      },
      async (req) => ({ campaigns: await services.campaigns.listAll(requireUser(req)) }),
    );

    app.post(
      '/api/admin/campaigns',
      {
        schema: { tags: ['admin'], summary: 'Create a campaign', body: createCampaignBody, response: { 201: campaignReply, ...errors } },
      },
      async (req, reply) => reply.status(201).send({ campaign: await services.campaigns.create(requireUser(req), req.body) }),
    );

    app.patch(
      '/api/admin/campaigns/:id',
      {
        schema: { tags: ['admin'], summary: 'Edit a campaign', params: idParamSchema, body: updateCampaignBody, response: { 200: campaignReply, ...errors } },
      },
      async (req) => ({ campaign: await services.campaigns.update(requireUser(req), req.params.id, req.body) }),
    );
  };
}
