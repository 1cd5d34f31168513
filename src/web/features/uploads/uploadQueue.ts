import { defaultOptions, Upload, type DetailedError, type PreviousUpload, type UploadOptions } from 'tus-js-client';
import { currentLocale, i18next } from '../../i18n/index.js';

export const UPLOAD_ENDPOINT = '/api/uploads';
/** 5 MiB: small enough that a dropped phone connection loses little, large enough to keep request overhead low. */
export const CHUNK_BYTES = 5 * 1024 * 1024;
/** Generous: a phone on a train loses the network for minutes at a time. */
export const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];

export type UploadPhase = 'idle' | 'uploading' | 'paused' | 'offline' | 'error' | 'done';

export interface UploadSnapshot {
  phase: UploadPhase;
  /** Bytes the server has accepted (or is receiving), over all files. */
  sent: number;
  total: number;
  /** Recent throughput; null until there is enough to say. */
  bytesPerSecond: number | null;
  /** The server's translated message, or a generic one. */
  error: string | null;
  fileIndex: number;
  fileCount: number;
}

export interface UploadItem {
  file: File;
  metadata: Record<string, string>;
  /** Continue this earlier upload of the same file instead of creating a new one. */
  resumeFrom?: PreviousUpload | null;
}

export interface UploadQueueOptions {
  items: UploadItem[];
  /** Keep the upload URL in localStorage so a reload can resume it (single-file submissions). */
  resumable: boolean;
  onChange: (s: UploadSnapshot) => void;
  onDone: () => void;
}

