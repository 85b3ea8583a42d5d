import { z } from '@hono/zod-openapi';
import { POWER_LEVEL_KINDS, SHED_GROUPS } from '@suanli/engine';
import { list } from './api-schemas.ts';

/** Request and response shapes of power budgets and grid events. */

/** kW: at most 100 GW. */
const kw = z.number().min(0).max(100_000_000);
const epochS = z.number().min(0).max(1e11);
const id = z.string().min(1).max(64);

export const GridEventBodySchema = z
  .strictObject({
    id: z
      .string()
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .optional()
      .openapi({ description: "The grid's own reference (a dispatch order number); generated when absent" }),
    region: id.optional().openapi({ description: 'A grid region of the network (or give site)' }),
    site: id.optional(),
    reductionKw: z
      .number()
      .gt(0)
      .max(100_000_000)
      .optional()
      .openapi({ description: 'Draw this much less than the baseline' }),
    ceilingKw: kw.optional().openapi({ description: 'Or: draw at most this much' }),
    startS: epochS.optional().openapi({ description: 'Epoch seconds; absent: now' }),
    durationS: z.number().int().min(60).max(86_400),
    complyWithinS: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .openapi({ description: 'How long after the start the reduction must be in place (default 900)' }),
  })
  .openapi('GridEventRequest', {
    example: { site: 'zhongwei', reductionKw: 500, durationS: 7200, complyWithinS: 900 },
  });

export const PowerWindowBodySchema = z
  .strictObject({
    level: z.enum(POWER_LEVEL_KINDS),
    target: id,
    fromS: epochS,
    toS: epochS,
    kw,
  })
  .openapi('PowerWindowRequest', {
    example: { level: 'region', target: 'sichuan', fromS: 1796000000, toS: 1796086400, kw: 2000 },
  });

const WindowSchema = z
  .object({ level: z.enum(POWER_LEVEL_KINDS), target: z.string(), fromS: z.number(), toS: z.number(), kw: z.number() })
  .openapi('PowerWindow');

const GridActionSchema = z
  .object({
    jobId: z.string(),
    tenant: z.string(),
    group: z.enum(SHED_GROUPS),
    action: z.enum(['scale-in', 'preempt', 'pause', 'cap']),
    poolId: z.string(),
    count: z.number().int(),
    capW: z.number().optional(),
    savedKw: z.number(),
    fromS: z.number(),
    toS: z.number(),
    lostAcceleratorHours: z.number(),
    costFen: z.number().int(),
    delayS: z.number(),
    breaksDeadline: z.boolean(),
    afterwards: z.enum(['move', 'wait']).optional(),
  })
  .openapi('GridAction');

/** What a grid event asks: whom, when, how much (the plan's event and the event view share them). */
const asked = {
  id: z.string(),
  level: z.enum(['region', 'site']),
  target: z.string(),
  startS: z.number(),
  endS: z.number(),
  complyByS: z.number(),
  reductionKw: z.number().optional(),
  ceilingKw: z.number().optional(),
};

const GridPlanSchema = z
  .object({
    event: z.object({
      ...asked,
      ceiling: list(z.object({ fromS: z.number(), toS: z.number(), kw: z.number() })),
      parked: list(z.object({ poolId: z.string(), count: z.number().int() })).optional(),
    }),
    baselineKwh: z.number(),
    askedKwh: z.number(),
    askedKw: z.number(),
    plannedKwh: z.number(),
    shortfallKw: z.number(),
    shortfallKwh: z.number(),
    feasible: z.boolean(),
    actions: list(GridActionSchema),
    parked: list(z.object({ poolId: z.string(), count: z.number().int(), savedKw: z.number() })),
    lostAcceleratorHours: z.number(),
    costFen: z.number().int(),
    delayedJobs: z.number().int(),
    deadlinesBroken: z.number().int(),
  })
  .openapi('GridPlan');

const DeliverySchema = z
  .object({
    eventId: z.string(),
    baselineKwh: z.number(),
    askedKwh: z.number(),
    actualKwh: z.number(),
    deliveredKwh: z.number(),
    deliveredPct: z.number(),
    peakKw: z.number(),
    overCeilingKw: z.number(),
    onTime: z.boolean(),
    appliedAtS: z.number().optional(),
    measuredFromS: z.number().optional(),
  })
  .openapi('GridDelivery');

export const GridEventSchema = z
  .object({
    ...asked,
    issuedAtS: z.number(),
    issuedBy: z.string(),
    state: z.enum(['planned', 'active', 'over', 'reported']),
    plan: GridPlanSchema,
    applied: z
      .object({
        atS: z.number(),
        done: list(
          z.object({ jobId: z.string(), action: z.string(), capW: z.number().optional(), outcome: z.string() }),
        ),
      })
      .optional(),
    delivery: DeliverySchema.optional(),
  })
  .openapi('GridEvent');

export const PowerViewSchema = z
  .object({
    atS: z.number(),
    levels: list(
      z.object({
        kind: z.enum(POWER_LEVEL_KINDS),
        id: z.string(),
        parent: z.string().optional(),
        fixedKw: z.number(),
        budgetKw: z.number(),
        loadKw: z.number(),
        maxBudgetKw: z.number(),
        hours: list(z.object({ atS: z.number(), budgetKw: z.number() })),
      }),
    ),
    events: list(GridEventSchema),
    windows: list(WindowSchema),
  })
  .openapi('PowerView');

export { WindowSchema as PowerWindowSchema };
