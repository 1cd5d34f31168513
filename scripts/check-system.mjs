#!/usr/bin/env node
// Checks the machine before `npm start` / `npm test`: Node's version, and the programs that
// come from the operating system, not npm: ffmpeg/ffprobe, poppler-utils (the e-paper's PDF pages,
// docs/epaper.md), and Chromium with a font that renders
// Chinese (the central kitchen's print PDFs, docs/print.md; the browser tests with --browser), and
// with --browser Janus for the live-call tests (docs/command.md). On a Debian machine run as root it
// installs what is missing with apt-get; otherwise it says plainly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Paike needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}

const runs = (cmd, args = ['-version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasFfmpeg = () => runs('ffmpeg') && runs('ffprobe');
// Print PDFs use CHROMIUM_PATH when it is set (src/server/config.ts), /usr/bin/chromium otherwise.
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const hasChromium = () => existsSync(chromiumPath);
const hasCjkFont = () => {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().length > 0;
};

const browser = process.argv.includes('--browser');
const wanted = [
  { name: 'ffmpeg', ok: hasFfmpeg, why: 'to process videos' },
  { name: 'chromium', ok: hasChromium, why: browser ? 'for the browser tests and print PDFs' : 'to make print PDFs' },
  { name: 'fonts-noto-cjk', ok: hasCjkFont, why: 'so Chinese renders in print PDFs, burned-in captions and the browser tests' },
  // The e-paper (docs/epaper.md): pdfinfo, pdftoppm and pdftotext turn uploaded newspaper PDFs into page images and find print blocks.
  {
    name: 'poppler-utils',
    ok: () => existsSync('/usr/bin/pdftoppm') && existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo'),
    why: 'to turn e-paper PDFs into page images',
  },
  // Live calls (docs/command.md) go peer to peer without Janus; the tests start their own Janus,
  // and janus-pp-rec (janus-tools) turns its call recordings into video.
  ...(browser
    ? [
        { name: 'janus', ok: () => existsSync('/usr/bin/janus'), why: 'for the live-call tests through Janus' },
        { name: 'janus-tools', ok: () => existsSync('/usr/bin/janus-pp-rec'), why: 'to turn Janus call recordings into video' },
      ]
    : []),
];

let missing = wanted.filter((w) => !w.ok());
const canApt = process.getuid?.() === 0 && runs('apt-get', ['--version']);
if (missing.length && canApt && process.env.PAIKE_NO_APT !== '1') {
  const names = missing.map((m) => m.name);
  console.log(`Installing ${names.join(', ')} with apt-get …`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    // fall through to the message below
  }
  missing = wanted.filter((w) => !w.ok());
}
for (const m of missing) {
  console.warn(`${m.name} is not installed; Paike needs it ${m.why}. Install it with\n  sudo apt-get install ${m.name}        (Debian/Ubuntu)`);
}
if (missing.some((m) => m.name === 'ffmpeg')) {
  console.warn('Paike starts without ffmpeg, but video processing stays off until it is installed.');
}
if (missing.some((m) => m.name === 'poppler-utils')) {
  console.warn('Paike starts without it, but e-paper uploads are refused (503 epaper.poppler_missing) until it is installed.');
}
if (missing.some((m) => m.name === 'chromium' || m.name === 'fonts-noto-cjk')) {
  // Print is the only feature that needs them: Paike starts, and a print render says the same.
  console.warn(
    `Paike starts without them, but print PDFs fail until they are installed: sudo apt-get install chromium fonts-noto-cjk` +
      (process.env.CHROMIUM_PATH ? ` (or fix CHROMIUM_PATH=${chromiumPath})` : ' (or set CHROMIUM_PATH to an installed Chromium)'),
  );
}
