import { z } from '@hono/zod-openapi';
import { FAILURE_CLASSES, JOB_KINDS } from '@suanli/engine';
import { ERROR_CODES, JOB_STATES, jobSpecInputSchema } from '@suanli/service';

/** Response shapes of the HTTP API, for the OpenAPI document (and the generated client). */

/** Arrays in responses are read-only, like the service's types. */
export const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      source: z.string().optional(),
      field: z.string().optional(),
      line: z.number().int().optional(),
      column: z.number().int().optional(),
      /** On a 500: the id under which the server logged what went wrong. */
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error');

/** The job spec as JSON Schema: documented, but validated by the service (for field and line). */
export const JobSpecInputJsonSchema = z.toJSONSchema(jobSpecInputSchema, {
  io: 'input',
  unrepresentable: 'any',
}) as Record<string, unknown>;

const EstimateSchema = z
  .object({
    startS: z.number(),
    endS: z.number(),
    durationS: z.number(),
    waitS: z.number(),
    transferS: z.number(),
    transferGb: z.number(),
    shiftS: z.number(),
    powerKw: z.number(),
    energyKwh: z.number(),
    computeCostCny: z.number(),
    energyCostCny: z.number(),
    transferCostCny: z.number(),
    costCny: z.number(),
    carbonKg: z.number(),
    carbonSignal: z.enum(['location-based', 'market-based']),
  })
  .openapi('Estimate');

const ScoresSchema = z.object({ cost: z.number(), carbon: z.number(), time: z.number() });

export const ScoredVerdictSchema = z
  .object({
    siteId: z.string(),
    outcome: z.literal('scored'),
    poolId: z.string(),
    accelerator: z.string(),
    count: z.number().int(),
    estimate: EstimateSchema,
    scores: ScoresSchema,
    total: z.number(),
    rank: z.number().int(),
  })
  .openapi('ScoredSite');

export const FilteredVerdictSchema = z
  .object({
    siteId: z.string(),
    outcome: z.literal('filtered'),
    plugin: z.string(),
    code: z.enum(['unschedulable', 'unresolvable', 'error']),
    reason: z.string(),
  })
  .openapi('FilteredSite');

const ExplanationSchema = z
  .object({
    jobId: z.string(),
    atS: z.number(),
    profile: z.string(),
    summary: z.string(),
    notes: list(z.string()),
    verdicts: list(z.union([ScoredVerdictSchema, FilteredVerdictSchema])),
    omitted: z.record(z.string(), z.number()).optional(),
  })
  .openapi('Explanation');

const PlacementSchema = z
  .object({
    siteId: z.string(),
    poolId: z.string(),
    accelerator: z.string(),
    count: z.number().int(),
    estimate: EstimateSchema,
    nodes: list(z.object({ node: z.number().int(), count: z.number().int() }))
      .optional()
      .openapi({
        description: 'On a pool with a node size: the accelerators on each node (numbered from 0 in the pool)',
      }),
  })
  .openapi('Placement');

const JobSpecSchema = z
  .object({
    name: z.string(),
    kind: z.enum(JOB_KINDS),
    tenant: z.string(),
    options: list(z.object({ accelerator: z.string(), perMember: z.number().int() })),
    gang: z.number().int(),
    durationS: z.number(),
    deadlineS: z.number().optional(),
    datasets: list(z.object({ name: z.string(), sizeGb: z.number(), replicas: list(z.string()) })),
    objective: ScoresSchema,
    budgetCny: z.number().optional(),
    priority: z.number().int(),
    preemptible: z.boolean(),
    service: z
      .object({
        minReplicas: z.number().int(),
        maxReplicas: z.number().int(),
        guaranteed: z.number().int(),
        targetPerReplica: z.number(),
        sloMs: z.number(),
        inferenceMs: z.number(),
        demand: list(z.object({ regionId: z.string(), requestsPerS: list(z.number()) })),
      })
      .optional()
      .openapi({ description: 'An online service: its replicas are jobs of their own (replicaOf)' }),
  })
  .openapi('JobSpec');

