import { dirname, resolve } from 'node:path';
import { type Network, type Policy, type Profile, withPolicy } from '@suanli/engine';
import {
  applyChanges,
  type EstimateMode,
  type NetworkChange,
  type PowerInput,
  RECOVERY_MODES,
  type RecoveryMode,
  type RunPlan,
  type ScenarioPlan,
  SERVING_MODES,
  type ServingMode,
  scaleNetwork,
  WhatIfError,
} from '@suanli/sim';
import { z } from 'zod';
import { SuanliError } from './errors.ts';
import { int, LIMITS, list, mapOf, num, positive, text } from './limits.ts';
import { BUILTIN_NETWORKS, builtinNetwork, loadNetworkFile } from './network-file.ts';
import { compileProgramme, programmeSchema } from './network-market.ts';
import { BUILTIN_POLICIES_FILES, builtinPolicy, loadPolicyFile } from './policy-file.ts';
import { BUILTIN_PROFILES, builtinProfile, loadProfileFile } from './profile-file.ts';
import {
  powerBudgetChange,
  powerBudgetChangeSchema,
  powerInputOf,
  powerSchema,
  scenarioPowerSchema,
} from './scenario-power.ts';
import { failureModelOf, failuresSchema, servingOf, withCheckpoints } from './scenario-sections.ts';
import { resolveWorkload, workloadSchema } from './scenario-workload.ts';
import { type FieldPath, type ParsedText, parseText, readInputFile, validate } from './text-input.ts';

/** The baselines and the default, by name: the profile each runs and the run-time estimates it is given. */
export const BUILTIN_POLICIES: Readonly<
  Record<string, { readonly profile: string; readonly estimates: EstimateMode }>
> = {
  default: { profile: 'default', estimates: 'history' },
  'fifo-nearest': { profile: 'fifo-nearest', estimates: 'history' },
  'fifo-cheapest': { profile: 'fifo-cheapest', estimates: 'history' },
  sjf: { profile: 'sjf', estimates: 'oracle' },
  srtf: { profile: 'srtf', estimates: 'oracle' },
  qssf: { profile: 'qssf', estimates: 'history' },
  las: { profile: 'las', estimates: 'history' },
};

