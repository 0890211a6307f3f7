/**
 * The pass page's behaviour: a live clock in the venue's time (a
 * screenshot shows a frozen one), the pass greyed out once expired, and
 * "I have left".
 */
const main = document.getElementById('pass')!;
const clock = document.getElementById('clock')!;
const expires = Number(main.dataset.expires);
const offset = Number(main.dataset.offset ?? 480);
const texts = JSON.parse(main.dataset.texts ?? '{}') as Record<string, string>;

function tick() {
  const now = Date.now();
  clock.textContent = new Date(now + offset * 60_000).toISOString().slice(11, 19);
  document.body.classList.toggle('expired', now >= expires);
}
tick();
setInterval(tick, 1000);

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
