import { LitElement, css, html, unsafeCSS } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { VenueDay } from '../../../shared/schemas/dashboard.js';
import { I18nController, t } from './i18n.js';

const HEIGHT = 240;

/** The venue's day by hour (venue-local): admissions as bars, refusals, scans and people inside as lines, against the cap. */
@customElement('day-chart')
export class DayChart extends LitElement {
  @property({ attribute: false }) day: VenueDay | undefined;
  /** People allowed inside at once (the policy's cap): drawn as a line the occupancy should stay under; 0 draws none. */
  @property({ type: Number }) cap = 0;

  @query('.plot') private plotEl!: HTMLDivElement;

  private readonly i18n = new I18nController(this);
  private plot: uPlot | undefined;
  private readonly resize = new ResizeObserver(() => this.plot?.setSize({ width: this._width(), height: HEIGHT }));

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  override render() {
    return html`<div class="plot" data-testid="day-chart" data-hours=${this.day?.hours.length ?? 0} data-cap=${this.cap}></div>`;
  }

  override updated(): void {
    // Rebuilt on every update: new data or a new language for the legend; 24 points are cheap.
    this.plot?.destroy();
    this.plot = undefined;
    if (!this.day) return;
    const hours = Array.from({ length: 24 }, (_, h) => h);
    const at = new Map(this.day.hours.map((h) => [h.hour, h]));
    const col = (k: 'admissions' | 'refusals' | 'scans' | 'inside') => hours.map((h) => at.get(h)?.[k] ?? 0);
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    this.plot = new uPlot(
      {
        width: this._width(),
        height: HEIGHT,
        scales: { x: { time: false, range: [-0.5, 23.5] } },
        axes: [
          { values: (_u, ticks) => ticks.map((v) => `${v}${t('hour')}`), incrs: [1, 2, 3, 6], grid: { show: false } },
          { size: 44 },
        ],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        series: [
          { label: t('hour'), value: (_u, v) => (v === null ? '—' : `${v}:00`) },
          { label: t('admissions'), stroke: '#1f5fbf', fill: 'rgba(31,95,191,0.35)', paths: bars, points: { show: false } },
          { label: t('refusals'), stroke: '#c62828', width: 2 },
          { label: t('scans'), stroke: '#7a8797', width: 1.5, dash: [5, 4] },
          { label: t('occupancy'), stroke: '#2e7d32', width: 2 },
          ...(this.cap > 0 ? [{ label: t('capLine'), stroke: '#9e5d00', width: 1.5, dash: [2, 3], points: { show: false } }] : []),
        ],
      },
      [hours, col('admissions'), col('refusals'), col('scans'), col('inside'), ...(this.cap > 0 ? [hours.map(() => this.cap)] : [])],
      this.plotEl,
    );
    this.resize.observe(this.plotEl);
  }

  private _width(): number {
    return Math.max(280, this.plotEl?.clientWidth || 600);
  }

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; }
      .plot { width: 100%; min-height: ${HEIGHT}px; }
      .u-legend { font-size: 12px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'day-chart': DayChart;
  }
}
