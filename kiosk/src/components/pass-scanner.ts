import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t } from '../i18n.js';
import { openCamera, stopTracks } from '../scan/camera.js';
import { createQrReader, type QrReader } from '../scan/qr-reader.js';
import { RepeatFilter } from '../scan/repeat-filter.js';

type Status = 'idle' | 'starting' | 'ready' | 'no-camera' | 'denied' | 'decoder-failed';

const STATUS_TEXT = {
  idle: undefined,
  starting: 'scannerStarting',
  ready: 'scannerReady',
  'no-camera': 'scannerNoCamera',
  denied: 'scannerDenied',
  'decoder-failed': 'scannerDecoderFailed',
} as const satisfies Record<Status, Parameters<typeof t>[0] | undefined>;

/** A decode every ~180 ms reads a pass promptly without keeping a tablet's CPU busy. */
const SCAN_INTERVAL_MS = 180;

/**
 * The rear camera, previewed, reading patrons' pass QR codes while
 * `active`; fires `pass-scanned` once per pass shown. Without a camera or a
 * decoder it says so and staff type the pass code instead.
 */
@customElement('pass-scanner')
export class PassScanner extends LitElement {
  @property({ type: Boolean }) active = false;

  @state() private _status: Status = 'idle';
  @state() private _engine: QrReader['engine'] | undefined;

  @query('video') private _video!: HTMLVideoElement | null;
  private readonly i18n = new I18nController(this);
  private readonly repeats = new RepeatFilter();
  private stream: MediaStream | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every start and stop, so a start that resolves after a stop gives its camera back. */
  private run = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.active && this.hasUpdated) void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has('active')) return;
    if (this.active) void this.start();
    else if (changed.get('active') !== undefined) this.stop();
  }

  override render() {
    const key = STATUS_TEXT[this._status];
    const failed = this._status === 'no-camera' || this._status === 'denied' || this._status === 'decoder-failed';
    return html`<div data-testid="pass-scanner">
      <div class="view" ?hidden=${!this.active || failed}>
        <video data-testid="scanner-video" muted playsinline></video>
        <div class="frame" aria-hidden="true"></div>
      </div>
      <p class="status ${failed ? 'failed' : ''}" data-testid="scanner-status" data-status=${this._status}
        data-engine=${this._engine ?? ''} role="status">${key ? t(key) : ''}</p>
    </div>`;
  }

  private async start(): Promise<void> {
    const run = ++this.run;
    this.repeats.clear();
    this._status = 'starting';
    const camera = openCamera();
    let reader: QrReader;
    try {
      reader = await createQrReader();
    } catch {
      void camera.then((c) => {
        if (c instanceof MediaStream) stopTracks(c);
      });
      if (run === this.run) this._status = 'decoder-failed';
      return;
    }
    const stream = await camera;
    if (run !== this.run) {
      if (stream instanceof MediaStream) stopTracks(stream);
      return;
    }
    if (!(stream instanceof MediaStream)) {
      this._status = stream;
      return;
    }
    this.stream = stream;
    this._engine = reader.engine;
    await this.updateComplete;
    const video = this._video;
    if (run !== this.run || !video) return;
    video.srcObject = stream;
    // Autoplay of a muted video is allowed; a rejected play() still leaves frames to read once it starts.
    await video.play().catch(() => undefined);
    if (run !== this.run) return;
    this._status = 'ready';
    this.scan(run, reader, video);
  }

  private stop(): void {
    this.run++;
    clearTimeout(this.timer);
    if (this.stream) stopTracks(this.stream);
    this.stream = undefined;
    if (this._video) this._video.srcObject = null;
    this._status = 'idle';
  }

  private scan(run: number, reader: QrReader, video: HTMLVideoElement): void {
    this.timer = setTimeout(async () => {
      if (run !== this.run) return;
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
        try {
          for (const text of await reader.detect(video)) {
            if (run === this.run && this.repeats.accept(text, Date.now())) fireEvent(this, 'pass-scanned', { text });
          }
        } catch {
          // A frame the decoder cannot take (camera mid-switch): the next one will do.
        }
      }
      if (run === this.run) this.scan(run, reader, video);
    }, SCAN_INTERVAL_MS);
  }

  static override styles = css`
    :host { display: block; width: 100%; max-width: 36rem; }
    .view { position: relative; aspect-ratio: 4 / 3; background: #111827; border-radius: 0.8rem; overflow: hidden; }
    .view[hidden] { display: none; }
    video { width: 100%; height: 100%; object-fit: cover; display: block; }
    .frame {
      position: absolute; inset: 12% 24%; border: 0.3rem solid rgba(255, 255, 255, 0.9); border-radius: 0.8rem;
      box-shadow: 0 0 0 100vmax rgba(0, 0, 0, 0.35);
    }
    .status { margin: 0.6rem 0 0; font-size: 1.2rem; line-height: 1.5; min-height: 1.8rem; }
    .status.failed { color: #b91c1c; font-weight: 700; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'pass-scanner': PassScanner;
  }
}
