/**
 * A screenshot of the kiosk's stage as the screen shows it (docs/kiosk.md, "Screenshots"). A page
 * cannot capture itself without asking, so the app redraws what it knows it shows: every picture
 * and video frame at its place and every line of text in its own font and colour, on black. Same-
 * origin media only, so the canvas stays readable.
 */
export async function drawScreenshot(stage: HTMLElement): Promise<Blob> {
  const box = stage.getBoundingClientRect();
  const scale = Math.min(1, 1920 / Math.max(box.width, box.height, 1));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(box.width * scale));
  canvas.height = Math.max(1, Math.round(box.height * scale));
  const g = canvas.getContext('2d')!;
  g.scale(scale, scale);
  g.fillStyle = getComputedStyle(stage).backgroundColor || '#000';
  g.fillRect(0, 0, box.width, box.height);
  const at = (el: Element) => {
    const r = el.getBoundingClientRect();
    return { x: r.left - box.left, y: r.top - box.top, w: r.width, h: r.height };
  };
  for (const el of stage.querySelectorAll('img, video')) {
    const r = at(el);
    try {
      if (el instanceof HTMLVideoElement && el.readyState >= 2) g.drawImage(el, r.x, r.y, r.w, r.h);
      else if (el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0) g.drawImage(el, r.x, r.y, r.w, r.h);
    } catch {
      // A frame that cannot be drawn leaves its place black; the text still tells what was on.
    }
  }
  for (const el of stage.querySelectorAll('h1, h2, p, li')) {
    const text = (el as HTMLElement).innerText.trim();
    if (!text) continue;
    const css = getComputedStyle(el);
    const r = at(el);
    g.font = `${css.fontWeight} ${css.fontSize} ${css.fontFamily}`;
    g.fillStyle = css.color;
    g.textBaseline = 'top';
    g.fillText(text, r.x, r.y, r.w);
  }
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas'))), 'image/jpeg', 0.8));
}