export const ServiceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tenant: z.string(),
    state: z.enum(JOB_STATES),
    minReplicas: z.number().int(),
    maxReplicas: z.number().int(),
    guaranteed: z.number().int(),
    sloMs: z.number(),
    targetPerReplica: z.number(),
    atS: z.number().openapi({ description: "The service's clock (sped up with a fast simulated backend)" }),
    regions: list(
      z.object({
        regionId: z.string(),
        requestsPerS: z.number(),
        replicas: z.number().int(),
        running: z.number().int(),
        ttftMs: z.number().optional(),
        withinSlo: z.boolean(),
      }),
    ),
    replicas: list(
      z.object({
        id: z.string(),
        regionId: z.string(),
        guaranteed: z.boolean(),
        state: z.enum(JOB_STATES),
        siteId: z.string().optional(),
        costCnyPerHour: z.number().optional(),
      }),
    ),
    costCnyPerHour: z.number(),
    costCnyPerMillion: z.number().optional(),
    costCnyPerMillionTokens: z.number().optional(),
    sloAttainment: z
      .number()
      .optional()
      .openapi({ description: 'Share of its requests so far answered within the SLO' }),
    requests: z.number(),
  })
  .openapi('Service');

export const RouteSchema = z
  .object({
    replicaId: z.string(),
    siteId: z.string(),
    endpoint: z.string(),
    rttMs: z.number(),
    ttftMs: z.number(),
  })
  .openapi('Route');

export const JobSchema = z
  .object({
    id: z.string(),
    state: z.enum(JOB_STATES),
    spec: JobSpecSchema,
    submittedAtS: z.number(),
    updatedAtS: z.number(),
    placement: PlacementSchema.optional(),
    explanation: ExplanationSchema.optional(),
    backend: z.string().optional(),
    externalId: z.string().optional(),
    startedAtS: z.number().optional(),
    endedAtS: z.number().optional(),
    exitCode: z.number().int().optional(),
    message: z.string().optional(),
    attempt: z.number().int().optional(),
    restarts: z.number().int().optional(),
    notBeforeS: z.number().optional(),
    failures: list(
      z.object({
        attempt: z.number().int(),
        siteId: z.string(),
        poolId: z.string(),
        failureClass: z.enum(FAILURE_CLASSES),
        exitCode: z.number().int().optional(),
        atS: z.number(),
        ranS: z.number(),
        keptS: z.number(),
        lostS: z.number(),
        outcome: z.string(),
        backend: z.string().optional(),
        externalId: z.string().optional(),
        fence: z.enum(['pending', 'done']).optional().openapi({
          description:
            'A run cut off by an outage: pending until its backend answers and it is cancelled (done); its late reports are ignored',
        }),
      }),
    ).optional(),
  })
  .openapi('Job');

export const SiteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    nameZh: z.string().optional(),
    hub: z.string().optional(),
    province: z.string(),
    kind: z.enum(['cluster', 'demand-centre', 'partner']),
    side: z.enum(['east', 'west']).optional(),
    jurisdiction: z.enum(['cn-mainland', 'cn-hk', 'cn-macao', 'foreign']),
    lat: z.number(),
    lon: z.number(),
    utcOffsetH: z.number(),
    pue: z.number(),
    powerCapMw: z.number(),
    gridCarbonKgPerKwh: z.number(),
    greenShare: z.number(),
    tariffCnyPerKwh: list(z.number()),
    carbonKgPerKwhByHour: list(z.number()).optional(),
    accelerators: z.number().int(),
    used: z.number().int(),
    utilization: z.number(),
    pools: list(
      z.object({
        id: z.string(),
        accelerator: z.string(),
        count: z.number().int(),
        nodeSize: z.number().int().optional(),
        used: z.number().int(),
        priceCnyPerAcceleratorHour: z.number(),
        backend: z.string(),
      }),
    ),
    outage: z
      .object({
        sinceS: z.number(),
        failureClass: z.enum(['backend-unreachable', 'site-outage']),
        reason: z.string(),
      })
      .optional()
      .openapi({ description: 'Present while the site is out of service: no placement goes there' }),
  })
  .openapi('Site');

export const LinkCutSchema = z
  .object({ from: z.string(), to: z.string(), sinceS: z.number(), reason: z.string() })
  .openapi('LinkCut');

export const SiteHealthSchema = z
  .object({
    siteId: z.string(),
    state: z.enum(['in-service', 'out']),
    sinceS: z.number().optional(),
    failureClass: z.enum(['backend-unreachable', 'site-outage']).optional(),
    reason: z.string().optional(),
  })
  .openapi('SiteHealth');

