/**
 * Variant order in an HLS master playlist. ffmpeg lists variants in `-var_stream_map` order,
 * which for Paike's ladder is the top rendition first. Safari's native HLS (every iPhone) starts
 * on the FIRST listed variant, so a phone on a weak network would begin by fetching the largest
 * segments; hls.js sorts levels itself and is told to start on the lowest. Listing the lowest
 * BANDWIDTH first makes both start small and let their ABR climb.
 */

const STREAM_INF = /^#EXT-X-STREAM-INF:(.*)$/;

function bandwidth(attrs: string): number {
  const m = /(?:^|,)BANDWIDTH=(\d+)/.exec(attrs);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

/**
 * The same playlist with its variants (each `#EXT-X-STREAM-INF` line and the URI line after it)
 * ordered by BANDWIDTH, lowest first; every other line stays where it was. Only lines move, so
 * the byte length is unchanged (a Content-Length or a stored size stays right). Stable for equal
 * bandwidths; a playlist with fewer than two variants comes back unchanged.
 */
export function lowestBandwidthFirst(master: string): string {
  const eol = master.includes('\r\n') ? '\r\n' : '\n';
  const lines = master.split(/\r?\n/);
  const slots: number[] = [];
  const blocks: { bw: number; inf: string; uri: string; k: number }[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const m = STREAM_INF.exec(lines[i]!);
    const uri = lines[i + 1]!;
    if (!m || uri.trim() === '' || uri.startsWith('#')) continue;
    slots.push(i);
    blocks.push({ bw: bandwidth(m[1]!), inf: lines[i]!, uri, k: blocks.length });
    i++;
  }
  if (blocks.length < 2) return master;
  blocks.sort((a, b) => a.bw - b.bw || a.k - b.k);
  slots.forEach((at, k) => {
    lines[at] = blocks[k]!.inf;
    lines[at + 1] = blocks[k]!.uri;
  });
  return lines.join(eol);
}
