import { type Network, type PowerBudget, type PowerLevelKind, SHED_GROUPS, type ShedGroup } from '@suanli/engine';
import {
  type DailyGridEvents,
  type GridEventInput,
  type GridEventRate,
  type NetworkChange,
  type PowerInput,
  WhatIfError,
} from '@suanli/sim';
import { z } from 'zod';
import type { SuanliError } from './errors.ts';
import { int, LIMITS, list, num, positive, text } from './limits.ts';
import { compileBudget, isProblem, powerBudgetSchema } from './power-budget-schema.ts';
import { type FieldPath, fieldName } from './text-input.ts';

/** How long before a window the grid asks, and how long after its start the reduction must be in place, by default. */
export const DEFAULT_NOTICE_S = 900;
export const DEFAULT_COMPLY_WITHIN_S = 900;

const id = text(64).min(1);
const ids = list(id, LIMITS.sites);
/** A grid event's window: a minute to a day. */
const windowS = num(60, 86_400);
const noticeS = num(0, 86_400);
const reductionPct = positive(100);
const side = z.enum(['east', 'west']);

/** Who a daily or random event asks: regions, sites, and every site on one side (east or west). */
const targets = {
  regions: ids.optional(),
  sites: ids.optional(),
  side: side.optional(),
};

/**
 * A scenario's `power` section (and a what-if's `gridEvents`): the grid's demand-response
 * requests during the runs, and the order the plans shed load in.
 */
export const powerSchema = z.strictObject({
  /** Who gives power first: burst, preemptible, slack, cap (the engine's default: that order). */
  shedOrder: list(z.enum(SHED_GROUPS), SHED_GROUPS.length).optional(),
  /** Single requests: a region or a site, `at` seconds after the run's first event. */
  events: list(
    z.strictObject({
      region: id.optional(),
      site: id.optional(),
      at: num(0, LIMITS.durationS),
      noticeS: noticeS.optional(),
      durationS: windowS,
      complyWithinS: noticeS.optional(),
      reductionKw: positive(LIMITS.powerKw).optional(),
      reductionPct: reductionPct.optional(),
      ceilingKw: num(0, LIMITS.powerKw).optional(),
    }),
    10_000,
  ).optional(),
  /** Requests every day at a local hour: a heat wave. */
  daily: list(
    z.strictObject({
      ...targets,
      fromHour: int(0, 23),
      hours: int(1, 24),
      reductionPct,
      days: int(1, 366),
      firstDay: int(0, 366).optional(),
      noticeS: noticeS.optional(),
      complyWithinS: noticeS.optional(),
    }),
    100,
  ).optional(),
  /** Requests at random: `perDay` on average, each at a random one of the targets. */
  rate: z
    .strictObject({
      ...targets,
      perDay: positive(100),
      durationS: windowS,
      reductionPct,
      days: int(1, 366),
      noticeS: noticeS.optional(),
      complyWithinS: noticeS.optional(),
    })
    .optional(),
});

export type PowerSectionInput = z.infer<typeof powerSchema>;

type Fail = (at: FieldPath, message: string) => SuanliError;
type Target = { readonly level: Exclude<PowerLevelKind, 'pool'>; readonly target: string };

/**
 * The simulator's power input of a `power` section (or a what-if's `gridEvents`, at `at`), every
 * region and site it names checked against the network: an unknown one, a target missing or given
 * twice, a reduction missing or given twice, or a deadline to comply after the window ends is
 * refused with the field named.
 */
