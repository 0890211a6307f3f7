import { describe, expect, it } from 'vitest';
import { jsonBytes, withinPushBytes } from '../../shared/rules/push-bytes.js';

// docs/architecture.md "Batches and their size": a kiosk never sends a push larger than the hub takes.
describe('withinPushBytes', () => {
  const record = (i: number, text = '') => ({ id: `r-${i}`, note: text });

  it('keeps the longest prefix whose payload fits, measured as the socket sends it (UTF-8 JSON)', () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i, '测温'.repeat(20)));
    for (const max of [200, 1_000, 5_000, 1_000_000]) {
      const kept = withinPushBytes(records, max);
      expect(jsonBytes({ records: kept })).toBeLessThanOrEqual(Math.max(max, jsonBytes({ records: records.slice(0, 1) })));
      if (kept.length < records.length) expect(jsonBytes({ records: records.slice(0, kept.length + 1) })).toBeGreaterThan(max);
    }
    expect(withinPushBytes(records, 1_000_000)).toHaveLength(50);
  });

  it('sends a record too large alone by itself, so it is answered rather than kept for ever', () => {
    expect(withinPushBytes([record(0, 'x'.repeat(5_000)), record(1)], 1_000)).toHaveLength(1);
  });

  it('measures what goes on the wire, not the outbox row around it', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ record: record(i), local: 'y'.repeat(10_000) }));
    expect(withinPushBytes(rows, 1_000, (r) => r.record)).toHaveLength(10);
  });

  it('keeps nothing of nothing', () => {
    expect(withinPushBytes([], 100)).toEqual([]);
  });
});
