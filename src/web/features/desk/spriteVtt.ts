export interface SpriteCue {
  start: number;
  end: number;
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

function seconds(ts: string): number | null {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$/.exec(ts.trim());
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number((m[4] ?? '0').padEnd(3, '0')) / 1000;
}

/** Thumbnail-sprite WebVTT (`sprite.jpg#xywh=x,y,w,h` cues); image paths resolve against the VTT's own URL. */
export function parseSpriteVtt(text: string, vttUrl: string): SpriteCue[] {
  const base = new URL(vttUrl, window.location.href);
  const cues: SpriteCue[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.includes('-->')) continue;
    const [a, b] = line.split('-->');
    const start = seconds(a ?? '');
    const end = seconds((b ?? '').trim().split(/\s+/)[0] ?? '');
    const target = lines[i + 1]?.trim();
    if (start === null || end === null || !target) continue;
    const m = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(target);
    if (!m) continue;
    cues.push({ start, end, url: new URL(m[1]!, base).toString(), x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) });
  }
  return cues;
}

export function cueAt(cues: SpriteCue[], t: number): SpriteCue | null {
  let lo = 0;
  let hi = cues.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = cues[mid]!;
    if (t < c.start) hi = mid - 1;
    else if (t >= c.end) lo = mid + 1;
    else return c;
  }
  return cues.length && t >= cues[cues.length - 1]!.end ? cues[cues.length - 1]! : null;
}
