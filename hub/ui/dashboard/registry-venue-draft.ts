import { DEFAULT_ENTRANCE, type RegistryVenue } from '../../../shared/schemas/registry.js';
import { t } from './i18n.js';

/**
 * The venue form's model: what the inputs hold, as typed, and the
 * API body made from it, which the shared schema then judges. Kept apart from
 * the element so the form is about layout and the conversation with the hub.
 */
export interface Draft {
  id: string;
  communityId: string;
  name: string;
  type: string;
  address: string;
  ratedCapacity: string;
  alwaysOpen: boolean;
  open: string;
  close: string;
  utcOffsetMinutes: string;
  officers: Record<OfficerRole, { name: string; phone: string }>;
  entrances: { id?: string; name: string; kiosks: number; inUse: boolean }[];
}

export type OfficerRole = 'prevention' | 'disinfection';

export const toDraft = (v: RegistryVenue | undefined, communityId: string): Draft => ({
  id: v?.id ?? '',
  communityId: v?.communityId ?? communityId,
  name: v?.name ?? '',
  type: v?.type ?? '',
  address: v?.address ?? '',
  ratedCapacity: v ? String(v.ratedCapacity) : '',
  alwaysOpen: v ? v.openingHours === null : false,
  open: v?.openingHours?.open ?? '09:00',
  close: v?.openingHours?.close ?? '22:00',
  utcOffsetMinutes: String(v?.utcOffsetMinutes ?? 480),
  officers: {
    prevention: { name: v?.officers.prevention?.name ?? '', phone: v?.officers.prevention?.phone ?? '' },
    disinfection: { name: v?.officers.disinfection?.name ?? '', phone: v?.officers.disinfection?.phone ?? '' },
  },
  entrances: v ? v.entrances.map((e) => ({ ...e })) : [{ name: DEFAULT_ENTRANCE, kiosks: 0, inUse: false }],
});

/** The body the API takes, from what was typed (`editing`: the id is in the path, not the body). */
export function draftBody(d: Draft, editing: boolean) {
  const officer = (o: { name: string; phone: string }) => (o.name.trim() || o.phone.trim() ? { name: o.name, phone: o.phone } : undefined);
  const number = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const officers: Partial<Record<OfficerRole, { name: string; phone: string }>> = {};
  for (const role of ['prevention', 'disinfection'] as const) {
    const o = officer(d.officers[role]);
    if (o) officers[role] = o;
  }
  return {
    ...(editing || d.id.trim() === '' ? {} : { id: d.id.trim() }),
    communityId: d.communityId,
    name: d.name,
    type: d.type === '' ? undefined : d.type,
    address: d.address,
    ratedCapacity: number(d.ratedCapacity),
    openingHours: d.alwaysOpen ? null : { open: d.open, close: d.close },
    utcOffsetMinutes: number(d.utcOffsetMinutes),
    officers,
    entrances: d.entrances.map((e) => (e.id ? { id: e.id, name: e.name } : { name: e.name })),
  };
}

const OFFICER_TITLE = { prevention: 'officerPrevention', disinfection: 'officerDisinfection' } as const;

/** What the form calls the field at a schema path (`officers.prevention.phone` → 防控专员电话), for its error text. */
export function fieldLabel(path: string): string {
  const [top, second, third] = path.split('.');
  switch (top) {
    case 'id':
      return t('regVenueId');
    case 'communityId':
      return t('community');
    case 'name':
      return t('regName');
    case 'type':
      return t('regType');
    case 'address':
      return t('address');
    case 'ratedCapacity':
      return t('ratedCapacity');
    case 'openingHours':
      return second === 'open' ? t('regOpens') : second === 'close' ? t('regCloses') : t('openingHours');
    case 'utcOffsetMinutes':
      return t('regUtcOffset');
    case 'officers': {
      const officer = second === 'prevention' || second === 'disinfection' ? t(OFFICER_TITLE[second]) : '';
      return third === 'phone' ? t('regOfficerField', { officer, field: t('regPhone') }) : third === 'name' ? t('regOfficerField', { officer, field: t('regOfficerName') }) : officer;
    }
    case 'entrances':
      return second === undefined ? t('regEntrances') : t('regEntranceN', { n: Number(second) + 1 });
    default:
      return path;
  }
}

/** Fields that are a choice in the form: a missing one reads "choose", not "fill in". */
export const isChoice = (path: string) => path === 'type' || path === 'communityId';
