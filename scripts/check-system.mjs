#!/usr/bin/env node
// Checks the machine before `npm start` / `npm test`: Node's version, and ffmpeg/ffprobe,
// which come from the operating system, not npm. Where ffmpeg is missing on a Debian
// machine run as root, it installs it; otherwise it says plainly what to install.
import { execFileSync, spawnSync } from 'node:child_process';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Paike needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}

const has = (cmd) => spawnSync(cmd, ['-version'], { stdio: 'ignore' }).status === 0;
if (!has('ffmpeg') || !has('ffprobe')) {
  const canApt = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (canApt && process.env.PAIKE_NO_APT !== '1') {
    console.log('ffmpeg is missing: installing it with apt-get …');
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', 'ffmpeg'], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      // fall through to the message below
    }
  }
  if (!has('ffmpeg') || !has('ffprobe')) {
    console.warn(
      'ffmpeg/ffprobe not found. Paike needs them to process videos. Install them with\n' +
        '  sudo apt-get install ffmpeg        (Debian/Ubuntu)\n' +
        '  brew install ffmpeg                (macOS)\n' +
        'Paike starts without them, but video processing stays off until they are installed.',
    );
  }
}
