import type { Param, Sql } from '../../hub/src/store/sql.js';

/**
 * The plan the database makes for a statement, its steps joined with ' / ', for tests that a
 * query reads an index range and never a whole table. SQLite: EXPLAIN QUERY PLAN's details
 * ("SEARCH x USING INDEX i", "SCAN x"). PostgreSQL: EXPLAIN (COSTS OFF) with sequential scans
 * priced out for the statement, as a test's few rows would otherwise make a scan the cheaper
 * plan ("Index Scan using i on x", "Bitmap Index Scan on i"; "Seq Scan on x" where no index serves).
 */
export async function queryPlan(sql: Sql, text: string, params: readonly Param[]): Promise<string> {
  if (sql.dialect === 'sqlite') return (await sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params)).map((r) => r.detail).join(' / ');
  return sql.transaction(async (tx) => {
    await tx.run('SET LOCAL enable_seqscan = off');
    return (await tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${text}`, params)).map((r) => r['QUERY PLAN'].trim()).join(' / ');
  });
}
