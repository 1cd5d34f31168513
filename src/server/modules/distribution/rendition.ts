import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import type { SubmissionRow } from '../../db/schema.js';
import type { Storage } from '../../lib/storage.js';
import { baseFfmpegArgs, runFfmpeg, safeInputArgs } from '../media/ffmpeg.runner.js';
import { fitShortSide } from '../media/transcode.js';
import { probeMedia } from '../media/probe.js';
import { submissionPrefix } from '../submissions/submissions.service.js';
import { ChannelError, type VideoMedia } from './channels/channel.js';

export interface RenditionDeps {
  storage: Storage;
  ffmpeg: { threads: number; timeoutMs: number };
  /** The newest ready desk edit's MP4, when the desk trimmed or subtitled the video. */
  editedMp4(submissionId: string): Promise<{ editId: string; key: string } | null>;
}

/** The HLS variant with the highest BANDWIDTH in a master playlist Paike wrote. */
export function topVariant(master: string): string | null {
  let best: { bw: number; uri: string } | null = null;
  const lines = master.split(/\r?\n/);
  lines.forEach((line, i) => {
    const m = /^#EXT-X-STREAM-INF:.*?\bBANDWIDTH=(\d+)/.exec(line);
    const uri = lines[i + 1]?.trim();
    if (m && uri && !uri.startsWith('#') && (!best || Number(m[1]) > best.bw)) best = { bw: Number(m[1]), uri };
  });
  return (best as { bw: number; uri: string } | null)?.uri ?? null;
}

/** The init segment and media segments of a fMP4 variant playlist, in order. */
export function variantFiles(playlist: string): string[] {
  const files: string[] = [];
  for (const raw of playlist.split(/\r?\n/)) {
    const line = raw.trim();
    const map = /^#EXT-X-MAP:.*URI="([^"]+)"/.exec(line);
    if (map) files.push(map[1]!);
    else if (line && !line.startsWith('#')) files.push(line);
  }
  return files;
}

const SAFE_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/;

/**
 * MP4 files for the platforms. The full one is the viewers' own top HLS rendition (already
 * rotated, loudness-normalised and stripped of phone metadata) joined back into one file and
 * remuxed with the index up front, or the desk's newest edit. Platforms with a size limit get
 * a re-encode sized to fit. Both are kept in storage beside the video, named by their source,
 * so a retry or a second platform reuses them.
 */
