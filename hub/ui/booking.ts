import { bookingRefusal, cancelRefusal, retryAfterSeconds, type Refusal } from './booking-refusal.js';
import { declarationForm, declaredPeople } from './declaration-form.js';

/**
 * The booking pages' behaviour. On the booking link (/book/:venue):
 * the shared declaration (declaration-form.ts) plus the chosen slot, sent to
 * POST /api/bookings; a slot that filled meanwhile (409) is said and the
 * seats are refreshed from the page itself. On a booking (/booking/:id):
 * cancel, after a confirmation.
 */
const form = document.getElementById('book') as HTMLFormElement | null;
const booking = document.getElementById('booking');

interface ErrorAnswer {
  url?: string;
  error?: { code?: string; field?: string; message: string };
}

/**
 * The day's slots as the hub counts them now, and a fresh ticket: the same
 * page fetched again, its slot block swapped in (the answers typed stay).
 */
async function refreshSlots(form: HTMLFormElement): Promise<void> {
  try {
    const res = await fetch(location.href, { headers: { accept: 'text/html' } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const fresh = doc.getElementById('slots');
    const current = document.getElementById('slots');
    if (fresh && current) current.replaceWith(document.importNode(fresh, true));
    const ticket = (doc.getElementById('book') as HTMLFormElement | null)?.dataset.ticket;
    if (ticket) form.dataset.ticket = ticket;
  } catch {
    // The refusal is said either way; the next submit tries again.
  }
}

/** The refusal in the patron's words; never the hub's English message. */
function say(texts: Record<string, string>, refusal: Refusal, res?: Response): string {
  const seconds = res ? retryAfterSeconds(res.headers.get('retry-after'), Date.now()) ?? 60 : 60;
  return (texts[refusal.key] ?? texts.bookServerError ?? '').replace('{s}', String(seconds));
}

async function errorOf(res: Response): Promise<ErrorAnswer['error']> {
  try {
    return ((await res.json()) as ErrorAnswer).error;
  } catch {
    return undefined;
  }
}

if (form) {
  const declaration = declarationForm(form);
  const { texts } = declaration;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    declaration.clearErrors();
    const slot = form.querySelector<HTMLInputElement>('input[name=slotStart]:checked');
    if (!slot) return declaration.showError('slotStart', texts.chooseSlot ?? '');
    const answers = declaration.read();
    if (!answers) return;
    const body = {
      venueId: form.dataset.venueId,
      slotStart: Number(slot.value),
      ticket: form.dataset.ticket,
      people: declaredPeople(answers.people),
      commitment: answers.commitment,
      ...(answers.phone ? { phone: answers.phone } : {}),
    };
    declaration.busy(true);
    try {
      const res = await fetch('/api/bookings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status === 201) {
        const data = (await res.json()) as ErrorAnswer;
        if (data.url) {
          declaration.remember(answers);
          location.assign(data.url);
          return;
        }
      }
      const error = await errorOf(res);
      const refusal = bookingRefusal({ status: res.status, code: error?.code, field: error?.field });
      if (refusal.refresh) await refreshSlots(form);
      declaration.showError(refusal.field, say(texts, refusal, res));
    } catch {
      declaration.showError(undefined, texts.networkError ?? '');
    } finally {
      declaration.busy(false);
    }
  });
}

const cancel = document.getElementById('cancel') as HTMLButtonElement | null;
if (booking && cancel) {
  const texts = JSON.parse(booking.dataset.texts ?? '{}') as Record<string, string>;
  const error = document.getElementById('cancel-error')!;
  cancel.addEventListener('click', async () => {
    if (!window.confirm(texts.confirm ?? '')) return;
    cancel.disabled = true;
    error.textContent = '';
    try {
      const res = await fetch(`/api/bookings/${booking.dataset.bookingId}/cancel`, { method: 'POST' });
      if (res.ok) {
        // The page as the hub now has it: cancelled, QR gone.
        location.reload();
        return;
      }
      const answer = await errorOf(res);
      error.textContent = say(texts, cancelRefusal({ status: res.status, code: answer?.code, field: answer?.field }), res);
    } catch {
      error.textContent = texts.networkError ?? '';
    }
    cancel.disabled = false;
  });
}
