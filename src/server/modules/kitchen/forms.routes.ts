import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { createFormBody, storyFormParams, storyFormSchema, storyFormsReply, updateFormBody } from '../../../contracts/kitchen.js';
import { z } from 'zod';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const storyParams = z.strictObject({ id: z.uuid() });
const TAGS = ['kitchen'];

/** The forms of a story (docs/kitchen-review.md, "Forms"). */
export function kitchenFormsRoutes(services: Services): FastifyPluginAsyncZod {
  const forms = () => services.kitchenForms;
  return async (app) => {
    app.get(
      '/api/kitchen/stories/:id/forms',
      {
        schema: {
          tags: TAGS,
          summary: 'All forms of a story with status, review chain, who holds each now, notes and history',
          description:
            'Editors (in the story’s studio), chief editors and admins (`kitchen.write`). Each form carries its content, version (for PATCH), ' +
            'the chain it passes, the approvals of the current round, the holder of the current step and whether you may act on it, ' +
            'the last send-back note while it is back in edit, and its whole review history.',
          params: storyParams,
          response: { 200: storyFormsReply, ...errors },
        },
      },
      async (req) => forms().list(requireUser(req), req.params.id),
    );

    app.put(
      '/api/kitchen/stories/:id/forms/:form',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a form derived from the story (or reserve it as planned)',
          description:
            'Derives the form from the story: print (headline cut to 60, standfirst, body, 4 columns or the newspaper’s fewer, no edition/page yet, first 6 images), ' +
            'web/app (headline, standfirst, body), weibo (headline + standfirst within 110 characters; Paike appends the link), wechat (title ≤ 32, digest ≤ 120, ' +
            'author from the byline ≤ 16, body), toutiao/penguin (title, summary; 409 `kitchen.form_needs_video` without an embedded video), screen (headline ≤ 24, ' +
            'subline, first image or else first video). All HTML goes through the story sanitiser. `{status: "planned"}` reserves the form with no content (planning); ' +
            'a later PUT without it fills a planned form in. 201 when created, 200 when a planned form was filled in, 409 `kitchen.form_exists` otherwise.',
          params: storyFormParams,
          body: createFormBody,
          response: { 200: storyFormSchema, 201: storyFormSchema, ...errors },
        },
      },
      async (req, reply) => {
        const r = await forms().create(requireUser(req), req.params.id, req.params.form, req.body.status, requestLocale(req));
        return reply.status(r.created ? 201 : 200).send(r.form);
      },
    );

    app.patch(
      '/api/kitchen/stories/:id/forms/:form',
      {
        schema: {
          tags: TAGS,
          summary: 'Edit a form’s fields (optimistic locking); a change after review restarts this form’s chain',
          description:
            '`version` is the version you edited: a newer one answers 409 `kitchen.stale_version` naming who saved it and when. `content` holds the fields to change. ' +
            'Limits are counted in characters (one Chinese character counts one); every field over its limit comes back in `error.details.fields` ' +
            '(`field`, `limit`, `count`, `message`). HTML fields are sanitised. A form in review, ready or published goes back to `in_edit` and its next submit ' +
            'starts a new review round (a `restart` entry in its history); other forms of the story are untouched. A planned form answers 409 `kitchen.form_planned`.',
          params: storyFormParams,
          body: updateFormBody,
          response: { 200: storyFormSchema, ...errors },
        },
      },
      async (req) => forms().update(requireUser(req), req.params.id, req.params.form, req.body, requestLocale(req)),
    );
  };
}
