/**
 * Central kitchen bench, part print: the print PDF of a one-page block with 4 images and 2 QR
 * codes (A3, 6 columns, the default newspaper), made
 *   - `ours`: through Paike's renderer (modules/kitchen/print/chromium.ts: one browser kept, a
 *     fresh context per render with JavaScript off and the network offline, setContent, pdf,
 *     context closed), as the `kitchen.print-render` job calls it;
 *   - `bare`: by a bare Chromium `page.pdf()` of the same HTML on one page kept open
 *     (setContent + pdf, nothing else) in a second browser;
 * alternating run by run after one uncounted warm-up each, and the layout itself
 * (buildPrintHtml + 2 QR codes, images already as data: URLs) on its own.
 *
 *   npx tsx bench/kitchen.bench.ts [--runs 15] [--image-px 2400] [--chromium /usr/bin/chromium]
 *
 * Images are JPEGs made with sharp (noise, so they do not compress to nothing) at the long side
 * given, as the print copies in story_images are (≤ 3000 px).
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { createChromiumRenderer } from '../src/server/modules/kitchen/print/chromium.js';
import { buildPrintHtml, type PrintNewspaper } from '../src/server/modules/kitchen/print/print.layout.js';
import { qrSvg } from '../src/server/modules/kitchen/print/qr.js';
import { loadNow, median, percentile, table } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'image-px': { type: 'string', default: '2400' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH || '/usr/bin/chromium' },
  },
});
const runs = Number(flags.runs);
const px = Number(flags['image-px']);
const executablePath = flags.chromium!;

const paper: PrintNewspaper = {
  name: 'Paike Daily',
  pageSize: 'A3',
  columns: 6,
  gutterMm: 4,
  marginMm: 15,
  bleedMm: 3,
  headlinePt: 36,
  standfirstPt: 14,
  bodyPt: 10.5,
  captionPt: 8,
};

async function image(seed: number): Promise<string> {
  const w = px;
  const h = Math.round((px * 2) / 3);
  const raw = Buffer.alloc(w * h * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = (x >>> 16) & 0xff;
  }
  const jpg = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .blur(3)
    .jpeg({ quality: 85 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpg.toString('base64')}`;
}

const paragraph =
  '清晨六点，北京西站的候车大厅已排起长队。拍客们举着手机记录下返乡人的笑脸、行李和牵挂，这些画面经过编辑部审核后进入中央厨房，一次采集，多种生成。';
const body = Array.from({ length: 14 }, (_, i) => (i % 5 === 4 ? `<h2>一路向家 ${i}</h2>` : `<p>${paragraph}</p>`)).join('');

async function layout(images: string[]) {
  const urls = ['https://paike.example.cn/v/3f2b7c1e-8a1d-4e3b-9c55-1a2b3c4d5e6f', 'https://paike.example.cn/v/9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d'];
  return buildPrintHtml(paper, {
    headline: '春运首日 返乡路上的年味',
    standfirst: '记者与拍客一起记录返乡路：四张图片、两段视频，一个版块。',
    byline: '本报记者 李明',
    bodyHtml: body,
    columns: 6,
    edition: '2026-01-21',
    page: 'A1',
    images: images.map((src, i) => ({ src, width: px, height: Math.round((px * 2) / 3), caption: `候车大厅里的旅客 ${i + 1}`, credit: '摄影 张华' })),
    videos: await Promise.all(
      urls.map(async (url, i) => ({ title: `站台上的告别 ${i + 1}`, contributor: '王小拍', url, qrSvg: await qrSvg(url), posterSrc: null })),
    ),
  });
}

async function main() {
  console.log(`print bench: ${runs} runs, images ${px} px, chromium ${executablePath}, load ${loadNow()}`);
  const images = await Promise.all([1, 2, 3, 4].map(image));
  const layoutMs: number[] = [];
  let html = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    html = await layout(images);
    layoutMs.push(performance.now() - t0);
  }
  console.log(`HTML ${(html.length / 1e6).toFixed(2)} MB`);

  const ours = createChromiumRenderer({ executablePath });
  const bareBrowser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  const barePage = await bareBrowser.newPage();
  const bare = async () => {
    await barePage.setContent(html, { waitUntil: 'load' });
    return barePage.pdf({ preferCSSPageSize: true, printBackground: true });
  };
  const oursMs: number[] = [];
  const bareMs: number[] = [];
  let oursBytes = 0;
  let bareBytes = 0;
  try {
    // Warm-up (browser launch, fonts loaded once) not counted.
    await ours.pdf(html);
    await bare();
    for (let i = 0; i < runs; i++) {
      const order = i % 2 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const);
      for (const which of order) {
        const t0 = performance.now();
        const pdf = which === 'ours' ? await ours.pdf(html) : await bare();
        const ms = performance.now() - t0;
        if (which === 'ours') {
          oursMs.push(ms);
          oursBytes = pdf.length;
        } else {
          bareMs.push(ms);
          bareBytes = pdf.length;
        }
      }
    }
  } finally {
    await ours.close();
    await bareBrowser.close();
  }
  const fmt = (n: number) => n.toFixed(0);
  console.log(
    table(
      ['variant', 'median ms', 'p90 ms', 'min ms', 'PDF KB'],
      [
        [
          'layout (HTML + 2 QR)',
          layoutMs.length ? median(layoutMs).toFixed(1) : '',
          percentile(layoutMs, 0.9).toFixed(1),
          Math.min(...layoutMs).toFixed(1),
          '',
        ],
        ['bare page.pdf()', fmt(median(bareMs)), fmt(percentile(bareMs, 0.9)), fmt(Math.min(...bareMs)), (bareBytes / 1024).toFixed(0)],
        ['ours (renderer)', fmt(median(oursMs)), fmt(percentile(oursMs, 0.9)), fmt(Math.min(...oursMs)), (oursBytes / 1024).toFixed(0)],
      ],
    ),
  );
  console.log(`ratio ours/bare (medians): ${(median(oursMs) / median(bareMs)).toFixed(2)}× (aim ≤ 1.2×)`);
}

await main();
