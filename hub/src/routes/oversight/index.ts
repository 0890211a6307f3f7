import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OVERSIGHT_ROLES } from '../../../../shared/schemas/account.js';
import { DayQuery, WeekQuery } from '../../../../shared/schemas/dashboard.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { LANGS } from '../../../../shared/labels.js';
import { OversightOverview, RolledUpReport, StreetRanking } from '../../../../shared/schemas/oversight.js';
import { requireAccount, scopeOf } from '../../auth.js';
import { rolledUpReportCsv } from '../../services/report-csv.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });
/** The overview takes no query: anything sent is refused, not ignored. */
const NoQuery = z.strictObject({});
const RolledUpCsvQuery = WeekQuery.extend({ lang: z.enum(LANGS).default('zh-CN') });

export interface OversightRouteOptions {
  store: Store;
  now: () => number;
}

/**
 * Oversight of streets (docs/district-guide.md): the district admin's streets, or the city admin's
 * every street, one level above the street overview. Only OVERSIGHT_ROLES: a street admin or an
 * inspector has the street's own screens and gets 403 here, before the query is read. Viewing and
 * exporting the rolled-up report are audit-logged, as the street's report is.
 */
export const oversightRoutes: FastifyPluginAsyncZod<OversightRouteOptions> = async (app, { store, now }) => {
  const overseer = requireAccount(store, now, [...OVERSIGHT_ROLES]);
  const audit = (account: { id: string; name: string }, action: string, target: string, detail: Record<string, unknown>) =>
    store.audit.record({ at: now(), accountId: account.id, accountName: account.name, action, target, detail });

  app.get(
    '/api/oversight',
    { preValidation: overseer, schema: { querystring: NoQuery, response: { 200: OversightOverview, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } } },
    async (request) => store.oversight.overview(scopeOf(request.account!), now()),
  );

  app.get(
    '/api/oversight/ranking',
    { preValidation: overseer, schema: { querystring: DayQuery, response: { 200: StreetRanking, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } } },
    async (request) => store.oversight.ranking(request.query.date, scopeOf(request.account!)),
  );

  app.get(
    '/api/oversight/reports/weekly',
    { preValidation: overseer, schema: { querystring: WeekQuery, response: { 200: RolledUpReport, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } } },
    async (request) => {
      const account = request.account!;
      const report = await store.oversight.weeklyReport(request.query.week, scopeOf(account));
      await audit(account, 'view_rolled_up_report', report.week, { streets: report.streets.map((s) => s.streetId) });
      return report;
    },
  );

  app.get(
    '/api/oversight/reports/weekly.csv',
    { preValidation: overseer, schema: { querystring: RolledUpCsvQuery } },
    async (request, reply) => {
      const account = request.account!;
      const report = await store.oversight.weeklyReport(request.query.week, scopeOf(account));
      await audit(account, 'export_rolled_up_csv', report.week, { streets: report.streets.map((s) => s.streetId) });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="weekly-report-streets-${report.week}.csv"`)
        .send(rolledUpReportCsv(report, request.query.lang));
    },
  );
};
