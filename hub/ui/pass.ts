/**
 * The pass page's behaviour: a live clock in the venue's time (a
 * screenshot shows a frozen one), the plain expired state once it expires
 * (no answer, no clock), and "I have left".
 */
const main = document.getElementById('pass')!;
// No clock on a pass that was already expired when served.
const clock = document.getElementById('clock');
const expires = Number(main.dataset.expires);
const offset = Number(main.dataset.offset ?? 480);
const texts = JSON.parse(main.dataset.texts ?? '{}') as Record<string, string>;

/** The clock runs until the pass expires; then the page shows only the expired state, and stops. */
function tick() {
  const now = Date.now();
  if (now >= expires) {
    document.body.classList.add('expired');
    clock?.remove();
    clearInterval(timer);
    return;
  }
  if (clock) clock.textContent = new Date(now + offset * 60_000).toISOString().slice(11, 19);
}
const timer = setInterval(tick, 1000);
tick();

const left = document.getElementById('left') as HTMLButtonElement | null;
left?.addEventListener('click', async () => {
  left.disabled = true;
  try {
    const res = await fetch(`/api/passes/${main.dataset.passId}/left`, { method: 'POST' });
    if (!res.ok) throw new Error(String(res.status));
    left.hidden = true;
    document.getElementById('left-done')!.hidden = false;
  } catch {
    left.disabled = false;
    left.textContent = texts.network ?? left.textContent;
  }
});
