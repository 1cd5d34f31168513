import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  putReviewChainBody,
  reviewActionBody,
  reviewChainSchema,
  reviewInboxReply,
  sendBackBody,
  storyFormParams,
  storyFormSchema,
} from '../../../contracts/kitchen.js';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const TAGS = ['kitchen'];
const WHO =
  'Who holds a step: `editor` — an editor or chief editor covering the story’s studio who did not submit this round (403 `kitchen.self_approval`); ' +
  '`studio_lead` — the lead of the story’s studio, or a chief editor when it has none (or the story has no studio); `chief_editor` — a chief editor. ' +
  'Anyone else gets 403 `kitchen.not_your_step`; an admin cannot bypass a chain. Send `round`/`step` as you saw them: if the form has moved on ' +
  '(or two people act on the same step at once) the later one answers 409 `kitchen.review_moved`; without them a request is judged against the step the form is at when it gets the row lock.';

/** The review chain (审): submit, approve, send back, the inbox and the chain per studio (docs/kitchen-review.md). */
export function kitchenReviewRoutes(services: Services): FastifyPluginAsyncZod {
  const review = () => services.kitchenReview;
  const view = (req: { params: z.infer<typeof storyFormParams> }, actor: ReturnType<typeof requireUser>) =>
    services.kitchenForms.viewOf(actor, req.params.id, req.params.form);
  return async (app) => {
    app.post(
      '/api/kitchen/stories/:id/forms/:form/submit',
      {
        schema: {
          tags: TAGS,
          summary: 'Send a form in edit into review (step 1 of its chain)',
          description:
            '`kitchen.write`, in the story’s scope. Only from `in_edit` (409 `kitchen.form_not_in_edit`). A resubmission after a send-back starts a new round. Audited as `kitchen.form_submit`.',
          params: storyFormParams,
          response: { 200: storyFormSchema, ...errors },
        },
      },
      async (req) => {
        const actor = requireUser(req);
        await review().submit(actor, req.params.id, req.params.form);
        return view(req, actor);
      },
    );

    app.post(
      '/api/kitchen/stories/:id/forms/:form/approve',
      {
        schema: {
          tags: TAGS,
          summary: 'Approve the step that holds the form; the last approval makes it ready',
          description: `A form reaches \`ready\` only when every step of its chain has approved. Audited as \`kitchen.form_approve\`. ${WHO}`,
          params: storyFormParams,
          body: reviewActionBody,
          response: { 200: storyFormSchema, ...errors },
        },
      },
      async (req) => {
        const actor = requireUser(req);
        await review().approve(actor, req.params.id, req.params.form, req.body, requestLocale(req));
        return view(req, actor);
      },
    );

    app.post(
      '/api/kitchen/stories/:id/forms/:form/send-back',
      {
        schema: {
          tags: TAGS,
          summary: 'Send a form back to edit with a note the author reads',
          description: `\`note\` is required (1–2000 characters). The form goes back to \`in_edit\`; its next submit starts a new round. Audited as \`kitchen.form_send_back\`. ${WHO}`,
          params: storyFormParams,
          body: sendBackBody,
          response: { 200: storyFormSchema, ...errors },
        },
      },
      async (req) => {
        const actor = requireUser(req);
        await review().sendBack(actor, req.params.id, req.params.form, req.body, requestLocale(req));
        return view(req, actor);
      },
    );

    app.get(
      '/api/kitchen/review/inbox',
      {
        schema: {
          tags: TAGS,
          summary: 'What I hold now: forms whose current step I may approve, oldest waiting first',
          description: `\`kitchen.review\`. Each item names the story, studio, form, the step and its role, who submitted the round and since when it waits. ${WHO}`,
          response: { 200: reviewInboxReply, ...errors },
        },
      },
      async (req) => review().inbox(requireUser(req)),
    );

    app.get(
      '/api/kitchen/studios/:id/review-chain',
      {
        schema: {
          tags: TAGS,
          summary: 'A studio’s review chain (the default 三审 when it has none of its own)',
          description: '`kitchen.review`. Stories without a studio always follow the default 三审: editor → studio_lead → chief_editor.',
          params: idParamSchema,
          response: { 200: reviewChainSchema, ...errors },
        },
      },
      async (req) => review().getChain(requireUser(req), req.params.id),
    );

    app.put(
      '/api/kitchen/studios/:id/review-chain',
      {
        schema: {
          tags: TAGS,
          summary: 'Set a studio’s review chain (chief editors)',
          description:
            '`kitchen.configure`. 1–5 steps, each `editor`, `studio_lead` or `chief_editor`, in order. Forms already in review continue from the step index they are at ' +
            '(a shortened chain ends at its last step). Audited as `kitchen.review_chain_set` with the chain before and after.',
          params: idParamSchema,
          body: putReviewChainBody,
          response: { 200: reviewChainSchema, ...errors },
        },
      },
      async (req) => review().putChain(requireUser(req), req.params.id, req.body.steps),
    );
  };
}
