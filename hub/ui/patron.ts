import { toIsoWithOffset } from '../../shared/rules/time.js';

/**
 * The patron page's behaviour (issue 5): add and remove accompanying people,
 * remember the answers on this phone (localStorage, never sent anywhere else),
 * send the declaration, and show the hub's field errors where they belong.
 */
const STORE_KEY = 'venue-checkin:declaration';

interface Saved {
  people: Record<string, string>[];
  phone?: string;
}

const form = document.getElementById('declare') as HTMLFormElement;
const companions = document.getElementById('companions')!;
const template = document.getElementById('companion-template') as HTMLTemplateElement;
const texts = JSON.parse(form.dataset.texts ?? '{}') as Record<string, string>;
const maxParty = Number(form.dataset.maxParty ?? 6);
const submit = form.querySelector<HTMLButtonElement>('[type=submit]')!;
const submitLabel = submit.textContent ?? '';

const persons = () => [...form.querySelectorAll<HTMLFieldSetElement>('fieldset.person')];

function addCompanion(): HTMLFieldSetElement | undefined {
  if (persons().length >= maxParty) return undefined;
  const i = String(persons().length);
  const node = template.content.firstElementChild!.cloneNode(true) as HTMLFieldSetElement;
  node.dataset.index = i;
  for (const el of node.querySelectorAll<HTMLElement>('[name], [data-field]')) {
    for (const attr of ['name', 'data-field']) {
      const v = el.getAttribute(attr);
      if (v) el.setAttribute(attr, v.replace('__i__', i));
    }
  }
  node.querySelector('.remove')!.addEventListener('click', () => {
    node.remove();
    renumber();
  });
  companions.append(node);
  document.getElementById('add-companion')!.hidden = persons().length >= maxParty;
  return node;
}

/** After a removal, people.N names follow the order on screen again. */
function renumber() {
  persons().forEach((p, i) => {
    for (const el of p.querySelectorAll<HTMLElement>('[name], [data-field]')) {
      for (const attr of ['name', 'data-field']) {
        const v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/^people\.\d+\./, `people.${i}.`));
      }
    }
    p.dataset.index = String(i);
  });
  document.getElementById('add-companion')!.hidden = persons().length >= maxParty;
}

function readPerson(p: HTMLFieldSetElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const el of p.querySelectorAll<HTMLInputElement>('input[name]')) {
    const key = el.name.split('.').pop()!;
    if ((el.type === 'radio' && el.checked) || (el.type !== 'radio' && el.value.trim() !== '')) out[key] = el.value.trim();
  }
  return out;
}

function fillPerson(p: HTMLFieldSetElement, values: Record<string, string>) {
  for (const el of p.querySelectorAll<HTMLInputElement>('input[name]')) {
    const v = values[el.name.split('.').pop()!];
    if (v === undefined) continue;
    if (el.type === 'radio') el.checked = el.value === v;
    else el.value = v;
  }
}

function restore() {
  let saved: Saved | undefined;
  try {
    saved = JSON.parse(localStorage.getItem(STORE_KEY) ?? 'null') as Saved | undefined;
  } catch {
    saved = undefined;
  }
  if (!saved || !Array.isArray(saved.people)) return;
  saved.people.forEach((values, i) => {
    const p = i === 0 ? persons()[0] : addCompanion();
    if (p) fillPerson(p, values);
  });
  if (saved.phone) (form.elements.namedItem('phone') as HTMLInputElement).value = saved.phone;
}

function clearErrors() {
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
  for (const el of form.querySelectorAll<HTMLElement>('[data-field] > .err, [data-field] .err')) el.textContent = '';
  document.getElementById('form-error')!.textContent = '';
}

function showError(field: string | undefined, message: string) {
  const box = field ? form.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`) : null;
  if (box) {
    box.classList.add('invalid');
    box.querySelector('.err')!.textContent = message;
    box.scrollIntoView({ block: 'center' });
  }
  document.getElementById('form-error')!.textContent = box ? texts.fix ?? '' : message;
}

/** A datetime-local value is the phone's local time; send it as an instant with its offset. */
function instant(local: string): string | undefined {
  const ms = Date.parse(local);
  return Number.isNaN(ms) ? undefined : toIsoWithOffset(ms, -new Date(ms).getTimezoneOffset());
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors();
  const people = persons().map(readPerson);
  // Only the choices the page cannot send without; the hub checks everything.
  for (const [i, p] of people.entries()) {
    for (const f of ['healthCode', 'itinerary', 'vaccination']) {
      const required = form.querySelector(`[data-field="people.${i}.${f}"]`);
      if (required && !p[f]) return showError(`people.${i}.${f}`, texts.required ?? '');
    }
  }
  const phone = (form.elements.namedItem('phone') as HTMLInputElement).value.trim();
  const body = {
    venueCode: form.dataset.venueCode,
    ticket: form.dataset.ticket,
    people: people.map((p) => ({
      ...(p.label ? { label: p.label } : {}),
      healthCode: p.healthCode,
      itinerary: p.itinerary,
      ...(p.lastNegativeTestAt ? { lastNegativeTestAt: instant(p.lastNegativeTestAt) } : {}),
      ...(p.vaccination ? { vaccination: p.vaccination } : {}),
    })),
    commitment: (form.elements.namedItem('commitment') as HTMLInputElement).checked,
    ...(phone ? { phone } : {}),
  };
  submit.disabled = true;
  submit.textContent = texts.submitting ?? '';
  try {
    const res = await fetch('/api/passes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = (await res.json()) as { url?: string; error?: { field?: string; message: string } };
    if (res.status === 201 && data.url) {
      localStorage.setItem(STORE_KEY, JSON.stringify({ people, ...(phone ? { phone } : {}) } satisfies Saved));
      location.assign(data.url);
      return;
    }
    if (res.status === 410) return showError(undefined, texts.expired ?? '');
    showError(data.error?.field, data.error?.field ? texts.invalid ?? '' : data.error?.message ?? '');
  } catch {
    showError(undefined, texts.network ?? '');
  } finally {
    submit.disabled = false;
    submit.textContent = submitLabel;
  }
});

document.getElementById('add-companion')!.addEventListener('click', () => addCompanion());
document.getElementById('forget')!.addEventListener('click', () => {
  localStorage.removeItem(STORE_KEY);
  form.reset();
  for (const p of persons().slice(1)) p.remove();
  renumber();
});
restore();
