import QRCode from 'qrcode';

/**
 * The QR of a signed pass or booking as SVG. Its text never changes for an id,
 * and drawing it is most of the page's cost, so the most recent ones are kept.
 */
const cache = new Map<string, string>();
const CACHE_SIZE = 200;

export async function signedQrSvg(id: string, signed: string): Promise<string> {
  let svg = cache.get(id);
  if (svg === undefined) {
    svg = await QRCode.toString(signed, { type: 'svg', errorCorrectionLevel: 'M', margin: 3 });
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(id, svg);
  }
  return svg;
}