export function powerInputOf(p: PowerSectionInput, network: Network, at: FieldPath, fail: Fail): PowerInput {
  const regionIds = (network.regions ?? []).map((r) => r.id);
  const siteIds = network.sites.map((s) => s.id);
  const known = (kind: 'region' | 'site', name: string, path: FieldPath): Target => {
    const all = kind === 'region' ? regionIds : siteIds;
    if (!all.includes(name)) {
      const list = all.length > 0 ? `known: ${all.join(', ')}` : 'the network has none';
      throw fail(path, `unknown ${kind} ${name} (${list})`);
    }
    return { level: kind, target: name };
  };
  const comply = (given: number | undefined, durationS: number, path: FieldPath): number => {
    if (given !== undefined && given > durationS) {
      throw fail(path, `must be at most the window, ${durationS} s`);
    }
    return given ?? Math.min(DEFAULT_COMPLY_WITHIN_S, durationS);
  };
  const targetsOf = (
    t: {
      readonly regions?: readonly string[] | undefined;
      readonly sites?: readonly string[] | undefined;
      readonly side?: 'east' | 'west' | undefined;
    },
    path: FieldPath,
  ): Target[] => {
    const out: Target[] = [];
    const add = (x: Target) => {
      if (!out.some((y) => y.level === x.level && y.target === x.target)) out.push(x);
    };
    t.regions?.forEach((r, k) => {
      add(known('region', r, [...path, 'regions', k]));
    });
    t.sites?.forEach((s, k) => {
      add(known('site', s, [...path, 'sites', k]));
    });
    if (t.side !== undefined) {
      const onSide = network.sites.filter((s) => s.side === t.side);
      if (onSide.length === 0) throw fail([...path, 'side'], `no site of the network is on the ${t.side} side`);
      for (const s of onSide) add({ level: 'site', target: s.id });
    }
    if (out.length === 0) throw fail(path, 'give regions, sites or side: whom the grid asks');
    return out;
  };

  p.shedOrder?.forEach((g, k) => {
    if (p.shedOrder?.indexOf(g) !== k) throw fail([...at, 'shedOrder', k], `${g} is listed twice`);
  });
  const events = p.events?.map((e, k): GridEventInput => {
    const path = [...at, 'events', k];
    if ((e.region === undefined) === (e.site === undefined)) throw fail(path, 'give region or site, one of them');
    const target =
      e.region !== undefined
        ? known('region', e.region, [...path, 'region'])
        : known('site', e.site as string, [...path, 'site']);
    const asks = [e.reductionKw, e.reductionPct, e.ceilingKw].filter((x) => x !== undefined).length;
    if (asks !== 1) throw fail(path, 'give reductionKw, reductionPct or ceilingKw, one of them');
    return {
      ...target,
      atS: e.at,
      noticeS: e.noticeS ?? DEFAULT_NOTICE_S,
      durationS: e.durationS,
      complyWithinS: comply(e.complyWithinS, e.durationS, [...path, 'complyWithinS']),
      ...(e.reductionKw !== undefined ? { reductionKw: e.reductionKw } : {}),
      ...(e.reductionPct !== undefined ? { reductionPct: e.reductionPct } : {}),
      ...(e.ceilingKw !== undefined ? { ceilingKw: e.ceilingKw } : {}),
    };
  });
  const daily = p.daily?.map((d, k): DailyGridEvents => {
    const path = [...at, 'daily', k];
    return {
      targets: targetsOf(d, path),
      fromHour: d.fromHour,
      hours: d.hours,
      reductionPct: d.reductionPct,
      days: d.days,
      firstDay: d.firstDay ?? 0,
      noticeS: d.noticeS ?? DEFAULT_NOTICE_S,
      complyWithinS: comply(d.complyWithinS, d.hours * 3600, [...path, 'complyWithinS']),
    };
  });
  const r = p.rate;
  const rate: GridEventRate | undefined = r && {
    targets: targetsOf(r, [...at, 'rate']),
    perDay: r.perDay,
    durationS: r.durationS,
    reductionPct: r.reductionPct,
    days: r.days,
    noticeS: r.noticeS ?? DEFAULT_NOTICE_S,
    complyWithinS: comply(r.complyWithinS, r.durationS, [...at, 'rate', 'complyWithinS']),
  };
  return {
    ...(events ? { events } : {}),
    ...(daily ? { daily } : {}),
    ...(rate ? { rate } : {}),
    ...(p.shedOrder ? { shedOrder: p.shedOrder as readonly ShedGroup[] } : {}),
  };
}

/** A what-if's `powerBudget` change: one level's budget scaled (`scalePct`) or replaced (`budget`). */
export const powerBudgetChangeSchema = z.strictObject({
  region: id.optional(),
  /** A site, or `*` for every site. */
  site: id.optional(),
  pool: id.optional(),
  scalePct: positive(1000).optional(),
  budget: powerBudgetSchema.optional(),
});

/** The network change of a `powerBudget` entry; a budget that does not compile fails as the change's. */
export function powerBudgetChange(c: z.infer<typeof powerBudgetChangeSchema>, index: number): NetworkChange {
  let budget: PowerBudget | undefined;
  if (c.budget !== undefined) {
    const compiled = compileBudget(c.budget);
    if (isProblem(compiled)) {
      throw new WhatIfError(index, `${fieldName(['budget', ...compiled.at])}: ${compiled.message}`);
    }
    budget = compiled;
  }
  return {
    kind: 'power-budget',
    ...(c.region !== undefined ? { region: c.region } : {}),
    ...(c.site !== undefined ? { site: c.site } : {}),
    ...(c.pool !== undefined ? { pool: c.pool } : {}),
    ...(c.scalePct !== undefined ? { scalePct: c.scalePct } : {}),
    ...(budget !== undefined ? { budget } : {}),
  };
}

/**
 * The scenario's `power` section: the grid's requests (as `gridEvents` has them) and `budgets`,
 * changes to levels' budgets every run starts from (a season's profile, a contract), written as the
 * `powerBudget` change is.
 */
export const scenarioPowerSchema = powerSchema.extend({
  budgets: list(powerBudgetChangeSchema, 1000).optional(),
});
