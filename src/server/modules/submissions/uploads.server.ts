import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { EVENTS, Server } from '@tus/server';
import type { Locale } from '../../../contracts/common.js';
import { AppError } from '../../lib/errors.js';
import { localeFromAcceptLanguage, translate } from '../../lib/messages.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Actor } from '../accounts/permissions.js';
import type { SubmissionsService } from './submissions.service.js';

/** No campaign may allow more than this; the campaign's own limit is checked on creation. */
const HARD_MAX_BYTES = 16 * 1024 ** 3;

export interface UploadsServerOptions {
  directory: string;
  submissions: SubmissionsService;
  expiryHours: number;
  trustProxy: boolean;
  onError: (err: unknown) => void;
}

/** tus wants thrown `{status_code, body}`; ours are coded errors in the uploader's language. */
function tusError(err: unknown, locale: Locale): { status_code: number; body: string } {
  if (err instanceof AppError) {
    return { status_code: err.status, body: JSON.stringify({ error: { code: err.code, message: translate(err.code, locale, err.params) } }) };
  }
  return { status_code: 500, body: JSON.stringify({ error: { code: 'server.internal', message: translate('server.internal', locale) } }) };
}

/**
 * The tus 1.0.0 server behind `/api/uploads` (core, creation, creation-with-upload,
 * termination, expiration), storing bytes under DATA_DIR/uploads until the upload finishes.
 */
export interface UploadsServer {
  tus: Server;
  /** Hands one HTTP request to tus on behalf of an actor the route has already authenticated. */
  handle(req: IncomingMessage, res: ServerResponse, actor: Actor | null): Promise<void>;
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
      const locale = localeFromAcceptLanguage(req.headers.get('accept-language') ?? undefined) ?? 'zh-CN';
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
      const locale = localeFromAcceptLanguage(req.headers.get('accept-language') ?? undefined) ?? 'zh-CN';
      try {
        const row = await opts.submissions.finishUpload(upload.id, path.join(opts.directory, upload.id));
        const headers: Record<string, string> = row ? { 'Paike-Submission-Id': row.id } : {};
        return { headers };
      } catch (err) {
        opts.onError(err);
        throw tusError(err, locale);
      }
    },
  });
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
  return {
    tus: server,
    async handle(req, res, actor) {
      if (actor) actors.set(req, actor);
      await server.handle(req, res);
    },
    cleanUpExpiredUploads: () => server.cleanUpExpiredUploads(),
    remove: (id) => store.remove(id),
  };
}
