import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import QRCode from 'qrcode';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

// Node-side QR helpers. No vitest import here: the Playwright specs use this file too.

const require = createRequire(import.meta.url);
let zxingReady: Promise<unknown> | undefined;

/** zxing-wasm's reader, compiled from the .wasm in node_modules: its default locateFile points at a CDN. */
function readyZxing(): Promise<unknown> {
  zxingReady ??= prepareZXingModule({
    overrides: { wasmBinary: readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')).buffer as ArrayBuffer },
    fireImmediately: true,
  });
  return zxingReady;
}

/** The text of every QR code in a PNG (a Playwright screenshot, say), decoded in Node with no network. */
export async function decodeQrPng(png: Buffer): Promise<string[]> {
  await readyZxing();
  const results = await readBarcodes(new Uint8Array(png), { formats: ['QRCode'], tryHarder: true });
  return results.map((r) => r.text);
}

/** A pass-sized text: `VCP1.<payload>.<signature>`, about 420 characters like a signed patron pass. */
export function passLikeText(): string {
  const payload = Buffer.from(
    JSON.stringify({ v: 1, pid: 'p-0123456789abcdef', venue: 'venue-a', name: '张三', phone: '138****0001', code: 'K7M2QX', iat: 1_700_000_000, exp: 1_700_086_400, pad: 'x'.repeat(95) }),
  ).toString('base64url');
  const signature = Buffer.alloc(64, 0xa5).toString('base64url');
  return `VCP1.${payload}.${signature}`;
}

export interface Y4mOptions {
  width?: number;
  height?: number;
  frames?: number;
  fps?: number;
  /** Pixels per module; by default the largest that fits the frame. */
  moduleSize?: number;
}

const BLACK = 16;
const WHITE = 235;
const NEUTRAL_CHROMA = 128;
const QUIET_ZONE = 4;

/**
 * Writes a YUV4MPEG2 (C420) video of the QR code of `text`, centred on white
 * with a 4-module quiet zone, for Chromium's
 * `--use-file-for-fake-video-capture` (which loops it). Luma uses the video
 * range (16 black, 235 white); chroma is neutral.
 */
export function writeQrY4m(text: string, file: string, { width = 640, height = 480, frames = 5, fps = 15, moduleSize }: Y4mOptions = {}): void {
  if (width % 2 || height % 2) throw new Error('C420 needs an even width and height');
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const span = size + 2 * QUIET_ZONE;
  const scale = moduleSize ?? Math.floor(Math.min(width, height) / span);
  if (scale < 2 || span * scale > Math.min(width, height)) throw new Error(`a ${size}-module QR code does not fit ${width}x${height} at ${scale} px per module (2 at least)`);
  const left = Math.floor((width - span * scale) / 2) + QUIET_ZONE * scale;
  const top = Math.floor((height - span * scale) / 2) + QUIET_ZONE * scale;

  const luma = Buffer.alloc(width * height, WHITE);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!data[row * size + col]) continue;
      for (let y = 0; y < scale; y++) luma.fill(BLACK, (top + row * scale + y) * width + left + col * scale, (top + row * scale + y) * width + left + (col + 1) * scale);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, NEUTRAL_CHROMA);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420\n`);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
