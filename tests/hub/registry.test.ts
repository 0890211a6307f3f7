import { describe, expect } from 'vitest';
import type { VenueProfile } from '../../shared/schemas/enrolment.js';
import { MAX_IMPORT_BYTES, MAX_IMPORT_LINES, MAX_IMPORT_ROWS, type ImportReport, type RegistryVenue } from '../../shared/schemas/registry.js';
import { connectKiosk, enrolKiosk, type KioskClient, type TestHub } from '../support/hub.js';
import { hubTest } from '../support/hub-test.js';
import { inspectorSession } from '../support/inspector.js';
import { encodeGbk } from './registry-gbk.js';

const PASSWORD = 'a long enough password';

/** The street admin and an inspector of the seeded community, logged in over the hub's own HTTP. */
async function sessions(hub: TestHub) {
  await hub.store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
  await hub.store.accounts.create({ name: 'inspector', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, Date.now());
  const admin = inspectorSession(hub.url);
  await admin.login('admin', PASSWORD);
  const inspector = inspectorSession(hub.url);
  await inspector.login('inspector', PASSWORD);
  return { admin, inspector };
}

type Session = ReturnType<typeof inspectorSession>;

/** Uploads a file's bytes as the dashboard does: raw body, the session cookie and a CSRF token. */
async function upload(hub: TestHub, session: Session, query: string, bytes: Uint8Array<ArrayBuffer>, type = 'text/csv'): Promise<{ status: number; body: any }> {
  const token = (await session.get('/api/auth/csrf')).json().token as string;
  const cookie = Object.entries(session.cookies())
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const res = await fetch(`${hub.url}/api/registry/import?${query}`, { method: 'POST', headers: { 'content-type': type, cookie, 'x-csrf-token': token }, body: bytes });
  return { status: res.status, body: await res.json() };
}

/**
 * The first venue:profile that satisfies `pred`: the hub also sends the profile when a kiosk
 * connects, which may arrive after the test has begun waiting for the one an edit sends.
 */
function profileWhere(socket: KioskClient, pred: (p: VenueProfile) => boolean): Promise<VenueProfile> {
  return new Promise((resolve) => {
    const on = (p: VenueProfile) => {
      if (!pred(p)) return;
      socket.off('venue:profile', on);
      resolve(p);
    };
    socket.on('venue:profile', on);
  });
}

/** A download's bytes as they are (Response.text() would drop the BOM the test looks for). */
async function download(hub: TestHub, session: Session, path: string): Promise<{ status: number; headers: Headers; bytes: Uint8Array<ArrayBuffer> }> {
  const cookie = Object.entries(session.cookies())
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const res = await fetch(`${hub.url}${path}`, { headers: { cookie } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const utf8 = (lines: string[]) => new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);

const NEW_VENUE = {
  communityId: 'c-venue-a',
  name: '新华网吧',
  type: 'internet_cafe',
  address: '新华路5号',
  ratedCapacity: 80,
  openingHours: { open: '10:00', close: '02:00' },
  officers: { prevention: { name: '钱伟', phone: '13900000002' }, disinfection: { name: '孙丽', phone: '13900000003' } },
  entrances: [{ name: '正门' }, { name: '侧门' }],
};

async function communityVenues(session: Session, communityId: string): Promise<RegistryVenue[]> {
  const res = await session.get(`/api/registry/venues?communityId=${communityId}`);
  expect(res.statusCode).toBe(200);
  return res.json().items;
}

describe('venue registry API', () => {
  hubTest('creates a venue with a hub-assigned id, its entrances, officers and door staff; PINs are never shown back nor logged', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const created = await admin.post('/api/registry/venues', NEW_VENUE);
    expect(created.statusCode).toBe(201);
    const venue: RegistryVenue = created.json();
    expect(venue).toMatchObject({ id: 'c-venue-a-1', communityName: '测试社区', utcOffsetMinutes: 480, ratedCapacity: 80, openingHours: { open: '10:00', close: '02:00' } });
    expect(venue.entrances).toEqual([
      { id: 'c-venue-a-1-1', name: '正门', kiosks: 0, inUse: false },
      { id: 'c-venue-a-1-2', name: '侧门', kiosks: 0, inUse: false },
    ]);
    const staff = await admin.post(`/api/registry/venues/${venue.id}/staff`, { name: '周杰', role: '门岗', pin: '482913' });
    expect(staff.statusCode).toBe(201);
    expect(staff.json()).toEqual({ id: `${venue.id}-staff-1`, name: '周杰', role: '门岗', active: true });
    const again = await admin.get(`/api/registry/venues/${venue.id}`);
    expect(again.json().staff).toEqual([staff.json()]);
    expect(again.body).not.toContain('482913');
    // The kiosk's profile carries only the salted hash.
    const profile = await hub.store.venues.profile(venue.id);
    expect(profile?.staff[0]).toMatchObject({ name: '周杰', pinSalt: expect.any(String), pinHash: expect.any(String) });
    const audit = await hub.store.audit.list({ limit: 50 });
    expect(audit.map((a) => [a.action, a.target, a.accountName])).toEqual(
      expect.arrayContaining([
        ['venue_create', venue.id, 'admin'],
        ['staff_add', venue.id, 'admin'],
      ]),
    );
    expect(JSON.stringify(audit)).not.toContain('482913');
    // And a new community is listed with its venues.
    const community = await admin.post('/api/registry/communities', { name: '安乐社区' });
    expect(community.statusCode).toBe(201);
    expect((await admin.get('/api/registry/communities')).json().items).toEqual([
      { id: community.json().id, name: '安乐社区', venues: 0 },
      { id: 'c-venue-a', name: '测试社区', venues: 2 },
    ]);
  });

  hubTest('answers a bad venue with 400 naming the field, an unknown community with 404, a taken id with 409', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const cases: [unknown, string][] = [
      [{ ...NEW_VENUE, ratedCapacity: -1 }, 'ratedCapacity'],
      [{ ...NEW_VENUE, type: 'nightclub' }, 'type'],
      [{ ...NEW_VENUE, entrances: [] }, 'entrances'],
      [{ ...NEW_VENUE, entrances: [{ name: '正门' }, { name: '正门' }] }, 'entrances.1.name'],
      [{ ...NEW_VENUE, entrances: [{ name: '东门;西门' }] }, 'entrances.0.name'],
      [{ ...NEW_VENUE, officers: { prevention: { name: '', phone: '1' } } }, 'officers.prevention.name'],
      // A number-formatted Excel cell pasted into the form.
      [{ ...NEW_VENUE, officers: { prevention: { name: '钱伟', phone: '1.39E+10' } } }, 'officers.prevention.phone'],
      [{ ...NEW_VENUE, officers: { disinfection: { name: '孙丽', phone: '12345' } } }, 'officers.disinfection.phone'],
      [{ ...NEW_VENUE, openingHours: { open: '25:00', close: '02:00' } }, 'openingHours.open'],
      [{ ...NEW_VENUE, id: 'has space' }, 'id'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/api/registry/venues', body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error, field).toMatchObject({ code: 'invalid', field });
    }
    const unknown = await admin.post('/api/registry/venues', { ...NEW_VENUE, communityId: 'nowhere' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'not_found', field: 'communityId' });
    const taken = await admin.post('/api/registry/venues', { ...NEW_VENUE, id: 'venue-a' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'conflict', field: 'id' });
    const staff = await admin.post('/api/registry/venues/venue-a/staff', { name: '周杰', role: '门岗', pin: '12' });
    expect(staff.json().error).toMatchObject({ code: 'invalid', field: 'pin' });
    expect(await hub.store.venues.count()).toBe(1);
  });

  hubTest('is the street admin\'s only: an inspector gets 403, nobody logged in 401, a POST without CSRF token 403', async ({ hub }) => {
    const { admin, inspector } = await sessions(hub);
    const anonymous = inspectorSession(hub.url);
    const gets = ['/api/registry/communities', '/api/registry/venues', '/api/registry/venues/venue-a', '/api/registry/export.csv?communityId=c-venue-a'];
    const posts: [string, unknown][] = [
      ['/api/registry/communities', { name: '安乐社区' }],
      ['/api/registry/communities/c-venue-a', { name: '改名' }],
      ['/api/registry/venues', NEW_VENUE],
      ['/api/registry/venues/venue-a', { ...NEW_VENUE, entrances: [{ id: 'venue-a-1', name: '正门' }] }],
      ['/api/registry/venues/venue-a/staff', { name: '周杰', role: '门岗', pin: '1234' }],
      ['/api/registry/venues/venue-a/staff/venue-a-staff-1', { active: false }],
    ];
    for (const path of gets) {
      expect((await inspector.get(path)).statusCode, path).toBe(403);
      expect((await anonymous.get(path)).statusCode, path).toBe(401);
    }
    for (const [path, body] of posts) {
      expect((await inspector.post(path, body)).statusCode, path).toBe(403);
      expect((await anonymous.post(path, body)).statusCode, path).toBe(401);
      expect((await admin.post(path, body, false)).statusCode, path).toBe(403);
    }
    const file = utf8(['场所名称,场所类型,核定人数', '甲,ktv,10']);
    expect((await upload(hub, inspector, 'communityId=c-venue-a', file)).status).toBe(403);
    expect(await hub.store.venues.count()).toBe(1);
    expect((await hub.store.venues.get('venue-a'))?.name).toBe('测试KTV');
    expect((await hub.store.audit.list({ limit: 50 })).filter((a) => a.action.startsWith('venue_') || a.action.startsWith('staff_'))).toEqual([]);
  });

  hubTest('an edit reaches the venue\'s connected kiosk as venue:profile: capacity, entrances, officers and door staff', async ({ hub, socket }) => {
    const { admin } = await sessions(hub);

    const before: RegistryVenue = (await admin.get('/api/registry/venues/venue-a')).json();
    expect(before.entrances).toEqual([{ id: 'venue-a-1', name: '正门', kiosks: 1, inUse: true }]);
    const edit = {
      communityId: 'c-venue-a',
      name: '测试KTV（新店）',
      type: 'ktv',
      address: '测试路1号',
      ratedCapacity: 60,
      openingHours: { open: '18:00', close: '02:00' },
      officers: { prevention: { name: '赵敏', phone: '13800000009' } },
      entrances: [{ id: 'venue-a-1', name: '北门' }, { name: '南门' }],
    };
    const pushed = profileWhere(socket, (p) => p.ratedCapacity === 60);
    const res = await admin.post('/api/registry/venues/venue-a', edit);
    expect(res.statusCode).toBe(200);
    const profile = await pushed;
    expect(profile).toMatchObject({ id: 'venue-a', name: '测试KTV（新店）', ratedCapacity: 60, openingHours: { open: '18:00', close: '02:00' }, officers: edit.officers });
    expect(profile.entrances.map((e) => e.name).sort()).toEqual(['北门', '南门']);

    // A new door staff member can start a shift; a deactivated one no longer can.
    const added = profileWhere(socket, (p) => p.staff.some((s) => s.name === '周杰'));
    expect((await admin.post('/api/registry/venues/venue-a/staff', { name: '周杰', role: '门岗', pin: '9876' })).statusCode).toBe(201);
    expect((await added).staff.map((s) => s.name)).toContain('周杰');
    const removed = profileWhere(socket, (p) => !p.staff.some((s) => s.id === 'venue-a-staff-1'));
    expect((await admin.post('/api/registry/venues/venue-a/staff/venue-a-staff-1', { active: false, pin: '4321' })).json()).toEqual({ id: 'venue-a-staff-1', name: '王芳', role: '门岗', active: false });
    expect((await removed).staff.map((s) => s.id)).not.toContain('venue-a-staff-1');
    expect(JSON.stringify(await hub.store.audit.list({ limit: 50 }))).not.toContain('4321');

    // The entrance with a kiosk cannot go; the unused one can. A venue stays in its community.
    const south = (res.json() as RegistryVenue).entrances.find((e) => e.name === '南门')!;
    const drop = await admin.post('/api/registry/venues/venue-a', { ...edit, entrances: [{ id: south.id, name: '南门' }] });
    expect(drop.statusCode).toBe(409);
    expect(drop.json().error).toMatchObject({ code: 'conflict', field: 'entrances', message: expect.stringContaining('北门') });
    // Saving what is there changes nothing: no write, no audit entry, no push.
    const audits = (await hub.store.audit.list({ limit: 50 })).length;
    const same = await admin.post('/api/registry/venues/venue-a', { ...edit, entrances: (res.json() as RegistryVenue).entrances.map(({ id, name }) => ({ id, name })) });
    expect(same.json().updatedAt).toBe((res.json() as RegistryVenue).updatedAt);
    expect((await hub.store.audit.list({ limit: 50 })).length).toBe(audits);
    const keep = await admin.post('/api/registry/venues/venue-a', { ...edit, entrances: [{ id: 'venue-a-1', name: '北门' }] });
    expect(keep.json().entrances).toEqual([{ id: 'venue-a-1', name: '北门', kiosks: 1, inUse: true }]);
    await admin.post('/api/registry/communities', { id: 'c-other', name: '安乐社区' });
    const move = await admin.post('/api/registry/venues/venue-a', { ...edit, communityId: 'c-other', entrances: [{ id: 'venue-a-1', name: '北门' }] });
    expect(move.statusCode).toBe(409);
    expect(move.json().error).toMatchObject({ field: 'communityId' });
    const update = (await hub.store.audit.list({ limit: 50 })).filter((a) => a.action === 'venue_update').at(-1)!;
    expect(update).toMatchObject({ accountName: 'admin', target: 'venue-a' });
    expect(update.detail.changes).toMatchObject({ ratedCapacity: { from: 100, to: 60 }, name: { from: '测试KTV', to: '测试KTV（新店）' } });
  });

  hubTest('two door staff added at the same moment are both saved, each with an id of their own', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const [a, b] = await Promise.all([
      admin.post('/api/registry/venues/venue-a/staff', { name: '周杰', role: '门岗', pin: '1111' }),
      admin.post('/api/registry/venues/venue-a/staff', { name: '吴敏', role: '门岗', pin: '2222' }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().id).not.toBe(b.json().id);
    const staff = (await admin.get('/api/registry/venues/venue-a')).json().staff as { id: string; name: string }[];
    expect(staff.filter((s) => s.name === '周杰' || s.name === '吴敏').map((s) => s.id).sort()).toEqual([a.json().id, b.json().id].sort());
  });

  hubTest('a kiosk of another venue hears nothing of the edit', async ({ hub, socket }) => {
    const { admin } = await sessions(hub);
    const other = await admin.post('/api/registry/venues', { ...NEW_VENUE, entrances: [{ name: '正门' }] });
    const { token } = await enrolKiosk(hub.store, other.json().entrances[0].id);
    const heard: string[] = [];
    const otherSocket = await connectKiosk(hub.url, token, (s) => s.on('venue:profile', (p) => heard.push(p.id)));
    try {
      const mine = profileWhere(socket, (p) => p.ratedCapacity === 50);
      const res = await admin.post('/api/registry/venues/venue-a', {
        communityId: 'c-venue-a', name: '测试KTV', type: 'ktv', address: '测试路1号', ratedCapacity: 50, openingHours: null, officers: {}, entrances: [{ id: 'venue-a-1', name: '正门' }],
      });
      expect(res.statusCode).toBe(200);
      expect((await mine).ratedCapacity).toBe(50);
      // A round trip on the other socket after the push: anything sent to it would have arrived first.
      await otherSocket.emitWithAck('policy:ack', { version: 1 }).catch(() => undefined);
      expect(heard.filter((id) => id === 'venue-a')).toEqual([]);
    } finally {
      otherSocket.close();
    }
  });
});

describe('POST /api/registry/import and GET /api/registry/export.csv', () => {
  const GOOD_AND_BAD = [
    '编号,场所名称,场所类型,地址,核定人数,营业时间,出入口,防控专员,防控专员电话,消杀专员,消杀专员电话',
    ',新华网吧,网吧,新华路5号,80,10:00–02:00,正门；侧门,钱伟,13900000002,孙丽,13900000003',
    ',"多行地址书店",图书馆,"新华路\n7号\n二楼",30,09:00-21:00,正门,,,,',
    ',坏类型场所,夜总会,新华路8号,40,,正门,,,,',
    ',欢乐棋牌室,棋牌室,新华路9号,20,全天,正门、后门,李雷,13900000004,,',
    ',坏人数场所,ktv,新华路10号,很多,,正门,,,,',
    'venue-a,测试KTV,KTV,测试路1号,100,全天,正门,赵敏,13800000001,,',
  ];

  hubTest('keeps the good rows of a UTF-8 file and reports the two bad ones by line and column; a multi-line cell moves no line', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const res = await upload(hub, admin, 'communityId=c-venue-a', utf8(GOOD_AND_BAD));
    expect(res.status).toBe(200);
    const report: ImportReport = res.body;
    expect(report).toMatchObject({ dryRun: false, encoding: 'utf-8', created: 3, updated: 0, unchanged: 1 });
    // Line 3's address spans lines 3–5, so the bad rows are on lines 6 and 8.
    expect(report.errors).toEqual([
      expect.objectContaining({ line: 6, field: '场所类型', code: 'unknown_type', message: 'unknown venue type "夜总会"' }),
      expect.objectContaining({ line: 8, field: '核定人数', code: 'bad_capacity' }),
    ]);
    expect(report.rows.map((r) => [r.line, r.action])).toEqual([
      [2, 'create'],
      [3, 'create'],
      [7, 'create'],
      [9, 'unchanged'],
    ]);
    const venues = await communityVenues(admin, 'c-venue-a');
    expect(venues.map((v) => v.name).sort()).toEqual(['多行地址书店', '新华网吧', '欢乐棋牌室', '测试KTV'].sort());
    const netcafe = venues.find((v) => v.name === '新华网吧')!;
    expect(netcafe).toMatchObject({ type: 'internet_cafe', ratedCapacity: 80, openingHours: { open: '10:00', close: '02:00' }, officers: { prevention: { name: '钱伟', phone: '13900000002' }, disinfection: { name: '孙丽', phone: '13900000003' } } });
    expect(netcafe.entrances.map((e) => e.name)).toEqual(['正门', '侧门']);
    expect(venues.find((v) => v.name === '多行地址书店')!.address).toBe('新华路\n7号\n二楼');
    expect(venues.find((v) => v.name === '欢乐棋牌室')!.openingHours).toBeNull();
    const audit = (await hub.store.audit.list({ limit: 50 })).find((a) => a.action === 'venue_import')!;
    expect(audit).toMatchObject({ accountName: 'admin', target: 'c-venue-a', detail: { encoding: 'utf-8', unchanged: 1, errors: 2 } });
    expect(audit.detail.created).toHaveLength(3);

    // The same file again: nothing new, nothing twice.
    const again: ImportReport = (await upload(hub, admin, 'communityId=c-venue-a', utf8(GOOD_AND_BAD))).body;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    expect(await hub.store.venues.count()).toBe(4);
  });

  hubTest('reads a GBK file as Excel saves it on a Chinese Windows, with its bad rows reported the same', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const bytes = encodeGbk(`${GOOD_AND_BAD.join('\r\n')}\r\n`);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const res = await upload(hub, admin, 'communityId=c-venue-a', bytes, 'application/octet-stream');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ encoding: 'gb18030', created: 3, unchanged: 1 });
    expect(res.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [6, '场所类型'],
      [8, '核定人数'],
    ]);
    expect((await communityVenues(admin, 'c-venue-a')).map((v) => v.name)).toContain('欢乐棋牌室');
  });

  hubTest('a dry run reports exactly what the import then does, and writes nothing', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const file = utf8([...GOOD_AND_BAD, 'venue-a,测试KTV,KTV,测试路1号,120,全天,正门,赵敏,13800000001,,']);
    const db = async () =>
      JSON.stringify([await hub.store.sql.all('SELECT * FROM venues ORDER BY id'), await hub.store.sql.all('SELECT * FROM entrances ORDER BY id'), await hub.store.sql.get('SELECT count(*) AS n FROM audit_log')]);
    const before = await db();
    const dry = await upload(hub, admin, 'communityId=c-venue-a&dryRun=1', file);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: 3, updated: 0, unchanged: 1 });
    // The second venue-a row is the same venue as line 9: reported, never applied twice.
    expect(dry.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [6, '场所类型'],
      [8, '核定人数'],
      [10, '编号'],
    ]);
    expect(await db()).toBe(before);
    const real = await upload(hub, admin, 'communityId=c-venue-a', file);
    // New venues' ids included: the dry run shows the ids the import gives.
    expect({ ...real.body, dryRun: true }).toEqual(dry.body);
    const stored = (await communityVenues(admin, 'c-venue-a')).map((v) => v.id);
    expect(stored).toEqual(expect.arrayContaining(real.body.rows.map((r: { venueId: string }) => r.venueId)));
  });

  hubTest('a row without an id never takes the id a later row gives its new venue: the dry run\'s plan is imported, not a 409', async ({ hub }) => {
    const { admin } = await sessions(hub);
    // The hub would number the first new venue of c-venue-a as c-venue-a-1, the id the next row names.
    const file = utf8(['编号,场所名称,场所类型,核定人数', ',甲店,ktv,10', 'c-venue-a-1,乙店,ktv,20']);
    const dry = await upload(hub, admin, 'communityId=c-venue-a&dryRun=1', file);
    expect(dry.body).toMatchObject({ created: 2, errors: [] });
    const real = await upload(hub, admin, 'communityId=c-venue-a', file);
    expect(real.status).toBe(200);
    expect({ ...real.body, dryRun: true }).toEqual(dry.body);
    const byName = Object.fromEntries((await communityVenues(admin, 'c-venue-a')).map((v) => [v.name, v.id]));
    expect(byName).toMatchObject({ 乙店: 'c-venue-a-1', 甲店: dry.body.rows[0].venueId });
  });

  hubTest('one new venue named by its id in one row and by its name in another is created once', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const res = await upload(hub, admin, 'communityId=c-venue-a', utf8(['编号,场所名称,场所类型,核定人数', 'new-a,丁店,ktv,10', ',丁店,ktv,10']));
    expect(res.body).toMatchObject({ created: 1, errors: [expect.objectContaining({ line: 3, code: 'duplicate_row', params: { line: 2 } })] });
    expect((await communityVenues(admin, 'c-venue-a')).filter((v) => v.name === '丁店').map((v) => v.id)).toEqual(['new-a']);
  });

  hubTest('a file of a million empty rows is answered at once with the line limit, and writes nothing', async ({ hub }) => {
    const { admin } = await sessions(hub);
    // What Excel saves when the sheet's used range runs a million rows below a short list.
    const file = new TextEncoder().encode(`场所名称,场所类型,核定人数\r\n甲店,ktv,10\r\n${'\n'.repeat(1_000_000)}`);
    expect(file.length).toBeLessThan(MAX_IMPORT_BYTES);
    const res = await upload(hub, admin, 'communityId=c-venue-a', file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 0, updated: 0, unchanged: 0, rows: [] });
    expect(res.body.errors).toEqual([expect.objectContaining({ line: MAX_IMPORT_LINES + 1, code: 'too_many_lines', message: expect.stringContaining(`more than ${MAX_IMPORT_LINES} lines`), params: { maxLines: MAX_IMPORT_LINES, max: MAX_IMPORT_ROWS } })]);
    expect(await hub.store.venues.count()).toBe(1);
  });

  hubTest('a body over the size limit is refused with 413 too_large before it is read', async ({ hub }) => {
    const { admin } = await sessions(hub);
    const res = await upload(hub, admin, 'communityId=c-venue-a', new Uint8Array(MAX_IMPORT_BYTES + 1).fill(0x2c));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'too_large' });
    expect(await hub.store.venues.count()).toBe(1);
  });

  hubTest('refuses rows naming another community\'s venue, and a file for an unknown community', async ({ hub }) => {
    const { admin } = await sessions(hub);
    await admin.post('/api/registry/communities', { id: 'anle', name: '安乐社区' });
    const res = await upload(hub, admin, 'communityId=anle', utf8(['编号,场所名称,场所类型,核定人数', 'venue-a,测试KTV,ktv,100', ',安乐餐馆,餐馆,50']));
    expect(res.body.errors).toEqual([expect.objectContaining({ line: 2, field: '编号', code: 'other_community_venue', message: 'venue venue-a belongs to 测试社区; a row cannot move it to 安乐社区' })]);
    expect(res.body.created).toBe(1);
    expect((await hub.store.venues.get('venue-a'))?.communityId).toBe('c-venue-a');
    const unknown = await upload(hub, admin, 'communityId=nowhere', utf8(['场所名称,场所类型,核定人数']));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ field: 'communityId' });
    const missing = await upload(hub, admin, 'dryRun=1', utf8(['场所名称,场所类型,核定人数']));
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ field: 'communityId' });
  });

  hubTest('exports a community as an attachment with a BOM that imports back as all unchanged', async ({ hub }) => {
    const { admin } = await sessions(hub);
    await upload(hub, admin, 'communityId=c-venue-a', utf8(GOOD_AND_BAD));
    const res = await download(hub, admin, '/api/registry/export.csv?communityId=c-venue-a');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="venues-c-venue-a-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = res.bytes;
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes).split('\r\n')[0]).toBe('编号,社区,场所名称,场所类型,地址,核定人数,营业时间,出入口,防控专员,防控专员电话,消杀专员,消杀专员电话');
    const back: ImportReport = (await upload(hub, admin, 'communityId=c-venue-a', bytes)).body;
    expect(back).toMatchObject({ created: 0, updated: 0, unchanged: 4, errors: [] });
    const street = await admin.get('/api/registry/export.csv');
    expect(street.headers['content-disposition']).toMatch(/filename="venues-street-/);
    const exports = (await hub.store.audit.list({ limit: 50 })).filter((a) => a.action === 'venue_export');
    expect(exports.map((a) => [a.target, a.detail.venues])).toEqual([
      [null, 4],
      ['c-venue-a', 4],
    ]);
  });

  hubTest('an import that changes a venue pushes its profile to the venue\'s kiosk', async ({ hub, socket }) => {
    const { admin } = await sessions(hub);
    const pushed = profileWhere(socket, (p) => p.ratedCapacity === 45);
    const res = await upload(hub, admin, 'communityId=c-venue-a', utf8(['编号,场所名称,场所类型,核定人数,营业时间', 'venue-a,测试KTV,ktv,45,20:00-02:00']));
    expect(res.body).toMatchObject({ updated: 1, errors: [] });
    expect(await pushed).toMatchObject({ id: 'venue-a', ratedCapacity: 45, openingHours: { open: '20:00', close: '02:00' } });
    // Columns the file leaves out are kept: the officer and the entrance.
    expect(await hub.store.venues.get('venue-a')).toMatchObject({ address: '测试路1号', officers: { prevention: { name: '赵敏', phone: '13800000001' } }, entrances: [{ id: 'venue-a-1', name: '正门' }] });
  });
});
