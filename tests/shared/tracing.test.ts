import { describe, expect, it } from 'vitest';
import { MAX_STAY_MS, candidateFrom, matchBooking, matchPass, matchingVisits, overlaps, presenceFrom } from '../../shared/rules/tracing.js';
import { TracingQuery } from '../../shared/schemas/tracing.js';

const H = 60 * 60_000;
const M = 60_000;
const T = Date.UTC(2026, 10, 23, 2, 0); // 10:00 at the venue
const STAY = 2 * H;

describe('presenceFrom (003 §25: who was at the venue, and until when)', () => {
  it.each([
    { name: 'no "I have left": the assumed stay', start: T, left: null, stay: STAY, want: { start: T, end: T + STAY, endKnown: false } },
    { name: 'left 40 minutes later: known', start: T, left: T + 40 * M, stay: STAY, want: { start: T, end: T + 40 * M, endKnown: true } },
    { name: 'left after the assumed stay: the patron says so', start: T, left: T + 5 * H, stay: STAY, want: { start: T, end: T + 5 * H, endKnown: true } },
    { name: 'left at the very minute of entry', start: T, left: T, stay: STAY, want: { start: T, end: T, endKnown: true } },
    { name: '"left" before this entry (tapped before the door): assumed', start: T, left: T - M, stay: STAY, want: { start: T, end: T + STAY, endKnown: false } },
    { name: '"left" exactly 24 h later: believed', start: T, left: T + MAX_STAY_MS, stay: STAY, want: { start: T, end: T + MAX_STAY_MS, endKnown: true } },
    { name: '"left" a millisecond past 24 h: cut, not called known', start: T, left: T + MAX_STAY_MS + 1, stay: STAY, want: { start: T, end: T + MAX_STAY_MS, endKnown: false } },
    { name: '"left" two days later: forgot, cut to 24 h and not called known', start: T, left: T + 48 * H, stay: STAY, want: { start: T, end: T + MAX_STAY_MS, endKnown: false } },
    { name: 'an assumed stay beyond 24 h is held to 24 h', start: T, left: null, stay: 30 * H, want: { start: T, end: T + MAX_STAY_MS, endKnown: false } },
    { name: 'zero stay: a point', start: T, left: null, stay: 0, want: { start: T, end: T, endKnown: false } },
  ])('$name', ({ start, left, stay, want }) => {
    expect(presenceFrom(start, left, stay)).toEqual(want);
  });
});

describe('overlaps: start ≤ to and end ≥ from, both ends inclusive', () => {
  const w = { from: T, to: T + H };
  it.each([
    { name: 'inside', p: { start: T + 10 * M, end: T + 20 * M }, want: true },
    { name: 'covers the window', p: { start: T - H, end: T + 2 * H }, want: true },
    { name: 'ends at the window start', p: { start: T - H, end: T }, want: true },
    { name: 'starts at the window end', p: { start: T + H, end: T + 2 * H }, want: true },
    { name: 'ends a millisecond before', p: { start: T - H, end: T - 1 }, want: false },
    { name: 'starts a millisecond after', p: { start: T + H + 1, end: T + 2 * H }, want: false },
  ])('$name → $want', ({ p, want }) => {
    expect(overlaps(p, w)).toBe(want);
  });
});

describe('matchingVisits', () => {
  const visits = [
    { venueId: 'a', from: T, to: T + H },
    { venueId: 'b', from: T, to: T + H },
    { venueId: 'a', from: T + 30 * M, to: T + 3 * H },
    { venueId: 'a', from: T + 10 * H, to: T + 11 * H },
  ];
  it('names every visit at the same venue the presence overlaps, and none at another venue', () => {
    expect(matchingVisits('a', { start: T + 40 * M, end: T + 50 * M, endKnown: true }, visits)).toEqual([0, 2]);
    expect(matchingVisits('b', { start: T + 40 * M, end: T + 50 * M, endKnown: true }, visits)).toEqual([1]);
    expect(matchingVisits('c', { start: T, end: T + H, endKnown: false }, visits)).toEqual([]);
  });
});

describe('matchPass: a pass is one party, reported once', () => {
  const visit = [{ venueId: 'a', from: T + 3 * H, to: T + 4 * H }];
  it.each([
    {
      name: 'no record: issued and not left, assumed stay reaches the window',
      pass: { issuedAt: T + 90 * M, leftAt: null },
      records: [],
      want: { visits: [0], presence: { start: T + 90 * M, end: T + 90 * M + STAY, endKnown: false } },
    },
    {
      name: 'no record: left before the window',
      pass: { issuedAt: T + 2 * H, leftAt: T + 2 * H + 50 * M },
      records: [],
      want: { visits: [], presence: { start: T + 2 * H, end: T + 2 * H + 50 * M, endKnown: true } },
    },
    {
      name: 'records decide, not the issue time: issued long before, admitted inside the window',
      pass: { issuedAt: T - 10 * H, leftAt: null },
      records: [T + 3 * H + 5 * M],
      want: { visits: [0], presence: { start: T + 3 * H + 5 * M, end: T + 5 * H + 5 * M, endKnown: false } },
    },
    {
      name: 'two people admitted minutes apart, left together: the hull, end known',
      pass: { issuedAt: T + 3 * H, leftAt: T + 3 * H + 45 * M },
      records: [T + 3 * H + 2 * M, T + 3 * H + 4 * M],
      want: { visits: [0], presence: { start: T + 3 * H + 2 * M, end: T + 3 * H + 45 * M, endKnown: true } },
    },
    {
      name: 'people admitted hours apart: each judged on their own (the gap between them is not presence)',
      pass: { issuedAt: T, leftAt: null },
      records: [T, T + 6 * H],
      want: { visits: [], presence: { start: T, end: T + 8 * H, endKnown: false } },
    },
  ])('$name', ({ pass, records, want }) => {
    expect(matchPass('a', pass, records, STAY, visit)).toEqual(want);
  });
});

