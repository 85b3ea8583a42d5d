import {
  Books,
  billsOf,
  type LogEvent,
  periodSpan,
  prepareNetwork,
  reconcile,
  seededRng,
  statementsOf,
} from '@suanli/engine';
import { builtinNetwork } from '@suanli/service';

/**
 * A month of the audit log on cn-national, made up: `jobs` jobs of its tenants on its pools, 8–64
 * accelerators, 10 minutes to 12 hours of work, started across November 2026; one in twenty is
 * preempted and placed again, one in twenty fails once (a node) and is retried, one in ten stages
 * 200 GB from another site. Entries are made as they are read (the log is not held in memory).
 */
function* monthOfLog(jobs: number): Generator<LogEvent> {
  const network = builtinNetwork();
  const rng = seededRng(17);
  const span = periodSpan('2026-11') ?? { fromS: 0, toS: 0 };
  const pools = network.sites.flatMap((s) => s.pools.map((p) => ({ site: s.id, pool: p })));
  const tenants = network.tenants.map((t) => t.id);
  const sites = network.sites.map((s) => s.id);
  const kinds = ['train', 'finetune', 'batch-infer'] as const;
  let seq = 0;
  const e = (atS: number, kind: string, subject: string, data: Record<string, unknown>): LogEvent => ({
    seq: ++seq,
    atS,
    kind,
    subject,
    data,
  });
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)] as T;
  for (let i = 0; i < jobs; i++) {
    const id = `j-${i}`;
    const workS = 600 + Math.floor(rng.next() * 43_200);
    let atS = span.fromS + Math.floor(rng.next() * (span.toS - span.fromS - 2 * workS - 3600));
    yield e(atS, 'job.submitted', id, { tenant: pick(tenants), kind: pick(kinds) });
    const r = rng.next();
    const runs = r < 0.1 ? 2 : 1;
    for (let run = 0; run < runs; run++) {
      const { site, pool } = pick(pools);
      const count = 8 * (1 + Math.floor(rng.next() * 8));
      const from = pick(sites);
      yield e(atS, 'job.placed', id, {
        siteId: site,
        poolId: pool.id,
        accelerator: pool.accelerator,
        count,
        ...(rng.next() < 0.1 && from !== site ? { transfers: [{ fromSiteId: from, gb: 200 }] } : {}),
      });
      yield e(atS + 5, 'job.running', id, { startedAtS: atS + 5 });
      const last = run === runs - 1;
      if (!last && r < 0.05) {
        atS += 5 + Math.floor(workS / 3);
        yield e(atS, 'job.preempted', id, {});
      } else if (!last) {
        const ranS = Math.floor(workS / 2);
        atS += 5 + ranS;
        yield e(atS, 'job.retried', id, { ranS, failureClass: 'node-failure' });
      } else {
        atS += 5 + workS;
        yield e(atS, 'job.succeeded', id, { endedAtS: atS });
      }
    }
  }
}

/**
 * Metering and settlement of a month: the books folded from the log (attempts, meter records at
 * the prices in force), then every tenant's bill and every site's statement, and the check that
 * they add up to the meter records to the fen.
 */
export function settlementBench(jobs = 950_000): Record<string, number> {
  const network = builtinNetwork();
  const t0 = performance.now();
  const books = new Books(prepareNetwork(network));
  let entries = 0;
  for (const e of monthOfLog(jobs)) {
    books.apply(e);
    entries++;
  }
  const tMeter = performance.now();
  const meters = [...books.meters.values()];
  const bills = billsOf(meters, books.claimed);
  const statements = statementsOf(meters);
  const r = reconcile(meters, bills, statements);
  const t1 = performance.now();
  return {
    settle_month_s: Math.round((t1 - t0) / 10) / 100,
    settle_meter_s: Math.round((tMeter - t0) / 10) / 100,
    settle_attempts: meters.length,
    settle_audit_entries: entries,
    settle_diff_fen: r.diffFen + r.statementDiffFen + r.voucherDiffFen + r.brokenRecords,
    settle_heap_mb: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
}
