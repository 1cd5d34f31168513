import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Readable } from 'node:stream';
import type { KioskScreenRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { FleetRepository } from './fleet.repository.js';

export interface ScreenshotDeps {
  repo: FleetRepository;
  storage: Storage;
  clock: Clock;
}

const LONG_SIDE = 1920;
// A screen is at most 4K; anything bigger is not a screenshot (and a decompression bomb is refused unread).
const MAX_PIXELS = 3840 * 2160;

const keyOf = (screenId: string) => `kiosk/screens/${screenId}/screenshot.jpg`;

/**
 * A screen's screenshot, on request (the `screenshot` command): re-encoded here as a JPEG with no
 * metadata whatever the screen sent, so what an admin's browser opens is an image Paike made.
 */
export function createScreenshotService(deps: ScreenshotDeps) {
  return {
    async upload(screen: KioskScreenRow, body: Buffer) {
      let jpeg: Buffer;
      try {
        const meta = await sharp(body, { failOn: 'error', limitInputPixels: MAX_PIXELS }).metadata();
        if (meta.format !== 'png' && meta.format !== 'jpeg') throw new Error(`format ${meta.format ?? 'unknown'}`);
        jpeg = await sharp(body, { failOn: 'error', limitInputPixels: MAX_PIXELS })
          .resize({ width: LONG_SIDE, height: LONG_SIDE, fit: 'inside', withoutEnlargement: true })
          .flatten({ background: '#000000' })
          .jpeg({ quality: 80 })
          .toBuffer();
      } catch (err) {
        throw new AppError('kiosk.screenshot_invalid', {}, { cause: err });
      }
      const dir = await mkdtemp(path.join(tmpdir(), 'paike-kiosk-shot-'));
      try {
        const file = path.join(dir, 'shot.jpg');
        await writeFile(file, jpeg);
        await deps.storage.putFile(keyOf(screen.id), file);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const now = deps.clock.now();
      await deps.repo.setScreenshot(screen.id, keyOf(screen.id), now);
      await deps.repo.finishPending({ screenId: screen.id, kind: 'screenshot', result: 'ok', at: now });
      return { screenshotAt: now.toISOString(), bytes: jpeg.length };
    },
    async read(actor: Actor, screenId: string): Promise<{ stream: Readable; at: Date }> {
      assertCan(actor, 'kiosk.manage');
      const screen = await deps.repo.getScreen(screenId);
      if (!screen) throw new AppError('kiosk.screen_not_found');
      const stream = screen.screenshotKey && screen.screenshotAt ? await deps.storage.get(screen.screenshotKey) : null;
      if (!stream || !screen.screenshotAt) throw new AppError('kiosk.screenshot_none');
      return { stream, at: screen.screenshotAt };
    },
  };
}
export type ScreenshotService = ReturnType<typeof createScreenshotService>;