export const NetworkHealthSchema = z
  .object({
    sites: list(SiteHealthSchema),
    links: list(LinkCutSchema),
  })
  .openapi('NetworkHealth');

export const QuoteSchema = z
  .object({
    atS: z.number(),
    summary: z.string(),
    options: list(ScoredVerdictSchema),
    rejected: list(FilteredVerdictSchema),
  })
  .openapi('Quote');

export const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    atS: z.number(),
    kind: z.string(),
    subject: z.string(),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEntry');

export const AuditVerificationSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    headHash: z.string(),
    firstBadSeq: z.number().int().optional(),
    problem: z.string().optional(),
  })
  .openapi('AuditVerification');

export const SignedTreeHeadSchema = z
  .object({
    logId: z.string(),
    treeSize: z.number().int(),
    rootHash: z.string().openapi({ description: 'hex SHA-256 Merkle tree head (RFC 6962)' }),
    timestampS: z.number().int(),
    signature: z
      .string()
      .openapi({ description: 'base64 Ed25519 signature over the canonical JSON of the other fields' }),
  })
  .openapi('SignedTreeHead');

export const LogKeySchema = z
  .object({
    logId: z.string(),
    publicKey: z.string().openapi({ description: 'base64 raw Ed25519 public key: pin it' }),
  })
  .openapi('LogKey');

export const InclusionProofSchema = z
  .object({
    seq: z.number().int(),
    treeSize: z.number().int(),
    proof: z.array(z.string()),
    entry: AuditEntrySchema,
  })
  .openapi('InclusionProof');

export const ConsistencyProofSchema = z
  .object({ first: z.number().int(), second: z.number().int(), proof: z.array(z.string()) })
  .openapi('ConsistencyProof');

export const HealthSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    network: z.string(),
    sites: z.number().int(),
    jobs: z.record(z.string(), z.number().int()),
  })
  .openapi('Health');

export const WhyPendingSchema = z
  .object({
    jobId: z.string(),
    state: z.enum(JOB_STATES),
    decision: z.enum(['place', 'reserve', 'wait', 'not-pending']),
    summary: z.string(),
    reason: z.string(),
    expectedStartS: z.number().optional(),
    ahead: z.number().int(),
    quota: z
      .object({
        clusterQueue: z.string(),
        cohort: z.string().optional(),
        flavours: list(
          z.object({
            flavour: z.string(),
            nominal: z.number(),
            used: z.number(),
            available: z.number(),
            needs: z.number(),
          }),
        ),
      })
      .optional(),
    notes: list(z.string()),
    verdicts: list(z.union([ScoredVerdictSchema, FilteredVerdictSchema])),
  })
  .openapi('WhyPending');

const CycleReportSchema = z.object({
  atS: z.number(),
  placed: z.number().int(),
  reserved: z.number().int(),
  waiting: z.number().int(),
  preempted: z.number().int(),
  dispatched: z.number().int(),
});

export const OptimizeResultSchema = z
  .object({
    atS: z.number(),
    applied: z.boolean(),
    report: z
      .object({
        status: z.enum(['optimal', 'within-gap', 'time-limit', 'fallback-greedy']),
        reason: z.string().optional(),
        jobs: z.number().int(),
        columns: z.number().int(),
        rows: z.number().int(),
        nonzeros: z.number().int(),
        lpBound: z.number(),
        objective: z.number(),
        gapPct: z.number(),
        assigned: z.number().int(),
        lpS: z.number(),
        mipS: z.number(),
      })
      .optional(),
    decisions: z.object({ placed: z.number().int(), reserved: z.number().int(), waiting: z.number().int() }),
    cycle: CycleReportSchema.optional(),
    plan: list(
      z.object({
        jobId: z.string(),
        kind: z.enum(['place', 'reserve']),
        siteId: z.string(),
        poolId: z.string(),
        startS: z.number(),
      }),
    ),
  })
  .openapi('OptimizeResult');

/** Error responses every route may give, for the document. */
export const errorResponses = {
  400: { description: 'Malformed input or an invalid field', content: { 'application/json': { schema: ErrorSchema } } },
  500: { description: 'Internal error', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

/** A JSON answer of `schema`, for a route's responses. */
export const jsonAnswer = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** An error answer, for a route's responses. */
export const errorAnswer = (description: string) => jsonAnswer(ErrorSchema, description);
