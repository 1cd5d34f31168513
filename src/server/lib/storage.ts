import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

/**
 * Where media lives. Keys are server-chosen paths like `submissions/<id>/hls/master.m3u8`;
 * nothing a client sends ever becomes part of a key unchecked.
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** Copies a local file in under `key`. */
  putFile(key: string, file: string): Promise<void>;
  /** Moves a local file in under `key` (a rename where the disk allows; the source is gone after). */
  moveFile(key: string, file: string): Promise<void>;
  /** Copies every file of a local directory in under `prefix/`. */
  putDir(prefix: string, dir: string): Promise<void>;
  get(key: string, range?: { start: number; end?: number }): Promise<Readable | null>;
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes everything under `prefix/`. */
  deletePrefix(prefix: string): Promise<void>;
  /** Lists keys under `prefix/` (for checks that nothing was left behind). */
  list(prefix: string): Promise<string[]>;
  /**
   * A local file with the object's bytes, for ffmpeg: the stored file itself on local disk,
   * a download into `scratchDir` (which the caller removes) on S3.
   */
  localCopy(key: string, scratchDir: string): Promise<string>;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9._/-]*$/i;

/**
 * A key the guard refused. The HTTP error handler answers it as 404 `request.not_found`: a key
 * built from an address (`/api/media/…/hls/..`) that the guard refuses names no file we keep.
 */
export class UnsafeStorageKeyError extends Error {
  constructor(readonly key: string) {
    super(`Unsafe storage key: ${JSON.stringify(key.slice(0, 200))}`);
    this.name = 'UnsafeStorageKeyError';
  }
}

export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new UnsafeStorageKeyError(key);
  }
}

/** Files under a directory (DATA_DIR/media by default). Writes land atomically via rename. */
export function createLocalStorage(root: string): Storage {
  const pathOf = (key: string) => {
    assertSafeKey(key);
    return path.join(root, key);
  };
  async function walk(dir: string, base: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = base ? `${base}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), rel, out);
      else out.push(rel);
    }
  }
  return {
    kind: 'local',
    async localCopy(key) {
      return pathOf(key);
    },
    async putFile(key, file) {
      const dest = pathOf(key);
      await mkdir(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.part-${process.pid}`;
      await rm(tmp, { force: true });
      // A hard link costs nothing on the same disk (a 2 GiB upload is not copied); another
      // disk or a filesystem without links gets a real copy.
      await link(file, tmp).catch(() => copyFile(file, tmp));
      await rename(tmp, dest);
    },
    async moveFile(key, file) {
      const dest = pathOf(key);
      await mkdir(path.dirname(dest), { recursive: true });
      try {
        await rename(file, dest);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        await this.putFile(key, file);
        await rm(file, { force: true });
      }
    },
    async putDir(prefix, dir) {
      const files: string[] = [];
      await walk(dir, '', files);
      for (const f of files) await this.putFile(`${prefix}/${f}`, path.join(dir, f));
    },
    async get(key, range) {
      const file = pathOf(key);
      try {
        await stat(file);
      } catch {
        return null;
      }
      return createReadStream(file, range ? { start: range.start, ...(range.end === undefined ? {} : { end: range.end }) } : {});
    },
    async stat(key) {
      const file = pathOf(key);
      try {
        const s = await stat(file);
        return s.isFile() ? { size: s.size } : null;
      } catch {
        return null;
      }
    },
    async deletePrefix(prefix) {
      await rm(pathOf(prefix), { recursive: true, force: true });
    },
    async list(prefix) {
      const out: string[] = [];
      await walk(pathOf(prefix), prefix, out);
      return out;
    },
  };
}

/** Writes a stream to a local file (used for downloads to a work dir). */
export async function streamToFile(stream: Readable, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await pipeline(stream, createWriteStream(file));
}
