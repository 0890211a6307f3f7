/**
 * Distinct sounds the queue can hear: two rising beeps to admit,
 * one low buzz to refuse. WebAudio tones, nothing to download.
 */
let ctx: AudioContext | undefined;

function tone(freq: number, start: number, ms: number, type: OscillatorType): void {
  ctx ??= new AudioContext();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = type;
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.25, ctx.currentTime + start);
  gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + start + ms / 1000);
  osc.connect(gain).connect(ctx.destination);
  osc.start(ctx.currentTime + start);
  osc.stop(ctx.currentTime + start + ms / 1000);
}

export function playDecision(decision: 'admit' | 'refuse'): void {
  try {
    if (decision === 'admit') {
      tone(880, 0, 120, 'sine');
      tone(1320, 0.14, 160, 'sine');
    } else {
      tone(196, 0, 650, 'square');
    }
  } catch {
    // No audio device (or autoplay not yet allowed): the screen still shows the state.
  }
}
