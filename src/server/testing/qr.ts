import * as jsqrModule from 'jsqr';
import { PNG } from 'pngjs';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr ships CommonJS with `exports.default`; under NodeNext the default import is the namespace.
const jsQR = (jsqrModule as unknown as { default: Decode }).default;

/** Decodes the QR code in a PNG the way a phone camera would read it. */
export function decodeQrPng(png: Buffer): { text: string | null; width: number } {
  const img = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  return { text: found?.data ?? null, width: img.width };
}
