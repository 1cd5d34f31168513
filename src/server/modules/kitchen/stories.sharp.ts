import sharp from 'sharp';
import type { StoryImageSize } from '../../../contracts/kitchen.js';

/** Long side of each copy, and its JPEG quality (docs/kitchen.md, "Images"). */
export const IMAGE_SIZES: Record<StoryImageSize, { longSide: number; quality: number }> = {
  print: { longSide: 3000, quality: 90 },
  web: { longSide: 1600, quality: 82 },
  thumb: { longSide: 400, quality: 78 },
};

/** Formats sharp may decode for a story (what the upload's content type may claim). */
const READABLE = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);

export class UnreadableImageError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'UnreadableImageError';
  }
}

export interface ResizedImage {
  size: StoryImageSize;
  buffer: Buffer;
  width: number;
  height: number;
}

/**
 * The one place sharp is called for story images: EXIF orientation applied, every copy sRGB
 * JPEG with no metadata (no GPS, no camera serial), alpha flattened onto white, never enlarged.
 * Throws UnreadableImageError when the bytes are not an image sharp can decode.
 */
export async function resizeStoryImage(input: Buffer): Promise<ResizedImage[]> {
  let format: string | undefined;
  try {
    const meta = await sharp(input, { failOn: 'error' }).metadata();
    format = meta.format;
    if (!meta.width || !meta.height) throw new UnreadableImageError('no dimensions');
  } catch (err) {
    if (err instanceof UnreadableImageError) throw err;
    throw new UnreadableImageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (!format || !READABLE.has(format)) throw new UnreadableImageError(`format ${format ?? 'unknown'}`);
  try {
    return await Promise.all(
      (Object.keys(IMAGE_SIZES) as StoryImageSize[]).map(async (size) => {
        const { longSide, quality } = IMAGE_SIZES[size];
        const { data, info } = await sharp(input, { failOn: 'error' })
          .rotate()
          .resize({ width: longSide, height: longSide, fit: 'inside', withoutEnlargement: true })
          .flatten({ background: '#ffffff' })
          .toColourspace('srgb')
          .jpeg({ quality, mozjpeg: size !== 'print' })
          .toBuffer({ resolveWithObject: true });
        return { size, buffer: data, width: info.width, height: info.height };
      }),
    );
  } catch (err) {
    throw new UnreadableImageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}