describe('matchPass: the party\'s records in any order', () => {
  const visits = [
    { venueId: 'a', from: T + 7 * H, to: T + 8 * H },
    { venueId: 'a', from: T, to: T + 30 * M },
  ];
  it('lists the visits in order and shows the same hull whatever order the records come in', () => {
    // Left at 11:00 (known for the 10:00 record); the 16:00 record is after it: its stay is assumed.
    const pass = { issuedAt: T, leftAt: T + H };
    const want = { visits: [0, 1], presence: { start: T, end: T + 6 * H + STAY, endKnown: false } };
    expect(matchPass('a', pass, [T, T + 6 * H], STAY, visits)).toEqual(want);
    expect(matchPass('a', pass, [T + 6 * H, T], STAY, visits)).toEqual(want);
  });
  it('shows the known end when it is the latest', () => {
    const pass = { issuedAt: T, leftAt: T + 7 * H };
    const want = { visits: [0, 1], presence: { start: T, end: T + 7 * H, endKnown: true } };
    expect(matchPass('a', pass, [T + 5 * H, T], STAY, visits)).toEqual(want);
  });
});

describe('matchBooking: a booking nobody was recorded on stands for its slot', () => {
  const slot = { start: T + H, end: T + 2 * H };
  const visits = [
    { venueId: 'a', from: T + 2 * H, to: T + 3 * H },
    { venueId: 'a', from: T + 3 * H + M, to: T + 4 * H },
    { venueId: 'b', from: T, to: T + 4 * H },
  ];
  it('with no record: the slot is the presence, its end assumed', () => {
    expect(matchBooking('a', slot, [], STAY, visits)).toEqual({ visits: [0], presence: { start: T + H, end: T + 2 * H, endKnown: false } });
  });
  it('with records: the records decide, each with the assumed stay', () => {
    expect(matchBooking('a', slot, [T + H + 10 * M], STAY, visits)).toEqual({ visits: [0, 1], presence: { start: T + H + 10 * M, end: T + 3 * H + 10 * M, endKnown: false } });
  });
  it('a booking at another venue than the visits matches none of them', () => {
    expect(matchBooking('c', slot, [], STAY, visits).visits).toEqual([]);
  });
});

describe('candidateFrom', () => {
  it('reaches back far enough for any presence that can still end inside the window', () => {
    const from = T;
    for (const [start, left] of [
      [from - MAX_STAY_MS, null],
      [from - MAX_STAY_MS, from + H],
      [from - MAX_STAY_MS + 1, null],
    ] as const) {
      const p = presenceFrom(start, left, MAX_STAY_MS);
      if (p.end >= from) expect(start).toBeGreaterThanOrEqual(candidateFrom(from));
    }
    expect(presenceFrom(candidateFrom(from) - 1, from + H, STAY).end).toBeLessThan(from);
  });
});

describe('TracingQuery', () => {
  const ok = { visits: [{ venueId: 'venue-a', from: T, to: T + H }], reason: '确诊病例 2026-118 流调' };
  it('takes a valid query, with the default stay and the reason trimmed', () => {
    expect(TracingQuery.parse({ ...ok, reason: '  确诊病例 2026-118 流调 ' })).toEqual({ ...ok, stayMinutes: 120 });
  });
  it.each([
    { name: 'no reason', body: { visits: ok.visits }, field: 'reason' },
    { name: 'a blank reason', body: { ...ok, reason: '   ' }, field: 'reason' },
    { name: 'a too short reason', body: { ...ok, reason: '查' }, field: 'reason' },
    { name: 'no visit', body: { ...ok, visits: [] }, field: 'visits' },
    { name: '21 visits', body: { ...ok, visits: Array.from({ length: 21 }, () => ok.visits[0]) }, field: 'visits' },
    { name: 'to before from', body: { ...ok, visits: [ok.visits[0], { venueId: 'venue-a', from: T, to: T - 1 }] }, field: 'visits.1.to' },
    { name: 'a window of 15 days', body: { ...ok, visits: [{ venueId: 'venue-a', from: T, to: T + 15 * 24 * H }] }, field: 'visits.0.to' },
    { name: 'a venue id that is no id', body: { ...ok, visits: [{ venueId: "a' OR 1=1", from: T, to: T + H }] }, field: 'visits.0.venueId' },
    { name: 'a stay beyond 24 h', body: { ...ok, stayMinutes: 24 * 60 + 1 }, field: 'stayMinutes' },
    { name: 'an unknown key', body: { ...ok, phone: '13912345678' }, field: '' },
  ])('refuses $name, naming the field', ({ body, field }) => {
    const res = TracingQuery.safeParse(body);
    expect(res.success).toBe(false);
    expect(res.error!.issues[0]!.path.join('.')).toBe(field);
  });
});
