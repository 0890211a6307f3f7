import { LitElement, css, html, unsafeCSS } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { I18nController, t } from './i18n.js';

const WIDTH = 120;
const HEIGHT = 30;

/**
 * A small chart for a row of the street overview: admissions as bars, flags raised as red dots
 * above them (on a scale of their own), over today's hours or the week's days. The numbers it
 * draws are its accessible name, so a screen reader hears what the eye sees.
 */
@customElement('venue-spark')
export class VenueSpark extends LitElement {
  @property({ attribute: false }) admissions: readonly number[] = [];
  @property({ attribute: false }) flags: readonly number[] = [];
  /** What one bar is ("hour" or "day"), for the name read out. */
  @property() unit: 'hour' | 'day' = 'hour';
  /** Its width in px (the street overview's rows: 120; the oversight's, a street per row: narrower). */
  @property({ type: Number }) width = WIDTH;

  @query('.plot') private plotEl!: HTMLDivElement;

  private readonly i18n = new I18nController(this);
  private plot: uPlot | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = undefined;
  }

  override render() {
    const total = this.admissions.reduce((a, b) => a + b, 0);
    const flags = this.flags.reduce((a, b) => a + b, 0);
    const name = t(this.unit === 'hour' ? 'sparkToday' : 'sparkWeek', { n: total, f: flags });
    return html`<div class="plot" style="width: ${this.width}px" role="img" aria-label=${name} title=${name} data-testid="spark-${this.unit}"
      data-admissions=${total} data-flags=${flags}></div>`;
  }

  override updated(): void {
    this.plot?.destroy();
    const xs = this.admissions.map((_, i) => i);
    const maxFlags = Math.max(1, ...this.flags);
    this.plot = new uPlot(
      {
        width: this.width,
        height: HEIGHT,
        padding: [2, 2, 0, 2],
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.5, xs.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] }, f: { range: [0, maxFlags * 1.15] } },
        axes: [{ show: false }, { show: false }],
        series: [
          {},
          { stroke: '#1f5fbf', fill: 'rgba(31,95,191,0.45)', paths: uPlot.paths.bars?.({ size: [0.8, 12] }), points: { show: false } },
          { scale: 'f', stroke: 'transparent', points: { show: true, size: 5, fill: '#c62828', stroke: '#c62828', filter: (_u, _s, show) => (show ? this._flagged() : null) } },
        ],
      },
      [xs, [...this.admissions], this.flags.map((n) => (n > 0 ? n : null))],
      this.plotEl,
    );
  }

  /** Indexes with a flag: only there a dot is drawn. */
  private _flagged(): number[] {
    return this.flags.flatMap((n, i) => (n > 0 ? [i] : []));
  }

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: inline-block; vertical-align: middle; }
      .plot { width: ${WIDTH}px; height: ${HEIGHT}px; background: #f4f6f9; border-bottom: 1px solid var(--line, #d8dee6); }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'venue-spark': VenueSpark;
  }
}
