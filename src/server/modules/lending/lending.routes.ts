import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  adminTitleSchema,
  adminTitlesQuery,
  borrowReply,
  catalogueQuery,
  fileTokenParam,
  fileTokenReply,
  holdSchema,
  lendingTitleSchema,
  licenceBody,
  loanSchema,
  opdsFeedSchema,
  readingPositionSchema,
  titleDetailReply,
  uploadQuery,
} from '../../../contracts/lending.js';
import { AppError } from '../../lib/errors.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';
import { EPUB_LIMITS } from './epub-check.js';
import { PDF_MAX_BYTES } from './pdf-check.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const STAFF = 'Staff only (`lending.manage`: chief editors, admins): 401 `auth.required`, 403 `auth.forbidden`.';
const READER = 'Any signed-in account: 401 `auth.required`. Another reader’s loan or hold is 404.';
const PUBLIC: { [label: string]: string[] }[] = [{}, { session: [] }];
const staffTags = ['lending admin'];
const tags = ['lending'];

/** Lending (docs/lending.md): staff upload and licence titles; readers borrow, hold, read and keep their place. */
export function lendingRoutes(services: Services): FastifyPluginAsyncZod {
  const lending = services.lending;
  return async (app) => {
    // An upload is the file's raw bytes (this plugin only); each checker enforces its own limit below this one.
    app.addContentTypeParser(
      ['application/epub+zip', 'application/pdf'],
      { parseAs: 'buffer', bodyLimit: Math.max(EPUB_LIMITS.maxFileBytes, PDF_MAX_BYTES) },
      (_req, body, done) => done(null, body),
    );

    // ---- staff ----
    app.post(
      '/api/admin/lending/titles',
      {
        schema: {
          tags: staffTags,
          summary: 'Upload an EPUB or PDF into the lending catalogue, with its licence',
          description:
            'Body: the file itself, `content-type: application/epub+zip` or `application/pdf` (EPUB ≤ 100 MB, PDF ≤ 200 MB). Metadata and the ' +
            'licence in the query string: `kind` (book|periodical), `title` (else the EPUB’s own; required for a PDF: 400 ' +
            '`lending.title_required`), `author`, `language`, `description`, `copies` (1), `loanDays` (14), `maxLoans` (total checkouts, ' +
            'none = unlimited), `expiresAt`. An EPUB is refused for a zip bomb, unsafe paths or a broken package and cleaned of scripts, ' +
            'event handlers, javascript: URLs and remote references (counted in `neutralised`); its cover is re-encoded as JPEG. A PDF with ' +
            'active content (/JavaScript, /JS, /Launch, /EmbeddedFile, /RichMedia, /SubmitForm, /ImportData) is refused. Refusals are 422 with ' +
            'the checker’s code: `epub.zip_bomb`, `epub.unsafe_path`, `epub.not_zip`, `epub.bad_mimetype`, `epub.no_container`, `epub.no_opf`, ' +
            '`epub.too_many_entries`, `epub.too_large`, `pdf.not_pdf`, `pdf.active_content` (`details.found`), `pdf.too_large`. 415 ' +
            '`lending.file_type` for another body; 413 over 200 MB; 409 `lending.title_exists` for a file already listed. Audit ' +
            '`lending.title_upload`. ' +
            STAFF,
          querystring: uploadQuery,
          response: { 201: adminTitleSchema, ...errors, 413: errorBodySchema, 415: errorBodySchema, 422: errorBodySchema },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await lending.upload(requireUser(req), { contentType: req.headers['content-type'], body: req.body, meta: req.query })),
    );

    app.get(
      '/api/admin/lending/titles',
      {
        schema: {
          tags: staffTags,
          summary: 'Every title with its licence, loans used, active loans and holds',
          description: '`withdrawn`: `exclude` (default), `include` or `only`. Newest first. ' + STAFF,
          querystring: adminTitlesQuery,
          response: { 200: z.object({ titles: z.array(adminTitleSchema) }), ...errors },
        },
      },
      async (req) => ({ titles: await lending.adminList(requireUser(req), req.query) }),
    );

    app.patch(
      '/api/admin/lending/titles/:id/licence',
      {
        schema: {
          tags: staffTags,
          summary: 'Change a title’s licence: copies, loan days, total checkouts, end date',
          description:
            'Only the fields sent change; `maxLoans` and `expiresAt` null remove the limit. New terms apply to new loans (a loan keeps its due ' +
            'date). Copies freed by a larger licence are offered to the queue at once; fewer copies than are out only slow the queue. ' +
            'Audit `lending.licence_update`. 404 `lending.title_not_found`. ' +
            STAFF,
          params: idParamSchema,
          body: licenceBody,
          response: { 200: adminTitleSchema, ...errors },
        },
      },
      async (req) => lending.updateLicence(requireUser(req), req.params.id, req.body),
    );

    app.delete(
      '/api/admin/lending/titles/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Withdraw a title: out of the catalogue, open holds cancelled, loans run to their due date',
          description: 'Withdrawing again changes nothing. Audit `lending.title_withdraw`. 404 `lending.title_not_found`. ' + STAFF,
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await lending.withdraw(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    // ---- the catalogue ----
    app.get(
      '/api/lending/titles',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'The lending catalogue with availability (public)',
          description:
            'Newest first; `kind` filters, `limit` (≤ 200, 50) and `offset` page. `availability.state`: `available` (borrowing now gives a ' +
            'loan), `unavailable` (it queues a hold), `ended` (the licence allows no more loans); `available` copies exclude those owed to ' +
            'the queue; `holds` counts readers waiting or holding an offer.',
          querystring: catalogueQuery,
          response: { 200: z.object({ titles: z.array(lendingTitleSchema) }), ...errors },
        },
      },
      async (req) => ({ titles: await lending.catalogue(req.query) }),
    );

    app.get(
      '/api/lending/titles/:id',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'One title with its availability, and the signed-in reader’s own loan and hold of it',
          description: '`mine` is null when signed out. 404 `lending.title_not_found` (also once withdrawn).',
          params: idParamSchema,
          response: { 200: titleDetailReply, ...errors },
        },
      },
      async (req) => lending.title(req.user, req.params.id),
    );

    app.get(
      '/api/lending/titles/:id/cover',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'A title’s cover (image/jpeg, long side ≤ 1200 px; public)',
          description: '404 `lending.cover_none` when the title has none (PDFs, EPUBs without a usable cover image).',
          params: idParamSchema,
          response: { 200: z.any().describe('image/jpeg'), ...errors },
        },
      },
      async (req, reply) => {
        const cover = await lending.cover(req.params.id);
        return reply
          .header('content-type', 'image/jpeg')
          .header('content-length', cover.size)
          .header('cache-control', 'public, max-age=86400')
          .send(cover.stream);
      },
    );

    // ---- readers ----
    app.post(
      '/api/lending/titles/:id/borrow',
      {
        schema: {
          tags,
          summary: 'Borrow a title: a loan if a copy is free, else a place in the queue',
          description:
            '201 `{outcome: "loan", loan}` (due in the licence’s loan days), or 202 `{outcome: "hold", hold, position, estimatedWaitDays}` ' +
            '(1 = next in line; the estimate follows the due dates of the loans ahead). Borrowing again answers the same loan or hold; a ' +
            'reader with an offered copy gets the loan. 409 `lending.licence_ended` (licence past its end date or checkouts used up). 404 ' +
            '`lending.title_not_found`. ' +
            READER,
          params: idParamSchema,
          response: { 201: borrowReply, 202: borrowReply, ...errors },
        },
      },
      async (req, reply) => {
        const r = await lending.borrow(requireUser(req), req.params.id);
        return reply.status(r.outcome === 'loan' ? 201 : 202).send(r);
      },
    );

    app.get(
      '/api/me/loans',
      {
        schema: {
          tags,
          summary: 'My shelf: active loans, my last 50 ended ones, and my open holds',
          description: 'Loans newest first (active before ended); holds in queue order, offered ones with `offerExpiresAt`. ' + READER,
          response: { 200: z.object({ loans: z.array(loanSchema), holds: z.array(holdSchema) }), ...errors },
        },
      },
      async (req) => lending.shelf(requireUser(req)),
    );

    app.post(
      '/api/lending/loans/:id/return',
      {
        schema: {
          tags,
          summary: 'Return a loan early; the copy is offered to the first in the queue for 48 hours',
          description: '409 `lending.loan_ended` when it is already returned or expired. ' + READER,
          params: idParamSchema,
          response: { 200: z.object({ loan: loanSchema }), ...errors },
        },
      },
      async (req) => ({ loan: await lending.returnLoan(requireUser(req), req.params.id) }),
    );

    app.get(
      '/api/lending/loans/:id/position',
      {
        schema: {
          tags,
          summary: 'Where I am in a loan (null before the first save)',
          description: 'A new loan of a title starts at the position of the reader’s previous loan of it. ' + READER,
          params: idParamSchema,
          response: { 200: z.object({ position: readingPositionSchema.nullable() }), ...errors },
        },
      },
      async (req) => lending.position(requireUser(req), req.params.id),
    );

    app.put(
      '/api/lending/loans/:id/position',
      {
        schema: {
          tags,
          summary: 'Save where I am: the newest `updatedAt` wins across devices',
          description:
            '`{locator, progress (0–1), updatedAt (the device’s clock, ISO), device}`. A position older than the stored one is refused: 409 ' +
            '`lending.position_stale` with the stored one in `details.position` (jump there). 422 `lending.position_in_future` more than 5 ' +
            'minutes ahead of the server. 409 `lending.loan_ended` once the loan has ended. ' +
            READER,
          params: idParamSchema,
          body: readingPositionSchema,
          response: { 200: z.object({ position: readingPositionSchema }), ...errors, 422: errorBodySchema },
        },
      },
      async (req) => lending.setPosition(requireUser(req), req.params.id, req.body),
    );

    app.post(
      '/api/lending/holds/:id/accept',
      {
        schema: {
          tags,
          summary: 'Take the copy offered to me: the hold becomes a loan',
          description:
            '201 `{loan}`. 409 `lending.hold_not_offered` while still waiting, `lending.hold_ended` once it lapsed (48 h), was cancelled or ' +
            'already became a loan, `lending.licence_ended` if the licence ended meanwhile. ' +
            READER,
          params: idParamSchema,
          response: { 201: z.object({ loan: loanSchema }), ...errors },
        },
      },
      async (req, reply) => reply.status(201).send({ loan: await lending.accept(requireUser(req), req.params.id) }),
    );

    app.delete(
      '/api/lending/holds/:id',
      {
        schema: {
          tags,
          summary: 'Give up a hold (waiting, or declining an offer: the copy goes to the next in line)',
          description: '204. 409 `lending.hold_ended` when it has already ended. ' + READER,
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await lending.cancelHold(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    // ---- files ----
    app.post(
      '/api/lending/loans/:id/token',
      {
        schema: {
          tags,
          summary: 'A 10-minute link to the loan’s file, for the reader app',
          description:
            '`{token, url, expiresAt, contentType}`. Fetch `url` (no cookie needed) before `expiresAt`; ask again for a new one. 409 ' +
            '`lending.loan_ended`. ' +
            READER,
          params: idParamSchema,
          response: { 200: fileTokenReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return lending.issueToken(requireUser(req), req.params.id);
      },
    );

    app.get(
      '/api/lending/files/:token',
      {
        schema: {
          tags,
          security: [],
          summary: 'The loan’s file (EPUB or PDF), by a token from `POST /api/lending/loans/:id/token`',
          description:
            "No cookie: the token is the credential. Answered with `content-security-policy: sandbox; default-src 'none'`, " +
            '`x-content-type-options: nosniff`, `cache-control: private, no-store`, `content-disposition: attachment`; byte ranges ' +
            '(`range: bytes=a-b`, 206) for PDF readers. 403 `lending.token_invalid` for a forged or expired token, 403 `lending.loan_ended` ' +
            'once the loan is returned or past due (checked on every request).',
          params: fileTokenParam,
          response: { 200: z.any().describe('application/epub+zip or application/pdf'), 206: z.any(), ...errors, 416: errorBodySchema },
        },
      },
      async (req, reply) => {
        const file = await lending.openFile(req.params.token);
        reply
          .header('content-type', file.contentType)
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store')
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('accept-ranges', 'bytes');
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (range) {
          const start = Number(range[1]);
          const end = range[2] ? Math.min(Number(range[2]), file.size - 1) : file.size - 1;
          if (start > end) {
            reply.header('content-range', `bytes */${file.size}`);
            throw new AppError('request.range_not_satisfiable');
          }
          reply
            .status(206)
            .header('content-range', `bytes ${start}-${end}/${file.size}`)
            .header('content-length', end - start + 1);
          return reply.send(await lending.readFile(file.key, { start, end }));
        }
        reply.header('content-length', file.size);
        return reply.send(await lending.readFile(file.key));
      },
    );

    // ---- OPDS 2.0 ----
    app.get(
      '/opds/lending.json',
      {
        schema: {
          tags,
          security: [],
          summary: 'The lending catalogue as an OPDS 2.0 feed (application/opds+json; public)',
          description:
            'Up to 1000 titles, newest first. Each publication: `metadata` (`@type` schema.org Book or Periodical, `identifier` ' +
            'urn:uuid, `title`, `author`, `language`, `description`), an acquisition link `rel: http://opds-spec.org/acquisition/borrow` ' +
            'to `POST /api/lending/titles/:id/borrow` typed with the file’s media type, whose `properties` carry `availability.state` ' +
            '(available|unavailable), `holds.total` and `copies.total`/`copies.available`, and `images` (the cover).',
          response: { 200: opdsFeedSchema },
        },
      },
      async (_req, reply) => {
        reply.header('content-type', 'application/opds+json; charset=utf-8').header('cache-control', 'public, max-age=60');
        return lending.opds();
      },
    );
  };
}
