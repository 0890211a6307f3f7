import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeQrPng, passLikeText, writeQrY4m } from '../support/qr.js';

describe('tests/support/qr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qr-helpers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes a ~420-character pass QR from a PNG, in Node and offline', async () => {
    const text = passLikeText();
    expect(text.length).toBeGreaterThan(400);
    const png = await QRCode.toBuffer(text, { errorCorrectionLevel: 'M', margin: 4, scale: 4 });
    expect(await decodeQrPng(png)).toEqual([text]);
  });

  it('finds no code in a PNG without one', async () => {
    const blank = await QRCode.toBuffer('x', { margin: 40, scale: 1, color: { dark: '#ffffffff', light: '#ffffffff' } });
    expect(await decodeQrPng(blank)).toEqual([]);
  });

  it('writes a C420 y4m: header, then frames of FRAME + w*h*3/2 bytes', () => {
    const file = join(dir, 'pass.y4m');
    writeQrY4m(passLikeText(), file, { width: 640, height: 480, frames: 3, fps: 15 });
    const header = 'YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420\n';
    const frameBytes = 'FRAME\n'.length + (640 * 480 * 3) / 2;
    expect(statSync(file).size).toBe(header.length + 3 * frameBytes);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, header.length).toString('latin1')).toBe(header);
    for (let f = 0; f < 3; f++) expect(bytes.subarray(header.length + f * frameBytes, header.length + f * frameBytes + 6).toString()).toBe('FRAME\n');
    // Black modules at video-range luma 16, white at 235, chroma neutral.
    const luma = bytes.subarray(header.length + 6, header.length + 6 + 640 * 480);
    expect(new Set(luma)).toEqual(new Set([16, 235]));
    expect(bytes[header.length + frameBytes - 1]).toBe(128);
  });

  it('refuses a frame too small for the code', () => {
    expect(() => writeQrY4m(passLikeText(), join(dir, 'tiny.y4m'), { width: 64, height: 64 })).toThrow(/does not fit/);
  });
});

describe('bundled zxing_reader.wasm', () => {
  it('is the build barcode-detector expects (zxing-wasm is pinned to the version it inlines)', async () => {
    const { ZXING_WASM_SHA256 } = await import('barcode-detector/ponyfill');
    const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
    expect(createHash('sha256').update(wasm).digest('hex')).toBe(ZXING_WASM_SHA256);
  });
});
