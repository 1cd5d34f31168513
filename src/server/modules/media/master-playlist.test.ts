import { describe, expect, it } from 'vitest';
import { lowestBandwidthFirst } from './master-playlist.js';

// The shape ffmpeg 5.1 writes for Paike's ladder: top rendition first, blank lines between.
const FFMPEG_MASTER = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-STREAM-INF:BANDWIDTH=3218000,RESOLUTION=720x1280,CODECS="avc1.640020,mp4a.40.2"',
  '720p/index.m3u8',
  '',
  '#EXT-X-STREAM-INF:BANDWIDTH=1425600,RESOLUTION=480x854,CODECS="avc1.64001f,mp4a.40.2"',
  '480p/index.m3u8',
  '',
  '#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=800000,BANDWIDTH=875600,RESOLUTION=360x640,CODECS="avc1.64001e,mp4a.40.2"',
  '360p/index.m3u8',
  '',
  '',
].join('\n');

const uris = (m: string) => m.split('\n').filter((l) => l.endsWith('.m3u8'));

describe('lowestBandwidthFirst', () => {
  it('lists the lowest-bandwidth variant first, each URI still under its own STREAM-INF', () => {
    const out = lowestBandwidthFirst(FFMPEG_MASTER);
    expect(uris(out)).toEqual(['360p/index.m3u8', '480p/index.m3u8', '720p/index.m3u8']);
    const lines = out.split('\n');
    expect(lines[lines.indexOf('360p/index.m3u8') - 1]).toContain('RESOLUTION=360x640');
    expect(lines[lines.indexOf('720p/index.m3u8') - 1]).toContain('BANDWIDTH=3218000');
    // AVERAGE-BANDWIDTH is not BANDWIDTH.
    expect(lines.slice(0, 2)).toEqual(['#EXTM3U', '#EXT-X-VERSION:7']);
  });

  it('keeps the byte length, so a stored size or Content-Length stays right', () => {
    const out = lowestBandwidthFirst(FFMPEG_MASTER);
    expect(Buffer.byteLength(out)).toBe(Buffer.byteLength(FFMPEG_MASTER));
    const crlf = FFMPEG_MASTER.replaceAll('\n', '\r\n');
    const outCrlf = lowestBandwidthFirst(crlf);
    expect(outCrlf.length).toBe(crlf.length);
    expect(outCrlf.startsWith('#EXTM3U\r\n')).toBe(true);
  });

  it('leaves an ordered playlist, a single variant and a media playlist as they are', () => {
    const ordered = lowestBandwidthFirst(FFMPEG_MASTER);
    expect(lowestBandwidthFirst(ordered)).toBe(ordered);
    const single = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=900000\n540p/index.m3u8\n';
    expect(lowestBandwidthFirst(single)).toBe(single);
    const media = '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg_000.m4s\n#EXT-X-ENDLIST\n';
    expect(lowestBandwidthFirst(media)).toBe(media);
  });

  it('keeps equal bandwidths in their written order', () => {
    const m = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2\na.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\nb.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\nc.m3u8\n';
    expect(uris(lowestBandwidthFirst(m))).toEqual(['b.m3u8', 'c.m3u8', 'a.m3u8']);
  });
});
