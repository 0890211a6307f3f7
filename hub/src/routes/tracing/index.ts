import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MINUTE_MS } from '../../../../shared/rules/tracing.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { TracingQuery, TracingResult, type TracingRow } from '../../../../shared/schemas/tracing.js';
import { ADMIN_ROLES } from '../../../../shared/schemas/account.js';
import { requireAccount, requireTotpWhenSet, scopeOf } from '../../auth.js';
import { HttpError } from '../../errors.js';
import type { HubKeys } from '../../keys.js';
import { decryptContact } from '../../services/contact-cipher.js';
import { digitsCell, toCsv, type CsvValue } from '../../services/csv.js';
import type { Store } from '../../store/index.js';
import { inScope } from '../../store/scope.js';

const ErrorBody = z.object({ error: ApiError });

export interface TracingRouteOptions {
  store: Store;
  /** contactKey opens the sealed numbers, here and nowhere else. */
  keys: HubKeys;
  now: () => number;
}

/**
 * Tracing (时空伴随, 003 §25, 004 §3.9): who was at these venues
 * during a case's visits, with their contact numbers. An admin only, within its scope
 * (store/scope.ts): the street admin over its street's venues, a district or city admin over the
 * venues of every street it covers, a case's visits in several streets in one run. A venue outside
 * the scope is refused (403) before anything is read. With a stated reason; the run is audit-logged (reason, visits, how many
 * rows and numbers were revealed, never the numbers) BEFORE anything is
 * answered, so no number leaves the hub without its entry. POST, so the
 * reason and visits never sit in a URL, a proxy log or the browser history.
 */