/** The message a failed tus request carries: our server answers `{error:{code,message}}` in the UI language. */
export function tusErrorMessage(err: Error | DetailedError): string {
  const res = 'originalResponse' in err ? err.originalResponse : null;
  if (!res || res.getStatus() === 0) return i18next.t('common.network');
  try {
    const body = JSON.parse(res.getBody()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string' && body.error.message) return body.error.message;
  } catch {
    // Not ours (a proxy page): fall through to the generic message.
  }
  return i18next.t('common.error');
}

function isOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

/**
 * Uploads one or more files with tus, one after another, as one progress bar. Pause aborts the
 * current request (the server keeps what it has); Resume asks the server for its offset and
 * carries on. Going offline pauses by itself and coming back online resumes.
 */
export class UploadQueue {
  private readonly opts: UploadQueueOptions;
  private readonly sizes: number[];
  private index = 0;
  private current: Upload | null = null;
  private currentSent = 0;
  private samples: { at: number; sent: number }[] = [];
  private snap: UploadSnapshot;
  private disposed = false;

  constructor(opts: UploadQueueOptions) {
    this.opts = opts;
    this.sizes = opts.items.map((i) => i.file.size);
    this.snap = {
      phase: 'idle',
      sent: 0,
      total: this.sizes.reduce((a, b) => a + b, 0),
      bytesPerSecond: null,
      error: null,
      fileIndex: 0,
      fileCount: opts.items.length,
    };
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
  }

  get snapshot(): UploadSnapshot {
    return this.snap;
  }

  start(): void {
    if (this.disposed || this.snap.phase === 'uploading' || this.snap.phase === 'done') return;
    if (!isOnline()) {
      this.set({ phase: 'offline', error: null });
      return;
    }
    this.samples = [];
    this.set({ phase: 'uploading', error: null, bytesPerSecond: null });
    if (this.current) {
      this.current.start();
      return;
    }
    this.startItem();
  }

  pause(): void {
    if (this.snap.phase !== 'uploading' && this.snap.phase !== 'offline') return;
    void this.current?.abort();
    this.set({ phase: 'paused', bytesPerSecond: null });
  }

  /** Stops listening and aborts any request in flight; the server keeps the partial upload. */
  dispose(): void {
    this.disposed = true;
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    if (this.snap.phase !== 'done') void this.current?.abort();
  }

  private readonly onOffline = () => {
    if (this.snap.phase !== 'uploading') return;
    // The request in flight may hang rather than fail; stop it and wait for the network.
    void this.current?.abort();
    this.set({ phase: 'offline', bytesPerSecond: null });
  };

  private readonly onOnline = () => {
    if (this.snap.phase !== 'offline' && !(this.snap.phase === 'error' && this.networkError)) return;
    this.networkError = false;
    this.samples = [];
    this.set({ phase: 'uploading', error: null });
    if (this.current) this.current.start();
    else this.startItem();
  };

  private networkError = false;

  private startItem(): void {
    const item = this.opts.items[this.index];
    if (!item) return;
    const doneBefore = this.sizes.slice(0, this.index).reduce((a, b) => a + b, 0);
    this.currentSent = 0;
    const options: UploadOptions = {
      endpoint: UPLOAD_ENDPOINT,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS,
      storeFingerprintForResuming: this.opts.resumable,
      removeFingerprintOnSuccess: true,
      metadata: item.metadata,
      // Read at each request, so a language switch mid-upload translates the next error.
      onBeforeRequest: (req) => {
        req.setHeader('Accept-Language', currentLocale());
      },
      onShouldRetry: (err) => {
        // Offline: stop retrying into the void; the `online` event resumes.
        if (!isOnline()) return false;
        const status = err.originalResponse?.getStatus() ?? 0;
        return !(status >= 400 && status < 500) || status === 409 || status === 423;
      },
      onProgress: (bytesSent) => {
        this.currentSent = bytesSent;
        const sent = doneBefore + bytesSent;
        const now = performance.now();
        this.samples.push({ at: now, sent });
        // A five-second window: steady enough to read, quick to follow a changing network.
        while (this.samples.length > 2 && now - this.samples[0]!.at > 5000) this.samples.shift();
        const first = this.samples[0]!;
        const span = (now - first.at) / 1000;
        const bytesPerSecond = span >= 0.5 ? Math.max(0, (sent - first.sent) / span) : this.snap.bytesPerSecond;
        this.set({ sent, bytesPerSecond });
      },
      onSuccess: () => {
        this.current = null;
        this.index += 1;
        const sent = this.sizes.slice(0, this.index).reduce((a, b) => a + b, 0);
        if (this.index >= this.opts.items.length) {
          this.set({ phase: 'done', sent, bytesPerSecond: null });
          window.removeEventListener('offline', this.onOffline);
          window.removeEventListener('online', this.onOnline);
          this.opts.onDone();
          return;
        }
        this.set({ sent, fileIndex: this.index });
        this.startItem();
      },
      onError: (err) => {
        if (this.disposed) return;
        if (!isOnline()) {
          this.set({ phase: 'offline', bytesPerSecond: null });
          return;
        }
        const res = 'originalResponse' in err ? (err as DetailedError).originalResponse : null;
        this.networkError = !res || res.getStatus() === 0;
        this.set({ phase: 'error', error: tusErrorMessage(err), bytesPerSecond: null });
      },
    };
    const upload = new Upload(item.file, options);
    this.current = upload;
    if (item.resumeFrom) upload.resumeFromPreviousUpload(item.resumeFrom);
    this.set({ fileIndex: this.index, sent: doneBefore });
    upload.start();
  }

  private set(patch: Partial<UploadSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    if (!this.disposed) this.opts.onChange(this.snap);
  }
}

/** Earlier unfinished uploads of this file (same name, type, size, date), newest first. */
export async function findPreviousUploads(file: File): Promise<PreviousUpload[]> {
  const probe = new Upload(file, { endpoint: UPLOAD_ENDPOINT, storeFingerprintForResuming: true });
  const list = await probe.findPreviousUploads();
  return list.filter((p) => !!p.uploadUrl).sort((a, b) => b.creationTime.localeCompare(a.creationTime));
}

/** Every unfinished upload this browser remembers, newest first. */
export async function listUnfinishedUploads(): Promise<PreviousUpload[]> {
  try {
    const list = await defaultOptions.urlStorage.findAllUploads();
    return list.filter((p) => !!p.uploadUrl && !!p.metadata?.title).sort((a, b) => b.creationTime.localeCompare(a.creationTime));
  } catch {
    return [];
  }
}

/** How much of an earlier upload the server holds; null when it is gone (expired, withdrawn). */
export async function uploadOffset(p: PreviousUpload): Promise<number | null> {
  if (!p.uploadUrl) return null;
  try {
    const res = await fetch(p.uploadUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' }, credentials: 'same-origin' });
    if (!res.ok) {
      if (res.status >= 400 && res.status < 500) await forgetUpload(p);
      return null;
    }
    const offset = Number(res.headers.get('Upload-Offset'));
    return Number.isFinite(offset) ? offset : null;
  } catch {
    return null;
  }
}

export async function forgetUpload(p: PreviousUpload): Promise<void> {
  await defaultOptions.urlStorage.removeUpload(p.urlStorageKey).catch(() => undefined);
}

/** Cancels an unfinished upload on the server (freeing the contributor's concurrent-upload slot) and forgets it. */
export async function discardUpload(p: PreviousUpload): Promise<void> {
  if (p.uploadUrl) {
    await Upload.terminate(p.uploadUrl, {
      retryDelays: [0, 1000],
      onBeforeRequest: (req) => {
        req.setHeader('Accept-Language', currentLocale());
      },
    }).catch(() => undefined);
  }
  await forgetUpload(p);
}
