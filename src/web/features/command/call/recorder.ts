import { UploadQueue } from '../../uploads/uploadQueue.js';

/**
 * Store-and-forward (docs/command-live.md): during a call the phone records its own camera and
 * microphone with MediaRecorder, writing each second's chunk to IndexedDB as it comes, so a
 * bad link, a crash or a reload loses at most the last second. After the call, or the next
 * time the contact page opens, each unfinished recording goes up through the resumable upload
 * filed against its assignment.
 */
export interface RecordingMeta {
  id: string;
  assignmentId: string;
  campaignId: string;
  theme: string | null;
  title: string;
  callId: string;
  mimeType: string;
  startedAt: number;
  /** 'recording' left behind by a crash is uploaded like 'ready'. */
  state: 'recording' | 'ready' | 'done';
}

const DB = 'paike-call-recordings';
const CHUNK_MS = 1000;

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('recordings', { keyPath: 'id' });
      const chunks = db.createObjectStore('chunks', { autoIncrement: true });
      chunks.createIndex('byRecording', 'recordingId');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx<T>(db: IDBDatabase, stores: string[], mode: IDBTransactionMode, fn: (t: IDBTransaction) => IDBRequest<T> | void): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = db.transaction(stores, mode);
    const req = fn(t);
    t.oncomplete = () => resolve(req ? req.result : undefined);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export async function listRecordings(): Promise<RecordingMeta[]> {
  const db = await openDb();
  try {
    return ((await tx(db, ['recordings'], 'readonly', (t) => t.objectStore('recordings').getAll())) ?? []) as RecordingMeta[];
  } finally {
    db.close();
  }
}

async function putMeta(meta: RecordingMeta) {
  const db = await openDb();
  try {
    await tx(db, ['recordings'], 'readwrite', (t) => void t.objectStore('recordings').put(meta));
  } finally {
    db.close();
  }
}

async function chunksOf(id: string): Promise<Blob[]> {
  const db = await openDb();
  try {
    const rows = ((await tx(db, ['chunks'], 'readonly', (t) => t.objectStore('chunks').index('byRecording').getAll(id))) ?? []) as {
      seq: number;
      blob: Blob;
    }[];
    return rows.sort((a, b) => a.seq - b.seq).map((r) => r.blob);
  } finally {
    db.close();
  }
}

async function forget(id: string) {
  const db = await openDb();
  try {
    await new Promise<void>((resolve, reject) => {
      const t = db.transaction(['recordings', 'chunks'], 'readwrite');
      t.objectStore('recordings').delete(id);
      const idx = t.objectStore('chunks').index('byRecording');
      const cur = idx.openKeyCursor(IDBKeyRange.only(id));
      cur.onsuccess = () => {
        const c = cur.result;
        if (!c) return;
        t.objectStore('chunks').delete(c.primaryKey);
        c.continue();
      };
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

function pickMime(): string {
  for (const m of ['video/webm;codecs=vp8,opus', 'video/webm', 'video/mp4']) if (MediaRecorder.isTypeSupported(m)) return m;
  return '';
}

/** Records `stream` into IndexedDB until stopped. */
export async function startRecording(stream: MediaStream, meta: Omit<RecordingMeta, 'id' | 'mimeType' | 'startedAt' | 'state'>) {
  const mimeType = pickMime();
  const rec: RecordingMeta = { ...meta, id: crypto.randomUUID(), mimeType, startedAt: Date.now(), state: 'recording' };
  await putMeta(rec);
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  const db = await openDb();
  let seq = 0;
  let writes = Promise.resolve();
  recorder.ondataavailable = (e) => {
    if (!e.data.size) return;
    const row = { recordingId: rec.id, seq: seq++, blob: e.data };
    writes = writes.then(() => tx(db, ['chunks'], 'readwrite', (t) => void t.objectStore('chunks').add(row)).then(() => undefined));
  };
  recorder.start(CHUNK_MS);
  return {
    id: rec.id,
    /** Stops, waits for the last chunk to be stored, and marks the recording ready to upload. */
    async stop(): Promise<RecordingMeta> {
      if (recorder.state !== 'inactive') {
        await new Promise<void>((resolve) => {
          recorder.onstop = () => resolve();
          recorder.stop();
        });
      }
      await writes;
      db.close();
      const done = { ...rec, state: 'ready' as const };
      await putMeta(done);
      return done;
    },
  };
}

export type UploadProgress = { recordingId: string; sent: number; total: number; phase: string; error: string | null };

/**
 * Uploads every unfinished recording (one after another), each as its own submission against
 * its assignment; a recording is forgotten only once the server has all of it.
 */
export async function uploadPending(opts: { onProgress?: (p: UploadProgress) => void; only?: string }): Promise<number> {
  const all = (await listRecordings()).filter((r) => r.state !== 'done' && (!opts.only || r.id === opts.only));
  let uploaded = 0;
  for (const r of all) {
    const blobs = await chunksOf(r.id);
    if (!blobs.length) {
      await forget(r.id);
      continue;
    }
    const type = r.mimeType.split(';')[0] || 'video/webm';
    const file = new File(blobs, `call-${r.callId.slice(0, 8)}.${type.includes('mp4') ? 'mp4' : 'webm'}`, { type });
    const metadata: Record<string, string> = {
      assignmentId: r.assignmentId,
      campaignId: r.campaignId,
      title: r.title.slice(0, 100),
      filename: file.name,
      filetype: type,
      consent: 'true',
      // A call's recording: any length, and it reaches the desk even after the assignment closed.
      callId: r.callId,
    };
    if (r.theme) metadata.theme = r.theme;
    const ok = await new Promise<boolean>((resolve) => {
      const q = new UploadQueue({
        items: [{ file, metadata }],
        resumable: true,
        onChange: (s) => {
          opts.onProgress?.({ recordingId: r.id, sent: s.sent, total: s.total, phase: s.phase, error: s.error });
          if (s.phase === 'error') {
            q.dispose();
            resolve(false);
          }
        },
        onDone: () => {
          q.dispose();
          resolve(true);
        },
      });
      q.start();
    });
    if (ok) {
      await forget(r.id);
      uploaded += 1;
    }
  }
  return uploaded;
}
