import type { Job } from '../domain/job.ts';
import type { Network } from '../domain/network.ts';
import type { Site } from '../domain/site.ts';
import type { ExportRecord } from '../domain/snapshot.ts';
import type { Cycle } from '../framework/cycle.ts';
import type { ScorePlugin, SiteFilterPlugin } from '../framework/plugin.ts';
import type { Profile } from '../framework/profile.ts';
import { unresolvable } from '../framework/status.ts';
import { type ExportTally, FactCache, tallyExports, yearOf } from './facts.ts';
import { applyRule, type Condition, type Facts, type Policy, type Rule, type RuleOutcome } from './policy.ts';

export const GOVERNANCE = 'governance';
export const GOVERNANCE_PREFERENCE = 'governance-preference';

/** Outcomes of a stage's rules for a job (and a site): every rule, each data set where it says so. */
export function evaluateRules(rules: readonly Rule[], facts: FactCache, job: Job, site?: Site): RuleOutcome[] {
  const out: RuleOutcome[] = [];
  let plain: Facts | undefined;
  let perDataset: Facts[] | undefined;
  for (const rule of rules) {
    if (rule.forEach === 'dataset') {
      perDataset ??= job.datasets.map((d) => facts.facts(job, d, site));
      for (const f of perDataset) out.push(applyRule(rule, f));
    } else {
      plain ??= facts.facts(job, undefined, site);
      out.push(applyRule(rule, plain));
    }
  }
  return out;
}

/** The first denial (or rule that cannot be evaluated) of the rules for a job at a site; null when none. */
function firstDenial(rules: readonly Rule[], facts: FactCache, job: Job, site: Site): string | null {
  let plain: Facts | undefined;
  let perDataset: Facts[] | undefined;
  for (const rule of rules) {
    if (rule.forEach === 'dataset') {
      if (job.datasets.length === 0) continue;
      perDataset ??= job.datasets.map((d) => facts.facts(job, d, site));
      for (const f of perDataset) {
        const o = applyRule(rule, f);
        if (o.result === 'denied' || o.result === 'unknown') return o.reason ?? rule.id;
      }
    } else {
      plain ??= facts.facts(job, undefined, site);
      const o = applyRule(rule, plain);
      if (o.result === 'denied' || o.result === 'unknown') return o.reason ?? rule.id;
    }
  }
  return null;
}

/** The cycle's fact cache: sources from the snapshot, tallies per legal entity computed once. */
function factsOf(cycle: Cycle): FactCache {
  return cycle.state(GOVERNANCE, () => {
    const year = yearOf(cycle.nowS);
    const tallies = new Map<string, ExportTally>();
    return new FactCache({
      network: cycle.net.network,
      nowS: cycle.nowS,
      tally: (entity: string) => {
        let t = tallies.get(entity);
        if (!t) {
          t = tallyExports(cycle.exports, entity, year);
          tallies.set(entity, t);
        }
        return t;
      },
    });
  });
}

/** Placement rules as a site filter: the first denial (or rule that cannot be evaluated) rejects the site, naming the rule. */
export function governanceFilter(policy: Policy): SiteFilterPlugin {
  const rules = policy.rules.filter((r) => r.stage === 'placement' && r.effect !== 'prefer');
  const onlyPerDataset = rules.every((r) => r.forEach === 'dataset');
  // When the rules' conditions read no more of a site than its jurisdiction and core-data approval,
  // sites alike in those get the same verdict: a pass is computed once per job and kind of site.
  const siteFacts = new Set(
    rules.flatMap((r) => [...factsRead(r.when), ...factsRead(r.require)]).filter((f) => f.startsWith('site.')),
  );
  const byKind = [...siteFacts].every((f) =>
    ['site.jurisdiction', 'site.mainland', 'site.coreDataApproved'].includes(f),
  );
  return {
    name: GOVERNANCE,
    filterSite(cycle, job, site) {
      // Data rules have nothing to check for a job that reads no data.
      if (onlyPerDataset && job.datasets.length === 0) return null;
      const kind = byKind ? `${site.site.jurisdiction}|${site.site.coreDataApproved === true}` : undefined;
      const passes = cycle.state(`${GOVERNANCE}:passes`, () => new WeakMap<Job, Set<string>>());
      const known = kind === undefined ? undefined : passes.get(job);
      if (kind !== undefined && known?.has(kind)) return null;
      const reason = firstDenial(rules, factsOf(cycle), job, site.site);
      if (reason === null && kind !== undefined) {
        if (known) known.add(kind);
        else passes.set(job, new Set([kind]));
      }
      return reason === null ? null : unresolvable(reason);
    },
  };
}

