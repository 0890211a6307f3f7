import { FAVICON_URL } from './favicon.js';

/**
 * Server-rendered pages (patron page, pass, poster) with escaping by default:
 * every interpolated value is text unless it is itself a `Html` made here.
 * Venue names and labels come from people; none of it may become markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new Html(out);
}

/** Markup made elsewhere and trusted (an SVG from the QR library). */
export const trusted = (markup: string): Html => new Html(markup);

/** A whole document: language, title, the hub's icon, the page's own CSS and scripts from the hub's UI bundle. */
export function page(opts: { lang: string; title: string; css: string; body: Html; scripts?: string[]; bodyClass?: string | undefined }): string {
  return `<!doctype html>${html`<html lang="${opts.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><link rel="icon" href="${FAVICON_URL}" type="image/svg+xml"><title>${opts.title}</title><style>${trusted(opts.css)}</style></head><body class="${opts.bodyClass ?? ''}">${opts.body}${(opts.scripts ?? []).map((s) => html`<script type="module" src="${s}"></script>`)}</body></html>`.text}`;
}
