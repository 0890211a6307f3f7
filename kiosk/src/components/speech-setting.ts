import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { I18nController, currentLang, t, tf } from '../i18n.js';
import { askPhrase } from '../speech-phrases.js';
import { doorVoice, loadSpokenPrompts, onSpeechChange, say, setSpokenPrompts, speechAvailable, spokenPromptsOn } from '../speech.js';

/**
 * "语音提示 / Spoken prompts": this door's setting, off by default and kept on the tablet. Says which
 * of the tablet's own voices would speak, or that none would (the door then stays silent).
 */
@customElement('speech-setting')
export class SpeechSetting extends LitElement {
  @state() private busy = false;

  private readonly i18n = new I18nController(this);
  private stop: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stop = onSpeechChange(() => this.requestUpdate());
    void loadSpokenPrompts();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop?.();
  }

  override render() {
    const voice = doorVoice();
    const status = !speechAvailable()
      ? html`<p class="silent" data-testid="speech-voice" data-voice="">${t('speechUnsupported')}</p>`
      : voice
        ? html`<p data-testid="speech-voice" data-voice=${voice.name}>${tf('speechVoice', { name: voice.name, lang: voice.lang })}</p>`
        : html`<p class="silent" data-testid="speech-voice" data-voice="">${t('speechNoVoice')}</p>`;
    return html`<h2 id="speech-title">${t('speechTitle')}</h2>
      <p>${t('speechHelp')}</p>
      <label class="toggle">
        <input type="checkbox" data-testid="speech-toggle" .checked=${spokenPromptsOn()} ?disabled=${this.busy} @change=${this._toggle} />
        ${t('speechOn')}
      </label>
      ${status}
      ${voice ? html`<button type="button" data-testid="speech-try" @click=${this._try}>${t('speechTry')}</button>` : nothing}`;
  }

  private async _toggle(e: Event) {
    const input = e.target as HTMLInputElement;
    this.busy = true;
    try {
      await setSpokenPrompts(input.checked);
    } catch {
      // Not saved: the box shows what the tablet still holds.
      input.checked = spokenPromptsOn();
    } finally {
      this.busy = false;
    }
  }

  private _try() {
    say(askPhrase(['healthCode', 'mask'], currentLang()));
  }

  static override styles = css`
    :host { display: grid; gap: 0.6rem; padding: 1rem; border: 1px solid #d9e2ec; border-radius: 0.8rem; background: #fff; }
    h2 { margin: 0; font-size: 1.3rem; }
    p { margin: 0; }
    .toggle { display: flex; align-items: center; gap: 0.6rem; min-height: 3rem; font-size: 1.15rem; font-weight: 600; }
    .toggle input { width: 1.6rem; height: 1.6rem; }
    .silent { padding: 0.6rem 0.8rem; border-radius: 0.6rem; background: #fef3c7; color: #78350f; font-weight: 600; }
    button { justify-self: start; min-height: 3rem; padding: 0 1.2rem; font-size: 1.1rem; border: 2px solid #1d4ed8; border-radius: 0.6rem; background: #fff; color: #1d4ed8; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'speech-setting': SpeechSetting;
  }
}
