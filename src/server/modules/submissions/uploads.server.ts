import { AsyncLocalStorage } from 'node:async_hooks';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { EVENTS, Server } from '@tus/server';
import type { Locale } from '../../../contracts/common.js';
import { AppError } from '../../lib/errors.js';
import { localeFromAcceptLanguage, translate, type MessageCode } from '../../lib/messages.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Actor } from '../accounts/permissions.js';
import type { SubmissionsService, UploadState } from './submissions.service.js';

/** No campaign may allow more than this; the campaign's own limit is checked on creation. */
const HARD_MAX_BYTES = 16 * 1024 ** 3;
const JSON_TYPE = 'application/json; charset=utf-8';

export interface UploadsServerOptions {
  directory: string;
  submissions: SubmissionsService;
  expiryHours: number;
  trustProxy: boolean;
  onError: (err: unknown) => void;
}

type Finished = Extract<UploadState, { kind: 'finished' }>;

const errorBody = (code: MessageCode, locale: Locale, params: Record<string, unknown> = {}) =>
  JSON.stringify({ error: { code, message: translate(code, locale, params) } });

/** tus wants thrown `{status_code, body}`; ours are coded errors in the uploader's language. */
function tusError(err: unknown, locale: Locale): { status_code: number; body: string } {
  if (err instanceof AppError) return { status_code: err.status, body: errorBody(err.code, locale, err.params) };
  return { status_code: 500, body: errorBody('server.internal', locale) };
}

/**
 * tus's own refusals are plain text ("Upload-Offset conflict"); clients of Paike read
 * `{error:{code,message}}` everywhere, so each is given a code (and the lock refusals the
 * status tus clients retry on, 423).
 */
function codedTusError(status: number, body: string): { status: number; code: MessageCode; params?: Record<string, unknown> } {
  const text = body.trim();
  if (status === 412) return { status, code: 'upload.protocol_required' };
  if (status === 409) return { status, code: 'upload.offset_mismatch' };
  if (status === 404) return { status, code: 'upload.not_found' };
  if (status === 410) return { status, code: 'upload.gone' };
  if (status === 413) return { status, code: 'upload.size_exceeded' };
  if (status === 501) return { status, code: 'upload.unsupported', params: { detail: text } };
  if (text.startsWith('Cannot terminate')) return { status, code: 'upload.already_finished' };
  if (text.startsWith('Upload-Length')) return { status, code: 'upload.length_required' };
  if (text.startsWith('Upload-Metadata is invalid')) return { status, code: 'upload.invalid_metadata', params: { detail: 'Upload-Metadata' } };
  if (text.startsWith('Request aborted due to lock') || text.startsWith('failed to acquire lock')) return { status: 423, code: 'upload.busy' };
  if (status >= 500) return { status, code: 'server.internal' };
  return { status, code: 'upload.invalid_request', params: { detail: text } };
}

/**
 * The tus 1.0.0 server behind `/api/uploads` (core, creation, creation-with-upload,
 * termination, expiration), storing bytes under DATA_DIR/uploads until the upload finishes.
 *
 * Crash safety: an upload whose bytes are all on disk is carried on to processing by
 * whichever comes first of the tus finish hook, a HEAD or PATCH of it, or a sweep; the
 * finish step itself is idempotent. A finished upload is answered for from its submission
 * (HEAD: full offset and `Paike-Submission-Id`), so a client whose last reply was lost
 * learns it is done instead of starting over.
 */
export interface UploadsServer {
  tus: Server;
  /**
   * Hands one HTTP request to tus on behalf of an actor the route has already authenticated,
   * with the state of the upload its URL names (the route has checked its owner).
   */
  handle(req: IncomingMessage, res: ServerResponse, actor: Actor | null, state?: Exclude<UploadState, { kind: 'unknown' }>): Promise<void>;
  /**
   * Carries on every upload whose bytes are complete on disk but whose finish step did not run
   * (a crash at the last byte), and removes tus copies of finished or forgotten uploads.
   */
  sweep(): Promise<{ finished: number; removed: number }>;
  cleanUpExpiredUploads(): Promise<number>;
  remove(uploadId: string): Promise<void>;
}

