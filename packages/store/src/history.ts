import type { HistorySample } from '@suanli/service';
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

const MEASURES = [
  'accelerators',
  'busy',
  'queued',
  'running',
  'power_kw',
  'cost_fen_per_hour',
  'carbon_kg_per_hour',
  'green_kw',
] as const;

type Measures = Record<(typeof MEASURES)[number], number>;

function toRow(s: HistorySample) {
  return {
    scope: s.scope,
    step_s: s.stepS,
    at_s: s.atS,
    accelerators: s.accelerators,
    busy: s.busy,
    queued: s.queued,
    running: s.running,
    power_kw: s.powerKw,
    cost_fen_per_hour: s.costFenPerHour,
    carbon_kg_per_hour: s.carbonKgPerHour,
    green_kw: s.greenKw,
  };
}

function fromRow(scope: string, r: Measures & { at_s: number | string; step_s: number | string }): HistorySample {
  return {
    scope,
    atS: Number(r.at_s),
    stepS: Number(r.step_s),
    accelerators: Number(r.accelerators),
    busy: Number(r.busy),
    queued: Number(r.queued),
    running: Number(r.running),
    powerKw: Number(r.power_kw),
    costFenPerHour: Number(r.cost_fen_per_hour),
    carbonKgPerHour: Number(r.carbon_kg_per_hour),
    greenKw: Number(r.green_kw),
  };
}

/** Writes samples, replacing any of the same scope, time and step. */
export async function putHistory(db: Kysely<Database>, samples: readonly HistorySample[]): Promise<void> {
  if (samples.length === 0) return;
  await db
    .insertInto('history')
    .values(samples.map(toRow))
    .onConflict((oc) =>
      oc.columns(['scope', 'at_s', 'step_s']).doUpdateSet((eb) => ({
        accelerators: eb.ref('excluded.accelerators'),
        busy: eb.ref('excluded.busy'),
        queued: eb.ref('excluded.queued'),
        running: eb.ref('excluded.running'),
        power_kw: eb.ref('excluded.power_kw'),
        cost_fen_per_hour: eb.ref('excluded.cost_fen_per_hour'),
        carbon_kg_per_hour: eb.ref('excluded.carbon_kg_per_hour'),
        green_kw: eb.ref('excluded.green_kw'),
      })),
    )
    .execute();
}

/**
 * Means over buckets of `bucketS` (weighted by each sample's step), grouped in the database. The
 * bucket is an integer the caller has checked; it is written into the query as a literal so both
 * databases divide integers.
 */
function bucketed(db: Kysely<Database>, bucketS: number) {
  const b = sql.lit(Math.trunc(bucketS));
  const bucket = sql<number>`(at_s / ${b}) * ${b}`;
  const mean = (c: (typeof MEASURES)[number]) => sql<number>`sum(${sql.ref(c)} * step_s) * 1.0 / sum(step_s)`.as(c);
  return db
    .selectFrom('history')
    .select(['scope', bucket.as('at_s'), sql<number>`${b}`.as('step_s'), ...MEASURES.map(mean)])
    .groupBy(['scope', bucket]);
}

export async function readHistory(
  db: Kysely<Database>,
  scope: string,
  fromS: number,
  toS: number,
  bucketS: number,
): Promise<HistorySample[]> {
  const b = sql.lit(Math.trunc(bucketS));
  const rows = await bucketed(db, bucketS)
    .where('scope', '=', scope)
    .where('at_s', '>=', Math.floor(fromS))
    .where('at_s', '<', Math.ceil(toS))
    .orderBy(sql`(at_s / ${b}) * ${b}`)
    .execute();
  return rows.map((r) => fromRow(scope, r));
}

export async function compactHistory(
  db: Kysely<Database>,
  beforeS: number,
  stepS: number,
  dropBeforeS: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await bucketed(trx, stepS)
      .where('step_s', '<', stepS)
      .where('at_s', '<', Math.floor(beforeS / stepS) * stepS)
      .execute();
    // A bucket compacted before keeps its weight: its samples were removed when it was written.
    await putHistory(
      trx,
      rows.map((r) => fromRow(r.scope, r)),
    );
    const fine = await trx
      .deleteFrom('history')
      .where('step_s', '<', stepS)
      .where('at_s', '<', Math.floor(beforeS / stepS) * stepS)
      .executeTakeFirst();
    const old = await trx.deleteFrom('history').where('at_s', '<', Math.floor(dropBeforeS)).executeTakeFirst();
    return Number(fine.numDeletedRows) + Number(old.numDeletedRows);
  });
}