export const tracingRoutes: FastifyPluginAsyncZod<TracingRouteOptions> = async (app, { store, keys, now }) => {
  // Checked before the body is validated: someone who may not trace learns nothing, not even which field is wrong.
  // And, when the street's setting says so, only from a session verified with the second factor.
  const admin = [requireAccount(store, now, [...ADMIN_ROLES]), requireTotpWhenSet(store)];

  async function run(request: FastifyRequest, query: TracingQuery, action: 'tracing_run' | 'tracing_export') {
    const account = request.account!;
    const venues = await store.tracing.venues(query.visits.map((v) => v.venueId));
    const unknown = query.visits.findIndex((v) => !venues.has(v.venueId));
    if (unknown >= 0) throw new HttpError(404, 'not_found', 'no such venue', `visits.${unknown}.venueId`);
    // Every venue inside the account's scope, or nothing is read (the same rule as assertPlace).
    const scope = scopeOf(account);
    const outside = query.visits.findIndex((v) => !inScope(scope, venues.get(v.venueId)!));
    if (outside >= 0) throw new HttpError(403, 'forbidden', 'this venue is not in your area', `visits.${outside}.venueId`);
    const streets = [...new Map([...venues.values()].map((v) => [v.streetId, { id: v.streetId, name: v.streetName }])).values()];
    const at = now();
    const sealed = await store.tracing.trace(query.visits, query.stayMinutes * MINUTE_MS);
    const rows = sealed.map(({ sealedContact, ...row }): TracingRow => ({ ...row, ...open(sealedContact, request.log) }));
    const contactsRevealed = rows.filter((r) => r.contact !== null).length;
    const detail = {
      reason: query.reason,
      // What was read: the streets of the visits' venues (one for a street admin's run).
      streets: streets.map((x) => x.id),
      stayMinutes: query.stayMinutes,
      visits: query.visits.map((v) => ({ venueId: v.venueId, from: v.from, to: v.to })),
      rows: rows.length,
      contactsRevealed,
      contactsUnreadable: rows.filter((r) => r.contactUnreadable).length,
    };
    // One entry in each street read, so every street's own audit log shows whose run read its
    // patrons, even a district's or the city's (docs/security.md "Access by role").
    for (const street of streets) {
      await store.audit.record({ at, accountId: account.id, accountName: account.name, action, target: null, detail, where: { streetId: street.id, districtId: null } });
    }
    const result: TracingResult = {
      at,
      stayMinutes: query.stayMinutes,
      visits: query.visits.map((v) => {
        const venue = venues.get(v.venueId)!;
        return { venueId: v.venueId, venueName: venue.name, streetId: venue.streetId, streetName: venue.streetName, from: v.from, to: v.to };
      }),
      streets,
      rows,
      contactsRevealed,
    };
    return { result, venues };
  }

  /** The number in clear, or why not: a number sealed under another key file or altered is said, not hidden. */
  function open(sealed: string | null, log: FastifyBaseLogger): { contact: string | null; contactUnreadable: boolean } {
    if (sealed === null) return { contact: null, contactUnreadable: false };
    try {
      return { contact: decryptContact(sealed, keys.contactKey), contactUnreadable: false };
    } catch (err) {
      // The error names no number: decryption failed, so there is none to name.
      log.warn({ err: String(err) }, 'a stored contact number could not be decrypted');
      return { contact: null, contactUnreadable: true };
    }
  }

  app.post(
    '/api/tracing',
    {
      onRequest: app.csrfProtection,
      preValidation: admin,
      schema: { body: TracingQuery, response: { 200: TracingResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
    },
    async (request, reply) => {
      const { result } = await run(request, request.body, 'tracing_run');
      // Personal data: no cache anywhere on the way.
      void reply.header('cache-control', 'no-store');
      return result;
    },
  );

  app.post(
    '/api/tracing/export.csv',
    // No response schema: the body is the CSV text, which the zod serializer would quote as JSON.
    { onRequest: app.csrfProtection, preValidation: admin, schema: { body: TracingQuery } },
    async (request, reply) => {
      const { result, venues } = await run(request, request.body, 'tracing_export');
      const offsetOf = (venueId: string) => venues.get(venueId)?.utcOffsetMinutes ?? 480;
      const csv = toCsv(TRACING_CSV_HEADER, tracingCsvRows(result, offsetOf));
      // The whole time stamp to the second (`2026-12-07T121345`): two exports a minute apart keep apart.
      const stamp = localStamp(result.at, offsetOf(result.visits[0]!.venueId)).replace(' ', 'T').replace(/:/g, '');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tracing-${stamp}.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );
};

/** Chinese headers: the file goes to the epidemiological team. Each venue names its street (a run above a street spans several). Times are the venue's local time. */
export const TRACING_CSV_HEADER = [
  '到访序号',
  '场所',
  '街道',
  '到访时段',
  '出入口',
  '类别',
  '进入时间',
  '离开时间',
  '离开时间来源',
  '结果',
  '已撤销',
  '人数',
  '同行人',
  '通行码',
  '联系电话',
  '入场记录数',
] as const;

export function tracingCsvRows(result: TracingResult, offsetOf: (venueId: string) => number): CsvValue[][] {
  return result.rows.map((r) => {
    const off = offsetOf(r.venueId);
    const visit = result.visits[r.visits[0]!]!;
    return [
      r.visits.map((i) => i + 1).join(';'),
      r.venueName,
      r.streetName,
      `${localStamp(visit.from, off)} – ${localStamp(visit.to, off)}`,
      r.entranceName ?? '',
      r.kind === 'booking' ? '预约' : r.kind === 'pass' ? '通行证' : '入场记录',
      localStamp(r.timeIn, off),
      localStamp(r.timeOut, off),
      r.timeOutKnown ? '本人点击“我已离场”' : `按停留${result.stayMinutes}分钟估计`,
      r.decision === 'admit' ? '准入' : r.decision === 'refuse' ? '拒绝' : '未到门口登记',
      r.corrected ? '是' : '',
      r.people,
      r.labels.filter((l): l is string => l !== null).join('、'),
      r.passCode ?? '',
      // Kept as text: a spreadsheet would otherwise show 1.39E+10 (csv.ts digitsCell).
      r.contact ? digitsCell(r.contact) : r.contactUnreadable ? '无法解密' : '',
      r.records.length,
    ];
  });
}

/** `YYYY-MM-DD HH:MM:SS` at the venue. */
function localStamp(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * MINUTE_MS).toISOString().slice(0, 19).replace('T', ' ');
}
