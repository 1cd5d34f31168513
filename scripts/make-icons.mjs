#!/usr/bin/env node
/**
 * Makes Paike's icons from one drawing: the red square with a white 拍, the brand mark of the
 * page header. The character is drawn as strokes (paths), not as text, so the SVG looks the same
 * on every device whether or not it has a Chinese font, and the PNGs can be remade on any machine.
 * The PNGs are committed; run this again only when the mark changes:
 *
 *   node scripts/make-icons.mjs
 *
 * Renders with Debian's Chromium through playwright-core (already a dev dependency).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = fileURLToPath(new URL('../src/web/public/', import.meta.url));
const RED = '#b3261e';

/**
 * 拍 on a 100-unit grid: 扌 (hand) on the left, 白 on the right. Square caps and a heavy stroke
 * keep it legible at 16 px.
 */
const GLYPH = [
  'M14 36H42', // 扌: cross stroke
  'M29 18V76Q29 83 21 80', // 扌: vertical with its hook
  'M13 64L44 51', // 扌: rising stroke
  'M66 14L59 28', // 白: the dot on top
  'M51 31H83V83H51Z', // 白: the box
  'M51 57H83', // 白: the middle stroke
]
  .map((d) => `<path d="${d}"/>`)
  .join('');

/** `scale` shrinks the character around the centre (maskable icons keep it inside the safe circle). */
function svg({ rounded, scale = 1 }) {
  const rx = rounded ? 'rx="22"' : '';
  const t = (1 - scale) * 50;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">` +
    `<rect width="100" height="100" ${rx} fill="${RED}"/>` +
    `<g transform="translate(${t} ${t}) scale(${scale})" fill="none" stroke="#fff" stroke-width="8" stroke-linecap="square" stroke-linejoin="miter">${GLYPH}</g>` +
    `</svg>\n`
  );
}

const files = [
  // "any" icons: the header's rounded square, transparent corners.
  { name: 'icons/icon-192.png', size: 192, svg: svg({ rounded: true, scale: 0.8 }) },
  { name: 'icons/icon-512.png', size: 512, svg: svg({ rounded: true, scale: 0.8 }) },
  // Maskable: full bleed; the launcher cuts its own shape, keeping at least the middle 80 % circle.
  { name: 'icons/maskable-512.png', size: 512, svg: svg({ rounded: false, scale: 0.62 }) },
  // iOS rounds the corners itself and shows transparency as black: full bleed.
  { name: 'icons/apple-touch-icon-180.png', size: 180, svg: svg({ rounded: false, scale: 0.72 }) },
  { name: 'favicon-32.png', size: 32, svg: svg({ rounded: true, scale: 0.86 }) },
];

writeFileSync(`${OUT}icons/icon.svg`, svg({ rounded: true, scale: 0.8 }));
writeFileSync(`${OUT}favicon.svg`, svg({ rounded: true, scale: 0.86 }));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const f of files) {
    await page.setViewportSize({ width: f.size, height: f.size });
    const body = f.svg.replace('<svg ', `<svg width="${f.size}" height="${f.size}" `);
    await page.setContent(`<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${body}`);
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: f.size, height: f.size } });
    writeFileSync(`${OUT}${f.name}`, png);
    if (f.name === 'favicon-32.png') writeFileSync(`${OUT}favicon.ico`, ico(png, f.size));
  }
} finally {
  await browser.close();
}

/** An .ico holding one PNG image (allowed since Windows Vista; every browser reads it). */
function ico(png, size) {
  const head = Buffer.alloc(22);
  head.writeUInt16LE(0, 0); // reserved
  head.writeUInt16LE(1, 2); // type: icon
  head.writeUInt16LE(1, 4); // one image
  head.writeUInt8(size, 6);
  head.writeUInt8(size, 7);
  head.writeUInt8(0, 8); // no palette
  head.writeUInt8(0, 9);
  head.writeUInt16LE(1, 10); // colour planes
  head.writeUInt16LE(32, 12); // bits per pixel
  head.writeUInt32LE(png.length, 14);
  head.writeUInt32LE(22, 18); // offset of the image
  return Buffer.concat([head, png]);
}