export function createRenditions(deps: RenditionDeps) {
  async function toLocal(key: string, scratch: string): Promise<string> {
    return deps.storage.localCopy(key, scratch);
  }

  async function describe(file: string, bytes: number): Promise<VideoMedia> {
    const facts = await probeMedia(file);
    return {
      path: file,
      bytes,
      mime: 'video/mp4',
      durationSeconds: facts.durationSeconds,
      width: facts.video?.displayWidth ?? 0,
      height: facts.video?.displayHeight ?? 0,
    };
  }

  async function joinHls(row: SubmissionRow, scratch: string, out: string): Promise<void> {
    const masterKey = row.outputs?.master;
    if (!masterKey) throw new ChannelError('content_rejected', 'the video has no processed rendition yet');
    const dir = path.posix.dirname(masterKey);
    const masterStream = await deps.storage.get(masterKey);
    if (!masterStream) throw new ChannelError('content_rejected', 'the video’s rendition is missing from storage');
    const variant = topVariant(await text(masterStream));
    if (!variant || !SAFE_NAME.test(variant)) throw new ChannelError('content_rejected', 'the video’s rendition playlist is unreadable');
    const variantDir = path.posix.join(dir, path.posix.dirname(variant));
    const playlist = await deps.storage.get(path.posix.join(dir, variant));
    if (!playlist) throw new ChannelError('content_rejected', 'the video’s rendition is missing from storage');
    const files = variantFiles(await text(playlist));
    const joined = path.join(scratch, 'joined.mp4');
    const sink = createWriteStream(joined);
    for (const f of files) {
      if (!SAFE_NAME.test(f)) throw new ChannelError('content_rejected', 'the video’s rendition playlist is unreadable');
      const part = await deps.storage.get(path.posix.join(variantDir, f));
      if (!part) throw new ChannelError('content_rejected', 'a segment of the video’s rendition is missing');
      await pipeline(part, sink, { end: false });
    }
    await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
    // Fragmented MP4 → one moov up front: every platform accepts it and players can start at once.
    await runFfmpeg(
      [
        ...baseFfmpegArgs(deps.ffmpeg.threads),
        '-v',
        'error',
        ...safeInputArgs(joined, 'mov', deps.ffmpeg.threads),
        '-map',
        '0',
        '-c',
        'copy',
        '-movflags',
        '+faststart',
        out,
      ],
      {
        timeoutMs: deps.ffmpeg.timeoutMs,
      },
    );
    await rm(joined, { force: true });
  }

  /** Re-encodes to fit `maxBytes`: the bitrate the size allows, a picture size that bitrate can carry. */
  async function fit(full: VideoMedia, maxBytes: number, out: string): Promise<void> {
    let factor = 0.9;
    for (let attempt = 0; attempt < 3; attempt++) {
      const totalKbps = Math.floor(((maxBytes * 8) / Math.max(1, full.durationSeconds) / 1000) * factor);
      const audioKbps = totalKbps < 600 ? 64 : 96;
      const videoKbps = totalKbps - audioKbps;
      if (videoKbps < 150) break;
      const shortSide = videoKbps >= 1800 ? 1080 : videoKbps >= 1000 ? 720 : videoKbps >= 500 ? 540 : 360;
      const size = fitShortSide(full.width, full.height, Math.min(shortSide, Math.min(full.width, full.height) || shortSide));
      await runFfmpeg(
        [
          ...baseFfmpegArgs(deps.ffmpeg.threads),
          '-v',
          'error',
          ...safeInputArgs(full.path, 'mov', deps.ffmpeg.threads),
          '-map',
          '0:v:0',
          '-map',
          '0:a:0?',
          '-vf',
          `scale=${size.width}:${size.height}:flags=bicubic,setsar=1,format=yuv420p`,
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-profile:v',
          'high',
          '-b:v',
          `${videoKbps}k`,
          '-maxrate',
          `${Math.round(videoKbps * 1.2)}k`,
          '-bufsize',
          `${videoKbps * 2}k`,
          '-c:a',
          'aac',
          '-b:a',
          `${audioKbps}k`,
          '-ac',
          '2',
          '-map_metadata',
          '-1',
          '-movflags',
          '+faststart',
          '-threads',
          String(deps.ffmpeg.threads),
          out,
        ],
        { timeoutMs: deps.ffmpeg.timeoutMs },
      );
      if ((await stat(out)).size <= maxBytes) return;
      factor *= 0.8;
    }
    await rm(out, { force: true });
    throw new ChannelError('content_rejected', `the video cannot be made smaller than ${Math.round(maxBytes / 1024 / 1024)} MB at a watchable quality`);
  }

  return {
    /**
     * A local MP4 of the submission (no larger than `maxBytes` when given). `scratch` is the
     * caller's directory, removed by the caller; the returned file may live there.
     */
    async mp4(row: SubmissionRow, opts: { maxBytes?: number }, scratch: string): Promise<VideoMedia> {
      await mkdir(scratch, { recursive: true });
      const edit = await deps.editedMp4(row.id);
      const base = `${submissionPrefix(row.id)}/distribution/${edit ? `edit-${edit.editId}` : 'original'}`;
      const fullKey = edit ? edit.key : `${base}/full.mp4`;
      if (!edit && !(await deps.storage.stat(fullKey))) {
        const out = path.join(scratch, 'full.mp4');
        await joinHls(row, scratch, out);
        await deps.storage.moveFile(fullKey, out);
      }
      const fullInfo = await deps.storage.stat(fullKey);
      if (!fullInfo) throw new ChannelError('transient', 'the distribution file vanished from storage');
      const fullPath = await toLocal(fullKey, scratch);
      if (!opts.maxBytes || fullInfo.size <= opts.maxBytes) return describe(fullPath, fullInfo.size);

      const fitKey = `${base}/fit-${opts.maxBytes}.mp4`;
      if (!(await deps.storage.stat(fitKey))) {
        const out = path.join(scratch, `fit-${opts.maxBytes}.mp4`);
        await fit(await describe(fullPath, fullInfo.size), opts.maxBytes, out);
        await deps.storage.moveFile(fitKey, out);
      }
      const fitInfo = await deps.storage.stat(fitKey);
      return describe(await toLocal(fitKey, scratch), fitInfo?.size ?? 0);
    },
  };
}
export type Renditions = ReturnType<typeof createRenditions>;
