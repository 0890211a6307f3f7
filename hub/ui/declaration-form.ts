import { toIsoWithOffset } from '../../shared/rules/time.js';

/**
 * The declaration a pass and a booking share, as the
 * server renders it (hub/src/pages/patron-page.ts declarationFields): add and
 * remove accompanying people, remember the answers on this phone
 * (localStorage, never sent anywhere else), and show the hub's field errors
 * where they belong. Each page script adds what it sends and where.
 */
const STORE_KEY = 'venue-checkin:declaration';

interface Saved {
  people: Record<string, string>[];
  phone?: string;
}

export interface DeclarationBody {
  people: Record<string, string>[];
  commitment: boolean;
  phone?: string;
}

export interface DeclarationForm {
  texts: Record<string, string>;
  clearErrors(): void;
  /** Marks the field's box (scrolls to it) or, without a field, says `message` under the form. */
  showError(field: string | undefined, message: string): void;
  /** The answers, or undefined after marking the first choice the page cannot send without. */
  read(): DeclarationBody | undefined;
  /** Keeps the answers for next time, once the hub took them. */
  remember(body: DeclarationBody): void;
  busy(on: boolean): void;
}

/** A datetime-local value is the phone's local time; send it as an instant with its offset. */
function instant(local: string): string | undefined {
  const ms = Date.parse(local);
  return Number.isNaN(ms) ? undefined : toIsoWithOffset(ms, -new Date(ms).getTimezoneOffset());
}

/** People as PersonDeclaration (shared/schemas/pass.ts) from the form's answers. */
export function declaredPeople(people: Record<string, string>[]): Record<string, string | undefined>[] {
  return people.map((p) => ({
    ...(p.label ? { label: p.label } : {}),
    healthCode: p.healthCode,
    itinerary: p.itinerary,
    ...(p.lastNegativeTestAt ? { lastNegativeTestAt: instant(p.lastNegativeTestAt) } : {}),
    ...(p.vaccination ? { vaccination: p.vaccination } : {}),
  }));
}

export function declarationForm(form: HTMLFormElement): DeclarationForm {
  const companions = document.getElementById('companions')!;
  const template = document.getElementById('companion-template') as HTMLTemplateElement;
  const texts = JSON.parse(form.dataset.texts ?? '{}') as Record<string, string>;
  const maxParty = Number(form.dataset.maxParty ?? 6);
  const submit = form.querySelector<HTMLButtonElement>('[type=submit]')!;
  const submitLabel = submit.textContent ?? '';
  const addButton = document.getElementById('add-companion')!;

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
    addButton.hidden = persons().length >= maxParty;
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
    addButton.hidden = persons().length >= maxParty;
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
    // A booking may take fewer people than a pass: the extra companions are not filled in.
    saved.people.forEach((values, i) => {
      const p = i === 0 ? persons()[0] : addCompanion();
      if (p) fillPerson(p, values);
    });
    if (saved.phone) (form.elements.namedItem('phone') as HTMLInputElement).value = saved.phone;
  }

  const api: DeclarationForm = {
    texts,
    clearErrors() {
      for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
      for (const el of form.querySelectorAll<HTMLElement>('[data-field] > .err, [data-field] .err')) el.textContent = '';
      document.getElementById('form-error')!.textContent = '';
    },
    showError(field, message) {
      const box = field ? form.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`) : null;
      if (box) {
        box.classList.add('invalid');
        box.querySelector('.err')!.textContent = message;
        box.scrollIntoView({ block: 'center' });
      }
      document.getElementById('form-error')!.textContent = box ? texts.fix ?? '' : message;
    },
    read() {
      const people = persons().map(readPerson);
      // Only the choices the page cannot send without; the hub checks everything.
      for (const [i, p] of people.entries()) {
        for (const f of ['healthCode', 'itinerary', 'vaccination']) {
          const required = form.querySelector(`[data-field="people.${i}.${f}"]`);
          if (required && !p[f]) {
            api.showError(`people.${i}.${f}`, texts.required ?? '');
            return undefined;
          }
        }
      }
      const phone = (form.elements.namedItem('phone') as HTMLInputElement).value.trim();
      return { people, commitment: (form.elements.namedItem('commitment') as HTMLInputElement).checked, ...(phone ? { phone } : {}) };
    },
    remember(body) {
      localStorage.setItem(STORE_KEY, JSON.stringify({ people: body.people, ...(body.phone ? { phone: body.phone } : {}) } satisfies Saved));
    },
    busy(on) {
      submit.disabled = on;
      submit.textContent = on ? texts.submitting ?? '' : submitLabel;
    },
  };

  addButton.addEventListener('click', () => addCompanion());
  document.getElementById('forget')!.addEventListener('click', () => {
    localStorage.removeItem(STORE_KEY);
    form.reset();
    for (const p of persons().slice(1)) p.remove();
    renumber();
  });
  restore();
  return api;
}