const share = num(0, 1);
const siteSelector = text(64).min(1);
const factor = num(0, 1000);
const runName = text(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');
const fileRef = text(LIMITS.textChars).min(1);
const seed = int(-(2 ** 31), 2 ** 31 - 1);

const changeSchema = z.union([
  z.strictObject({
    addCapacity: z.strictObject({
      site: text(64),
      accelerator: text(64),
      count: int(1, LIMITS.poolAccelerators),
      priceCnyPerAcceleratorHour: positive(LIMITS.priceCnyPerAcceleratorHour).optional(),
    }),
  }),
  z.strictObject({
    removeCapacity: z.strictObject({
      site: text(64),
      accelerator: text(64).optional(),
      count: int(1, LIMITS.poolAccelerators).optional(),
    }),
  }),
  z.strictObject({
    tariff: z.strictObject({
      site: siteSelector,
      factor: positive(100).optional(),
      flatCnyPerKwh: positive(LIMITS.tariffCnyPerKwh).optional(),
    }),
  }),
  z.strictObject({
    carbon: z.strictObject({
      site: siteSelector,
      factor: factor.optional(),
      gridCarbonKgPerKwh: num(0, LIMITS.gridCarbonKgPerKwh).optional(),
      greenShare: share.optional(),
    }),
  }),
  z.strictObject({ powerCap: z.strictObject({ site: siteSelector, powerCapMw: positive(LIMITS.powerCapMw) }) }),
  z.strictObject({
    nodeSize: z.strictObject({
      site: siteSelector,
      accelerator: text(64).optional(),
      size: int(1, LIMITS.nodeAccelerators),
    }),
  }),
  z.strictObject({ sectorWeights: mapOf(positive(1000), 64, text(64)) }),
  z.strictObject({ programme: programmeSchema }),
  z.strictObject({ powerBudget: powerBudgetChangeSchema }),
]);

export const scenarioSchema = z.strictObject({
  name: runName,
  description: text(LIMITS.textChars).optional(),
  network: z.union([
    fileRef,
    z.strictObject({
      builtin: text(64).optional(),
      file: fileRef.optional(),
      scale: z
        .strictObject({
          sites: int(1, LIMITS.sites),
          accelerators: int(1, LIMITS.poolAccelerators * 100),
        })
        .optional(),
    }),
  ]),
  workload: workloadSchema,
  policies: list(
    z.union([
      text(LIMITS.textChars),
      z.strictObject({
        name: runName,
        profile: fileRef.optional(),
        estimates: z.enum(['oracle', 'history']).optional(),
      }),
    ]),
    LIMITS.scenarioPolicies,
  )
    .min(1)
    .optional(),
  whatIf: list(
    z.strictObject({
      name: runName,
      changes: list(changeSchema, 1000).min(1).optional(),
      policies: list(text(64), LIMITS.scenarioPolicies).min(1).optional(),
      /** Governance rules for this variant: `china`, a rules file, or `none`. */
      rules: fileRef.optional(),
      /** The decision cadence for this variant (0: at every arrival, end and preemption). */
      cycleS: num(0, 86_400).optional(),
      /** Recovery after failures for this variant: `none`, `in-place` or `policy` (the failure model's otherwise). */
      recovery: z.enum(RECOVERY_MODES).optional(),
      /** How this variant provisions the services: `autoscale` (Suanli), `static` (peak at the nearest site), `one-site`. */
      serving: z.enum(SERVING_MODES).optional(),
      /** The grid's requests in this variant, instead of the scenario's power section (the same shape). */
      gridEvents: powerSchema.optional(),
    }),
    LIMITS.scenarioVariants,
  ).optional(),
  /** Governance rules for every run: `china` (built in), a rules file, or `none` (default). */
  rules: fileRef.optional(),
  seed: seed.optional(),
  cycleS: num(0, 86_400).optional(),
  preemption: z
    .strictObject({ checkpointS: num(0, LIMITS.durationS).optional(), restartS: num(0, 86_400).optional() })
    .optional(),
  maxParkS: num(1, 86_400).optional(),
  /** Runs fail at random and sites go out: the failure model, and how jobs recover. */
  failures: failuresSchema.optional(),
  /** Online services beside the jobs: serving job specs (kind serve, with a service section). */
  services: list(mapOf(z.unknown(), 64, text(64)), 100)
    .min(1)
    .optional(),
  /** The grid's demand-response requests during every run, and the order plans shed load in. */
  power: scenarioPowerSchema.optional(),
});

type ScenarioFile = z.infer<typeof scenarioSchema>;
type ChangeInput = z.infer<typeof changeSchema>;

/** Reads a scenario file and resolves everything it names, relative to the file's folder. */
export function loadScenarioFile(path: string): ScenarioPlan {
  const text = readInputFile(path, 'INVALID_SCENARIO', 'scenario');
  return parseScenario(text, path, dirname(resolve(path)));
}

/**
 * Parses a scenario and resolves its network, profiles and workload. Every error is one
 * SuanliError naming the file, line and field: a scenario that cannot run fails before it starts.
 */
export function parseScenario(text: string, source: string, baseDir: string): ScenarioPlan {
  let parsed: ParsedText;
  try {
    parsed = parseText(text, source);
  } catch (e) {
    if (e instanceof SuanliError) throw new SuanliError('INVALID_SCENARIO', e.message, e.location);
    throw e;
  }
  const file = validate(scenarioSchema, parsed, 'INVALID_SCENARIO');
  const fail = (at: FieldPath, message: string) => new SuanliError('INVALID_SCENARIO', message, parsed.locate(at));
  const here = (p: string) => resolve(baseDir, p);
  const seed = file.seed ?? 1;

  const resolved = resolveNetwork(file, here, fail);
  const networkName = resolved.networkName;
  // The section's budgets are the network every run starts from (the baseline's too).
  let network = resolved.network;
  try {
    network = applyChanges(
      network,
      (file.power?.budgets ?? []).map((b, k) => powerBudgetChange(b, k)),
    );
  } catch (e) {
    if (!(e instanceof WhatIfError)) throw e;
    throw fail(['power', 'budgets', e.index], e.message);
  }
  const policies = resolvePolicies(file, here, fail);
  const workload = resolveWorkload(file.workload, here, fail, seed);

  const rulesOf = (ref: string | undefined, at: FieldPath): Policy | undefined => {
    if (ref === undefined || ref === 'none') return undefined;
    if ((BUILTIN_POLICIES_FILES as readonly string[]).includes(ref) && !isPath(ref)) {
      return builtinPolicy(ref as (typeof BUILTIN_POLICIES_FILES)[number]);
    }
    if (!isPath(ref)) {
      throw fail(at, `unknown rules ${ref} (built in: ${BUILTIN_POLICIES_FILES.join(', ')}, none; or a rules file)`);
    }
    return loadPolicyFile(here(ref));
  };
  const baseRules = rulesOf(file.rules, ['rules']);
  const variants: {
    name: string;
    network: Network;
    policies: readonly string[];
    rules: Policy | undefined;
    cycleS?: number;
    recovery?: RecoveryMode;
    serving?: ServingMode;
    power?: PowerInput;
  }[] = [{ name: 'baseline', network, policies: policies.map((p) => p.name), rules: baseRules }];
  (file.whatIf ?? []).forEach((w, i) => {
    if (w.name === 'baseline') throw fail(['whatIf', i, 'name'], 'baseline is the name of the unchanged network');
    if (variants.some((v) => v.name === w.name)) throw fail(['whatIf', i, 'name'], `${w.name} is used twice`);
    if (w.serving !== undefined && !file.services) {
      throw fail(['whatIf', i, 'serving'], 'serving applies to services: give the scenario a services section');
    }
    if (
      w.changes === undefined &&
      w.rules === undefined &&
      w.cycleS === undefined &&
      w.recovery === undefined &&
      w.serving === undefined &&
      w.gridEvents === undefined
    ) {
      throw fail(
        ['whatIf', i],
        'a what-if changes the network (changes), the rules (rules), the cadence (cycleS), the recovery (recovery), the serving (serving) or the grid events (gridEvents)',
      );
    }
    if (w.recovery !== undefined && !file.failures) {
      throw fail(['whatIf', i, 'recovery'], 'recovery applies to failures: give the scenario a failures section');
    }
    let changed: Network;
    try {
      changed = applyChanges(
        network,
        (w.changes ?? []).map((c, k) => toChange(c, k)),
      );
    } catch (e) {
      if (!(e instanceof WhatIfError)) throw e;
      throw fail(['whatIf', i, 'changes', e.index], e.message);
    }
    const chosen = w.policies ?? [policies[0]?.name ?? 'default'];
    chosen.forEach((name, k) => {
      if (!policies.some((p) => p.name === name)) {
        throw fail(['whatIf', i, 'policies', k], `unknown policy ${name}: list it under policies first`);
      }
    });
    const rules = w.rules === undefined ? baseRules : rulesOf(w.rules, ['whatIf', i, 'rules']);
    const power = w.gridEvents && powerInputOf(w.gridEvents, changed, ['whatIf', i, 'gridEvents'], fail);
    variants.push({
      name: w.name,
      network: changed,
      policies: chosen,
      rules,
      ...(w.cycleS !== undefined ? { cycleS: w.cycleS } : {}),
      ...(w.recovery !== undefined ? { recovery: w.recovery } : {}),
      ...(w.serving !== undefined ? { serving: w.serving } : {}),
      ...(power ? { power } : {}),
    });
  });

  const failures = file.failures ? failureModelOf(file.failures, network, seed, fail) : undefined;
  const serving = file.services ? servingOf(file.services, network, fail) : undefined;
  const power = file.power ? powerInputOf(file.power, network, ['power'], fail) : undefined;
  const checkpointS = file.failures?.checkpointS;
  const runs: RunPlan[] = variants.flatMap((v) =>
    v.policies.map((name): RunPlan => {
      const p = policies.find((x) => x.name === name) as (typeof policies)[number];
      const jobs = workload.jobsFor(v.network);
      return {
        policy: p.name,
        variant: v.name,
        network: v.network,
        profile: v.rules ? withPolicy(p.profile, v.rules) : p.profile,
        estimates: p.estimates,
        jobs: checkpointS !== undefined ? () => withCheckpoints(jobs.jobs(), checkpointS) : jobs.jobs,
        ...(jobs.count !== undefined ? { jobCount: jobs.count } : {}),
        ...(v.cycleS !== undefined ? { cycleS: v.cycleS } : {}),
        ...(v.recovery !== undefined ? { recovery: v.recovery } : {}),
        ...(v.serving !== undefined ? { serving: v.serving } : {}),
        ...(v.power ? { power: v.power } : {}),
      };
    }),
  );
  const preemption = { checkpointS: file.preemption?.checkpointS ?? 0, restartS: file.preemption?.restartS ?? 60 };
  return {
    name: file.name,
    ...(file.description !== undefined ? { description: file.description } : {}),
    network: networkName,
    workload: workload.description,
    seed,
    cycleS: file.cycleS ?? 60,
    preemption,
    ...(file.maxParkS !== undefined ? { maxParkS: file.maxParkS } : {}),
    ...(failures ? { failures } : {}),
    ...(serving ? { serving } : {}),
    ...(power ? { power } : {}),
    runs,
  };
}

type Fail = (at: FieldPath, message: string) => SuanliError;

function resolveNetwork(
  file: ScenarioFile,
  here: (p: string) => string,
  fail: Fail,
): { network: Network; networkName: string } {
  const spec = file.network;
  const at: FieldPath = typeof spec === 'string' ? ['network'] : ['network', spec.file ? 'file' : 'builtin'];
  const builtin = typeof spec === 'string' ? (isPath(spec) ? undefined : spec) : spec.builtin;
  const path = typeof spec === 'string' ? (isPath(spec) ? spec : undefined) : spec.file;
  if ((builtin === undefined) === (path === undefined)) throw fail(['network'], 'give either builtin or file');
  let network: Network;
  if (builtin !== undefined) {
    if (!(BUILTIN_NETWORKS as readonly string[]).includes(builtin)) {
      throw fail(
        at,
        `unknown built-in network ${builtin} (known: ${BUILTIN_NETWORKS.join(', ')}; a file path needs a / or .yaml)`,
      );
    }
    network = builtinNetwork(builtin as (typeof BUILTIN_NETWORKS)[number]);
  } else {
    network = loadNetworkFile(here(path as string));
  }
  const scale = typeof spec === 'string' ? undefined : spec.scale;
  if (scale) network = scaleNetwork(network, scale);
  return { network, networkName: network.name };
}

function isPath(s: string): boolean {
  return s.includes('/') || s.endsWith('.yaml') || s.endsWith('.yml') || s.endsWith('.json');
}

interface ResolvedPolicy {
  readonly name: string;
  readonly profile: Profile;
  readonly estimates: EstimateMode;
}

function resolvePolicies(file: ScenarioFile, here: (p: string) => string, fail: Fail): ResolvedPolicy[] {
  const entries = file.policies ?? ['default'];
  const out: ResolvedPolicy[] = [];
  entries.forEach((entry, i) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    const builtin = BUILTIN_POLICIES[name];
    const profileRef = typeof entry === 'string' ? undefined : entry.profile;
    if (!builtin && profileRef === undefined) {
      throw fail(
        typeof entry === 'string' ? ['policies', i] : ['policies', i, 'name'],
        `unknown policy ${name} (built in: ${Object.keys(BUILTIN_POLICIES).join(', ')}; or give a profile)`,
      );
    }
    if (out.some((p) => p.name === name)) throw fail(['policies', i], `${name} is listed twice`);
    let profile: Profile;
    const ref = profileRef ?? builtin?.profile ?? name;
    if ((BUILTIN_PROFILES as readonly string[]).includes(ref) && !isPath(ref)) profile = builtinProfile(ref);
    else if (isPath(ref)) profile = loadProfileFile(here(ref));
    else {
      throw fail(
        ['policies', i, 'profile'],
        `unknown profile ${ref} (built in: ${BUILTIN_PROFILES.join(', ')}; a file path needs a / or .yaml)`,
      );
    }
    const estimates = (typeof entry === 'string' ? undefined : entry.estimates) ?? builtin?.estimates ?? 'history';
    out.push({ name, profile, estimates });
  });
  return out;
}

