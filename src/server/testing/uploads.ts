import * as tus from 'tus-js-client';

export interface UploadRun {
  url: string | null;
  error?: { status: number; body: { error: { code: string; message: string } } };
  progress: number[];
  /** The Paike-Submission-Id of the last response, once the upload succeeded. */
  submissionId?: string;
}

export interface UploadOptions {
  /** Base URL of a listening Paike (`app.listen`). */
  base: string;
  cookie: string;
  metadata: Record<string, string>;
  uploadUrl?: string;
  abortAfter?: number;
  lang?: string;
  chunkSize?: number;
  /** The stock client's own retries (resuming with HEAD after a failure); none by default. */
  retryDelays?: number[];
}

/** Uploads with the stock tus-js-client, as the contributor's browser does. */
export function tusUpload(data: Buffer, opts: UploadOptions): Promise<UploadRun> {
  return new Promise((resolve) => {
    const run: UploadRun = { url: null, progress: [] };
    const up: tus.Upload = new tus.Upload(data, {
      endpoint: `${opts.base}/api/uploads`,
      uploadUrl: opts.uploadUrl,
      metadata: opts.metadata,
      chunkSize: opts.chunkSize ?? 256 * 1024,
      retryDelays: opts.retryDelays ?? [],
      headers: { cookie: opts.cookie, 'accept-language': opts.lang ?? 'zh-CN' },
      onProgress(sent) {
        run.progress.push(sent);
        run.url = up.url;
        if (opts.abortAfter && sent >= opts.abortAfter) void up.abort().then(() => resolve(run));
      },
      onSuccess(payload) {
        run.url = up.url;
        run.submissionId = payload.lastResponse.getHeader('Paike-Submission-Id') ?? undefined;
        resolve(run);
      },
      onError(err) {
        const res = (err as tus.DetailedError).originalResponse;
        run.url = up.url;
        let body = { error: { code: 'network', message: String(err) } };
        try {
          if (res?.getBody()) body = JSON.parse(res.getBody());
        } catch {
          /* not JSON */
        }
        run.error = { status: res?.getStatus() ?? 0, body };
        resolve(run);
      },
    });
    up.start();
  });
}
