import { declarationForm, declaredPeople } from './declaration-form.js';

/**
 * The booking pages' behaviour (issue 8). On the booking link (/book/:venue):
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

/** The day's slots as the hub counts them now: the same page fetched again, its slot block swapped in. */
async function refreshSlots(): Promise<void> {
  const res = await fetch(location.href, { headers: { accept: 'text/html' } });
  if (!res.ok) return;
  const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('slots');
  const current = document.getElementById('slots');
  if (fresh && current) current.replaceWith(document.importNode(fresh, true));
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
      const data = (await res.json()) as ErrorAnswer;
      if (res.status === 201 && data.url) {
        declaration.remember(answers);
        location.assign(data.url);
        return;
      }
      if (res.status === 409 && data.error?.field === 'slotStart') {
        await refreshSlots();
        return declaration.showError('slotStart', texts.full ?? '');
      }
      if (res.status === 410) return declaration.showError(undefined, texts.expired ?? '');
      // A field the hub names is marked there; its English reason is for logs, the page says it in the patron's words.
      declaration.showError(data.error?.field, data.error?.field ? texts.invalid ?? '' : data.error?.message ?? '');
    } catch {
      declaration.showError(undefined, texts.network ?? '');
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
      error.textContent = res.status === 409 ? texts.started ?? '' : ((await res.json()) as ErrorAnswer).error?.message ?? '';
    } catch {
      error.textContent = texts.network ?? '';
    }
    cancel.disabled = false;
  });
}
