import QRCode from 'qrcode';

/**
 * A QR code as inline SVG (vector, so it prints sharp at any size): black modules on white with
 * a quiet zone of 2 modules, error correction M (survives a smudge on newsprint).
 */
export async function qrSvg(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
  // qrcode writes an XML-less <svg …>; the label for screen readers is the URL it encodes.
  return svg.replace('<svg ', '<svg role="img" aria-label="QR" ').trim();
}
