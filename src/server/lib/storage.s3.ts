import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertSafeKey, streamToFile, type Storage } from './storage.js';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Key prefix inside the bucket (e.g. the deployment's name); no leading or trailing slash. */
  prefix?: string;
}

/**
 * Media in an S3-compatible bucket (AWS S3, Aliyun OSS, Tencent COS, MinIO …). Large files go
 * up as multipart uploads; ffmpeg reads local copies made in the worker's scratch space.
 */
export function createS3Storage(opts: S3StorageOptions): Storage {
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.accessKeyId && opts.secretAccessKey ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } : undefined,
    // Many S3-compatible services reject the SDK's newer default checksum trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = opts.bucket;
  const full = (key: string) => {
    assertSafeKey(key);
    return opts.prefix ? `${opts.prefix}/${key}` : key;
  };
  const strip = (k: string) => (opts.prefix ? k.slice(opts.prefix.length + 1) : k);
  const isMissing = (err: unknown) => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
  };

  async function listFull(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await client.send(new ListObjectsV2Command({ Bucket, Prefix: `${full(prefix)}/`, ContinuationToken: token }));
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  const storage: Storage = {
    kind: 's3',
    async putFile(key, file) {
      const { size } = await stat(file);
      // lib-storage switches to multipart above its part size, so 2 GiB originals stream in parts.
      await new Upload({
        client,
        params: { Bucket, Key: full(key), Body: createReadStream(file), ContentLength: size },
        partSize: 16 * 1024 * 1024,
        queueSize: 2,
      }).done();
    },
    async moveFile(key, file) {
      await storage.putFile(key, file);
      await rm(file, { force: true });
    },
    async putDir(prefix, dir) {
      const walk = async (d: string, rel: string): Promise<void> => {
        for (const e of await readdir(d, { withFileTypes: true })) {
          const r = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(path.join(d, e.name), r);
          else await storage.putFile(`${prefix}/${r}`, path.join(d, e.name));
        }
      };
      await walk(dir, '');
    },
    async get(key, range) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: full(key), Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined }));
        return res.Body as Readable;
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async stat(key) {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: full(key) }));
        return { size: Number(res.ContentLength ?? 0) };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async deletePrefix(prefix) {
      const keys = await listFull(prefix);
      for (let i = 0; i < keys.length; i += 1000) {
        await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
      }
    },
    async list(prefix) {
      return (await listFull(prefix)).map(strip);
    },
    async localCopy(key, scratchDir) {
      const dest = path.join(scratchDir, key.replace(/\//g, '_'));
      await mkdir(scratchDir, { recursive: true });
      const body = await storage.get(key);
      if (!body) throw new Error(`No object at ${key}`);
      await streamToFile(body, dest);
      return dest;
    },
  };
  return storage;
}
