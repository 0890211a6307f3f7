import { declarationForm, declaredPeople } from './declaration-form.js';

/**
 * The patron page's behaviour: the shared declaration
 * (declaration-form.ts), sent for the venue code scanned; the pass page next.
 */
const form = document.getElementById('declare') as HTMLFormElement;
const declaration = declarationForm(form);
const { texts } = declaration;

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  declaration.clearErrors();
  const answers = declaration.read();
  if (!answers) return;
  const body = {
    venueCode: form.dataset.venueCode,
    ticket: form.dataset.ticket,
    people: declaredPeople(answers.people),
    commitment: answers.commitment,
    ...(answers.phone ? { phone: answers.phone } : {}),
  };
  declaration.busy(true);
  try {
    const res = await fetch('/api/passes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = (await res.json()) as { url?: string; error?: { field?: string; message: string } };
    // 200: the form was sent before (a double tap, an answer lost on the way) and this is its pass.
    if ((res.status === 201 || res.status === 200) && data.url) {
      declaration.remember(answers);
      location.assign(data.url);
      return;
    }
    if (res.status === 410) return declaration.showError(undefined, texts.expired ?? '');
    declaration.showError(data.error?.field, data.error?.field ? texts.invalid ?? '' : data.error?.message ?? '');
  } catch {
    declaration.showError(undefined, texts.network ?? '');
  } finally {
    declaration.busy(false);
  }
});
