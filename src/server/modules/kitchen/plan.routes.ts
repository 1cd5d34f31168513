import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  boardSchema,
  ideaCreateSchema,
  ideaPatchSchema,
  ideaSchema,
  planDaySchema,
  studioDetailSchema,
  studioOverviewSchema,
} from '../../../contracts/kitchen.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const ideaReply = z.object({ idea: ideaSchema });
const listQuery = z.strictObject({
  day: planDaySchema.optional(),
  studioId: z.uuid().optional(),
});
const WHO =
  'Needs `kitchen.plan` (editors, chief editors, admins). Editors plan for the studios they belong to or lead and for the central desk (ideas of no studio); 403 `kitchen.out_of_scope` otherwise.';
const LATE =
  'A slot is late when its due time (or, without one, the idea’s deadline) has passed and the linked story’s form is not `ready` or `published`; an idea is late when a slot is, or its deadline has passed with slots still open. Dropped and done ideas are never late.';

/** Planning 策 (docs/planning.md): ideas (报题), the day's board, the studios side by side. */
export function planRoutes(services: Services): FastifyPluginAsyncZod {
  const plan = services.kitchenPlan;
  return async (app) => {
    app.get(
      '/api/kitchen/ideas',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Story ideas (报题) of a day, with their slots and feeding videos',
          description: `Ideas in the actor's scope, optionally of one day (YYYY-MM-DD, Asia/Shanghai) and one studio. ${WHO} 400 \`kitchen.invalid_day\`; 404 \`studio.not_found\`. ${LATE}`,
          querystring: listQuery,
          response: { 200: z.object({ ideas: z.array(ideaSchema) }), ...errors },
        },
      },
      async (req) => ({ ideas: await plan.listIdeas(req.user, req.query) }),
    );
    app.post(
      '/api/kitchen/ideas',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Add a story idea (报题) to a day’s budget',
          description: `Title, summary, studio (null: the central desk), day, owner (staff who can write), deadline, a slot per form ({form, target such as "A1" / "第4版" / "20:00", dueAt}) and the contributor videos that feed it (in review or adopted, within the actor's desk scope). A deadline or due time already past is accepted (ideas can be logged after the fact) and shows as late at once. ${WHO} 400 \`kitchen.invalid_day\`, \`kitchen.idea_unknown_form\`, \`kitchen.idea_duplicate_slot\`, \`kitchen.idea_bad_owner\`; 403 \`desk.out_of_scope\` for a video of another studio; 404 \`studio.not_found\`, \`submission.not_found\`; 409 \`kitchen.idea_feed_unusable\`.`,
          body: ideaCreateSchema,
          response: { 201: ideaReply, ...errors, 409: errorBodySchema },
        },
      },
      async (req, reply) => reply.status(201).send({ idea: await plan.createIdea(req.user, req.body) }),
    );
    app.patch(
      '/api/kitchen/ideas/:id',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Change a story idea: fields, status, slots, feeds, or attach a story',
          description: `Only the fields sent change; \`slots\` and \`feeds\` replace the idea's lists; \`status\` proposed|accepted|dropped|done; \`storyId\` attaches an existing story in scope (null detaches). ${WHO} Same errors as creating, and 404 \`kitchen.idea_not_found\`, \`kitchen.story_not_found\`.`,
          params: idParamSchema,
          body: ideaPatchSchema,
          response: { 200: ideaReply, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ idea: await plan.updateIdea(req.user, req.params.id, req.body) }),
    );
    app.post(
      '/api/kitchen/ideas/:id/story',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Make a story from an idea, with a planned form per slot',
          description: `Creates the story (headline = title, standfirst = summary, the idea's studio, the actor as author) with its revision 1 and a \`planned\` form for each slot, in one transaction, attaches it and accepts a proposed idea. Needs \`kitchen.plan\` and \`kitchen.write\`. 404 \`kitchen.idea_not_found\`; 409 \`kitchen.idea_has_story\`, \`kitchen.idea_dropped\`.`,
          params: idParamSchema,
          response: { 201: ideaReply, ...errors, 409: errorBodySchema },
        },
      },
      async (req, reply) => reply.status(201).send({ idea: await plan.createStory(req.user, req.params.id) }),
    );
    app.get(
      '/api/kitchen/board',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The day’s budget board for the chief editor: what each studio has, what is late',
          description: `Per studio in scope (and the central desk when it has ideas): its ideas of the day with slots, each slot's story-form status, owner, deadline and late flag; counts of slots per form and status (\`none\` when the form does not exist yet; dropped ideas are not counted); and the list of what is late. \`day\` defaults to today in Asia/Shanghai. ${LATE} ${WHO} 400 \`kitchen.invalid_day\`.`,
          querystring: listQuery,
          response: { 200: z.object({ board: boardSchema }), ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return { board: await plan.board(req.user, req.query) };
      },
    );
    app.get(
      '/api/kitchen/studios',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'All studios side by side (chief editor); an editor gets their own',
          description: `Per studio: its desk queue (contributor videos routed to it and in review), its story forms by status, published forms per form today and this week (Asia/Shanghai, weeks from Monday), the reach figures of its contributor videos (the same figures as \`/api/dashboards/studios/:id\`), and how many slots are late on today's board. ${WHO}`,
          response: { 200: z.object({ studios: z.array(studioOverviewSchema) }), ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return { studios: await plan.studios(req.user) };
      },
    );
    app.get(
      '/api/kitchen/studios/:id',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'One studio’s page: queue, stories by stage, channels, figures, today’s ideas, review queue',
          description: `The overview's figures plus lists: today's ideas, the latest 100 stories with their forms, the forms in review, and the first 50 videos waiting on the desk. ${WHO} 404 \`studio.not_found\`.`,
          params: idParamSchema,
          response: { 200: z.object({ studio: studioDetailSchema }), ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return { studio: await plan.studio(req.user, req.params.id) };
      },
    );
  };
}