function toChange(c: ChangeInput, index: number): NetworkChange {
  if ('programme' in c) {
    return {
      kind: 'programme',
      programme: compileProgramme(c.programme, [], (_: FieldPath, m: string) => new WhatIfError(index, m)),
    };
  }
  if ('addCapacity' in c) {
    const a = c.addCapacity;
    return {
      kind: 'add-capacity',
      site: a.site,
      accelerator: a.accelerator,
      count: a.count,
      ...(a.priceCnyPerAcceleratorHour !== undefined
        ? { priceCnyPerAcceleratorHour: a.priceCnyPerAcceleratorHour }
        : {}),
    };
  }
  if ('removeCapacity' in c) {
    const r = c.removeCapacity;
    return {
      kind: 'remove-capacity',
      site: r.site,
      ...(r.accelerator !== undefined ? { accelerator: r.accelerator } : {}),
      ...(r.count !== undefined ? { count: r.count } : {}),
    };
  }
  if ('tariff' in c) {
    const t = c.tariff;
    return {
      kind: 'tariff',
      site: t.site,
      ...(t.factor !== undefined ? { factor: t.factor } : {}),
      ...(t.flatCnyPerKwh !== undefined ? { flatCnyPerKwh: t.flatCnyPerKwh } : {}),
    };
  }
  if ('carbon' in c) {
    const k = c.carbon;
    return {
      kind: 'carbon',
      site: k.site,
      ...(k.factor !== undefined ? { factor: k.factor } : {}),
      ...(k.gridCarbonKgPerKwh !== undefined ? { gridCarbonKgPerKwh: k.gridCarbonKgPerKwh } : {}),
      ...(k.greenShare !== undefined ? { greenShare: k.greenShare } : {}),
    };
  }
  if ('powerBudget' in c) return powerBudgetChange(c.powerBudget, index);
  if ('powerCap' in c) return { kind: 'power-cap', site: c.powerCap.site, powerCapMw: c.powerCap.powerCapMw };
  if ('nodeSize' in c) {
    const n = c.nodeSize;
    return {
      kind: 'node-size',
      site: n.site,
      ...(n.accelerator !== undefined ? { accelerator: n.accelerator } : {}),
      nodeSize: n.size,
    };
  }
  return { kind: 'sector-weights', weights: c.sectorWeights };
}
