/**
 * Draws the kiosk's PWA icons (a white check on the app blue) as PNG, with no
 * image library: a PNG is a zlib stream of RGBA rows. Run once when the design
 * changes; the PNGs are committed under kiosk/public/.
 *
 *   node --import tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x1d, 0x4e, 0xd8];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Distance from p to the segment ab. */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** `maskable`: full-bleed background, the mark inside the 80 % safe zone. */
function icon(size: number, maskable: boolean): Buffer {
  const s = size / 512;
  const radius = maskable ? 0 : 96 * s;
  const shrink = maskable ? 0.8 : 1;
  const c = size / 2;
  const pt = (x: number, y: number): [number, number] => [c + (x * s - c) * shrink, c + (y * s - c) * shrink];
  const [a, b, d] = [pt(140, 270), pt(220, 350), pt(380, 170)];
  const half = 24 * s * shrink;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      // Rounded-square coverage (1 inside, 0 outside, soft edge).
      const qx = Math.max(radius - px, px - (size - radius), 0);
      const qy = Math.max(radius - py, py - (size - radius), 0);
      const bg = radius === 0 ? 1 : Math.max(0, Math.min(1, radius - Math.hypot(qx, qy) + 0.5));
      const dist = Math.min(segDist(px, py, ...a, ...b), segDist(px, py, ...b, ...d));
      const mark = Math.max(0, Math.min(1, half - dist + 0.5));
      const o = 1 + x * 4;
      for (let ch = 0; ch < 3; ch++) row[o + ch] = Math.round(BLUE[ch]! * (1 - mark) + 255 * mark);
      row[o + 3] = Math.round(255 * bg);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
] as const) {
  writeFileSync(new URL(`../kiosk/public/${name}`, import.meta.url), icon(size, maskable));
}
