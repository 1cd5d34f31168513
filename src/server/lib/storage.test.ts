import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3 } from '../testing/s3.js';
import { createLocalStorage, type Storage } from './storage.js';
import { createS3Storage } from './storage.s3.js';

let s3: Awaited<ReturnType<typeof startLocalS3>>;
const tmp = mkdtempSync(path.join(tmpdir(), 'paike-storage-'));
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const backends: [string, () => Storage][] = [
  ['local disk', () => createLocalStorage(path.join(tmp, 'local'))],
  [
    'S3-compatible',
    () =>
      createS3Storage({
        bucket: s3.bucket,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
        prefix: 'paike',
      }),
  ],
];

describe.each(backends)('%s storage', (_name, make) => {
  it('stores files and directories, reads byte ranges, lists and deletes by prefix', async () => {
    const storage = make();
    const id = randomBytes(4).toString('hex');
    const file = path.join(tmp, `${id}.bin`);
    const bytes = randomBytes(64 * 1024);
    writeFileSync(file, bytes);
    await storage.putFile(`submissions/${id}/original`, file);
    const dir = path.join(tmp, `${id}-hls`);
    mkdirSync(path.join(dir, '720p'), { recursive: true });
    writeFileSync(path.join(dir, 'master.m3u8'), '#EXTM3U\n');
    writeFileSync(path.join(dir, '720p', 'seg0.m4s'), 'segment');
    await storage.putDir(`submissions/${id}/hls`, dir);

    expect(await storage.stat(`submissions/${id}/original`)).toEqual({ size: bytes.length });
    expect(await storage.stat(`submissions/${id}/missing`)).toBeNull();
    expect(await storage.get(`submissions/${id}/missing`)).toBeNull();
    const part = await storage.get(`submissions/${id}/original`, { start: 10, end: 19 });
    const got = await buffer(part!);
    expect(got.equals(bytes.subarray(10, 20))).toBe(true);
    expect((await storage.list(`submissions/${id}`)).sort()).toEqual([
      `submissions/${id}/hls/720p/seg0.m4s`,
      `submissions/${id}/hls/master.m3u8`,
      `submissions/${id}/original`,
    ]);
    const copy = await storage.localCopy(`submissions/${id}/original`, path.join(tmp, 'scratch'));
    expect(readFileSync(copy).equals(bytes)).toBe(true);

    await storage.deletePrefix(`submissions/${id}`);
    expect(await storage.list(`submissions/${id}`)).toEqual([]);
  });

  it('refuses keys that could escape their place', async () => {
    const storage = make();
    await expect(storage.stat('../etc/passwd')).rejects.toThrow(/Unsafe storage key/);
    await expect(storage.stat('submissions//x')).rejects.toThrow(/Unsafe storage key/);
  });
});