/** Placement `prefer` rules as a cost score: a site that does not meet one counts `penaltyPct` dearer. */
export function governancePreference(policy: Policy): ScorePlugin {
  const rules = policy.rules.filter((r) => r.stage === 'placement' && r.effect === 'prefer');
  const onlyPerDataset = rules.every((r) => r.forEach === 'dataset');
  return {
    name: GOVERNANCE_PREFERENCE,
    objective: 'cost',
    measure(cycle, job, option) {
      if (onlyPerDataset && job.datasets.length === 0) return option.costCny;
      // The penalty depends on the job and the site, not on the pool or the start: once per pair.
      const bySite = cycle.state(GOVERNANCE_PREFERENCE, () => new WeakMap<Job, Float64Array>());
      let penalties = bySite.get(job);
      if (!penalties) {
        penalties = new Float64Array(cycle.net.sites.length).fill(Number.NaN);
        bySite.set(job, penalties);
      }
      let penalty = penalties[option.site.index] as number;
      if (Number.isNaN(penalty)) {
        penalty = 0;
        for (const o of evaluateRules(rules, factsOf(cycle), job, option.site.site)) {
          if (o.result !== 'allowed') penalty += o.rule.penaltyPct ?? 0;
        }
        penalties[option.site.index] = penalty;
      }
      return option.costCny * (1 + penalty / 100);
    },
  };
}

/** The profile with the policy's placement rules in front of its site filters (and its preferences as a score). */
export function withPolicy(profile: Profile, policy: Policy): Profile {
  const prefers = policy.rules.some((r) => r.stage === 'placement' && r.effect === 'prefer');
  return {
    ...profile,
    siteFilters: [governanceFilter(policy), ...profile.siteFilters.filter((f) => f.name !== GOVERNANCE)],
    scores: [
      ...profile.scores.filter((s) => s.plugin.name !== GOVERNANCE_PREFERENCE),
      ...(prefers ? [{ plugin: governancePreference(policy), weight: 1 }] : []),
    ],
  };
}

export interface Admission {
  readonly allowed: boolean;
  /** Rules that deny, each `R11: … [source]`; rules that could not be evaluated deny too. */
  readonly denials: readonly { readonly rule: string; readonly reason: string }[];
  /** Every admission rule that was checked. */
  readonly checked: readonly string[];
  readonly policy: { readonly name: string; readonly version: number };
}

/**
 * Admission: the job's admission rules, before it is queued. Pure; the service calls it on
 * submit and refuses the job when it is not allowed.
 */
export function admit(
  policy: Policy,
  job: Job,
  network: Network,
  exports: readonly ExportRecord[],
  nowS: number,
): Admission {
  const rules = policy.rules.filter((r) => r.stage === 'admission');
  const year = yearOf(nowS);
  const facts = new FactCache({ network, nowS, tally: (e) => tallyExports(exports, e, year) });
  const denials = evaluateRules(rules, facts, job)
    .filter((o) => o.result === 'denied' || o.result === 'unknown')
    .map((o) => ({ rule: o.rule.id, reason: o.reason ?? o.rule.id }));
  return {
    allowed: denials.length === 0,
    denials,
    checked: rules.map((r) => r.id),
    policy: { name: policy.name, version: policy.version },
  };
}

/**
 * A dry run of every rule for a job: admission, and placement at each site. What
 * `suanli policies test` shows.
 */
export function testPolicy(
  policy: Policy,
  job: Job,
  network: Network,
  exports: readonly ExportRecord[],
  nowS: number,
): { admission: Admission; sites: { siteId: string; allowed: boolean; reasons: string[] }[] } {
  const admission = admit(policy, job, network, exports, nowS);
  const year = yearOf(nowS);
  const facts = new FactCache({ network, nowS, tally: (e) => tallyExports(exports, e, year) });
  const rules = policy.rules.filter((r) => r.stage === 'placement');
  const sites = network.sites.map((site) => {
    const outcomes = evaluateRules(rules, facts, job, site);
    const reasons = outcomes.filter((o) => o.result !== 'allowed').map((o) => o.reason ?? o.rule.id);
    const allowed = !outcomes.some((o) => o.result === 'denied' || o.result === 'unknown');
    return { siteId: site.id, allowed, reasons };
  });
  return { admission, sites };
}

/** Every fact a condition names, as `group.name`. */
function factsRead(c: Condition | undefined): string[] {
  if (c === undefined) return [];
  if ('all' in c && Array.isArray(c.all)) return (c.all as Condition[]).flatMap(factsRead);
  if ('any' in c && Array.isArray(c.any)) return (c.any as Condition[]).flatMap(factsRead);
  if ('not' in c && typeof c.not === 'object' && !Array.isArray(c.not)) return factsRead(c.not as Condition);
  return Object.entries(c).flatMap(([k, m]) => [
    k,
    ...(typeof m === 'object' && m !== null && 'sameAs' in m ? [m.sameAs] : []),
    ...(typeof m === 'object' && m !== null && 'memberOf' in m ? [m.memberOf] : []),
  ]);
}