export function createUploadsServer(opts: UploadsServerOptions): UploadsServer {
  // tus hooks see a web Request; the actor travels beside it, keyed by the Node request.
  const actors = new WeakMap<object, Actor>();
  const actorOf = (req: { runtime?: { node?: { req?: object } } }) => {
    const raw = req.runtime?.node?.req;
    return raw ? actors.get(raw) : undefined;
  };
  // tus writes its own refusals without the request at hand; the language rides along here.
  const requestLocale = new AsyncLocalStorage<Locale>();
  const localeOf = (header: string | null | undefined): Locale => localeFromAcceptLanguage(header ?? undefined) ?? 'zh-CN';

  const store = new FileStore({ directory: opts.directory, expirationPeriodInMilliseconds: opts.expiryHours * 3_600_000 });
  const server = new Server({
    path: '/api/uploads',
    datastore: store,
    relativeLocation: true,
    respectForwardedHeaders: opts.trustProxy,
    maxSize: HARD_MAX_BYTES,
    postReceiveInterval: 1000,
    // A finished upload is a submission now; deleting it goes through withdrawal.
    disableTerminationForFinishedUploads: true,
    async onUploadCreate(req, upload) {
      const locale = localeOf(req.headers.get('accept-language'));
      const actor = actorOf(req);
      try {
        if (!actor) throw new AppError('auth.required');
        await opts.submissions.startUpload(actor, { uploadId: upload.id, uploadLength: upload.size, metadata: upload.metadata ?? {} });
      } catch (err) {
        if (!(err instanceof AppError)) opts.onError(err);
        throw tusError(err, locale);
      }
      return {};
    },
    async onUploadFinish(req, upload) {
      const locale = localeOf(req.headers.get('accept-language'));
      try {
        const row = await opts.submissions.finishUpload(upload.id, path.join(opts.directory, upload.id));
        const headers: Record<string, string> = row ? { 'Paike-Submission-Id': row.id } : {};
        return { headers };
      } catch (err) {
        opts.onError(err);
        throw tusError(err, locale);
      }
    },
    async onResponseError(_req, err) {
      // tus's own refusals carry a status; anything else is a failure of ours, to be logged.
      if (!(err && typeof err === 'object' && 'status_code' in err)) opts.onError(err);
    },
  });
  const write = server.write.bind(server);
  server.write = async (context, headers, status, body = '') => {
    if (status < 400) return write(context, headers, status, body);
    headers.set('Content-Type', JSON_TYPE);
    if (body.startsWith('{')) return write(context, headers, status, body);
    const coded = codedTusError(status, body);
    return write(context, headers, coded.status, errorBody(coded.code, requestLocale.getStore() ?? 'zh-CN', coded.params));
  };

  server.on(EVENTS.POST_RECEIVE, (_req, upload) => {
    if (upload.offset !== undefined) void opts.submissions.recordUploadProgress(upload.id, upload.offset).catch(opts.onError);
  });
  // The bytes live in media storage now; tus's copy goes once the response is out, since a
  // creation-with-upload POST still reads it after onUploadFinish.
  server.on(EVENTS.POST_FINISH, (_req, _res, upload) => {
    void store.remove(upload.id).catch(opts.onError);
  });
  server.on(EVENTS.POST_TERMINATE, (_req, _res, id) => {
    void opts.submissions.abortUpload(id).catch(opts.onError);
  });

  /** True when every declared byte of an open upload is in its tus file. */
  async function complete(uploadId: string): Promise<boolean> {
    try {
      const upload = await store.getUpload(uploadId);
      return upload.size !== undefined && upload.offset === upload.size;
    } catch {
      return false;
    }
  }

  /** Runs the finish step for an upload found complete outside the tus hook; its tus copy then goes. */
  async function carryOn(uploadId: string): Promise<Finished | null> {
    if (!(await complete(uploadId))) return null;
    await opts.submissions.finishUpload(uploadId, path.join(opts.directory, uploadId));
    const state = await opts.submissions.uploadState(uploadId);
    if (state.kind !== 'finished') return null;
    await store.remove(uploadId).catch(() => {});
    return state;
  }

  /** tus answers for an upload whose bytes are all in: it is done, whatever the client missed. */
  function answerFinished(req: IncomingMessage, res: ServerResponse, done: Finished, locale: Locale): void {
    const headers: Record<string, string> = {
      'Tus-Resumable': '1.0.0',
      'Cache-Control': 'no-store',
      'Paike-Submission-Id': done.submissionId,
      'Access-Control-Expose-Headers': 'Upload-Offset, Upload-Length, Tus-Resumable, Paike-Submission-Id',
    };
    const refuse = (status: number, code: MessageCode) => {
      // A refused PATCH may still be sending its body; the connection is not reused.
      res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, Connection: 'close' }).end(errorBody(code, locale));
      req.resume();
    };
    if (!req.headers['tus-resumable']) return refuse(412, 'upload.protocol_required');
    const length = String(done.length);
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Upload-Offset': length, 'Upload-Length': length }).end();
      return;
    }
    if (req.method === 'DELETE') return refuse(400, 'upload.already_finished');
    // PATCH: a repeat of the last one (or an empty one at the end) is answered as done; it
    // creates nothing. Any other offset is a conflict, as tus would answer it.
    if (req.headers['upload-offset'] !== length) return refuse(409, 'upload.offset_mismatch');
    if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding']) return refuse(413, 'upload.size_exceeded');
    res.writeHead(204, { ...headers, 'Upload-Offset': length }).end();
  }

  return {
    tus: server,
    async handle(req, res, actor, state) {
      const locale = localeOf(req.headers['accept-language']);
      await requestLocale.run(locale, async () => {
        const id = state ? (req.url ?? '').split('?')[0]!.split('/').pop()! : undefined;
        if (id && state) {
          let done = state.kind === 'finished' ? state : null;
          if (!done && (req.method === 'HEAD' || req.method === 'PATCH')) done = await carryOn(id);
          if (done) return answerFinished(req, res, done, locale);
        }
        if (actor) actors.set(req, actor);
        await server.handle(req, res);
      });
    },
    async sweep() {
      let names: string[];
      try {
        names = await readdir(opts.directory);
      } catch {
        return { finished: 0, removed: 0 };
      }
      let finished = 0;
      let removed = 0;
      for (const name of names) {
        if (!name.endsWith('.json')) continue;
        const id = name.slice(0, -'.json'.length);
        try {
          const state = await opts.submissions.uploadState(id);
          if (state.kind === 'open') {
            if (await carryOn(id)) finished += 1;
          } else {
            // Finished (a crash came before tus's copy was removed), or its submission is gone
            // (cancelled, expired, withdrawn): the bytes have no other use.
            await store.remove(id);
            removed += 1;
          }
        } catch (err) {
          opts.onError(err);
        }
      }
      return { finished, removed };
    },
    cleanUpExpiredUploads: () => server.cleanUpExpiredUploads(),
    remove: (id) => store.remove(id),
  };
}
