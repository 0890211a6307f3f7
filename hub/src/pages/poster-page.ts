import QRCode from 'qrcode';
import { html, page, trusted } from './html.js';
import { patronText } from './patron-text.js';

/**
 * A static A4 poster per entrance, for when the kiosk screen is off
 * or out of reach. Its code never rotates, so scans of it are marked as poster
 * scans. Both languages on the paper; print CSS fills one A4 page.
 */
export async function renderPoster(opts: { venueName: string; entranceName: string; url: string }): Promise<string> {
  const zh = patronText('zh-CN');
  const en = patronText('en');
  const qr = await QRCode.toString(opts.url, { type: 'svg', errorCorrectionLevel: 'Q', margin: 2 });
  const css = `
    @page{size:A4 portrait;margin:12mm}
    *{box-sizing:border-box}
    body{margin:0;font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#111;text-align:center}
    .sheet{max-width:186mm;margin:0 auto;padding:6mm}
    h1{font-size:30pt;margin:0 0 2mm}h2{font-size:18pt;margin:0 0 6mm;font-weight:600}
    .title{font-size:22pt;font-weight:800;letter-spacing:.2em;border:3px solid #111;display:inline-block;padding:2mm 8mm;margin:0 0 6mm}
    .qr svg{width:120mm;height:120mm}
    p{font-size:14pt;margin:3mm 0}.en{font-size:11pt;color:#333}
`;
  const body = html`<div class="sheet">
    <div class="title">${zh('posterTitle')} · ${en('posterTitle')}</div>
    <h1 data-testid="poster-venue">${opts.venueName}</h1>
    <h2>${opts.entranceName}</h2>
    <div class="qr" data-testid="poster-qr" data-url="${opts.url}">${trusted(qr)}</div>
    <p>${zh('posterScanHint')}</p><p class="en">${en('posterScanHint')}</p>
    <p>${zh('posterChecks')}</p><p class="en">${en('posterChecks')}</p>
  </div>`;
  return page({ lang: 'zh-CN', title: `${zh('posterTitle')} · ${opts.venueName}`, css, body });
}
