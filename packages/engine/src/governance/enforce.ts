import type { Job } from '../domain/job.ts';
import type { Network } from '../domain/network.ts';
import type { ExportRecord } from '../domain/snapshot.ts';
import type { Cycle } from '../framework/cycle.ts';
import type { ScorePlugin, SiteFilterPlugin } from '../framework/plugin.ts';
import type { Profile } from '../framework/profile.ts';
import { unresolvable } from '../framework/status.ts';
import { type ExportTally, type FactSources, factsFor, tallyExports, yearOf } from './facts.ts';
import { applyRule, type Policy, type Rule, type RuleOutcome } from './policy.ts';

export const GOVERNANCE = 'governance';
export const GOVERNANCE_PREFERENCE = 'governance-preference';

/** Outcomes of a stage's rules for a job (and a site): every rule, each data set where it says so. */
export function evaluateRules(
  rules: readonly Rule[],
  src: FactSources,
  job: Job,
  site?: Parameters<typeof factsFor>[3],
): RuleOutcome[] {
  const out: RuleOutcome[] = [];
  let plain: ReturnType<typeof factsFor> | undefined;
  for (const rule of rules) {
    if (rule.forEach === 'dataset') {
      for (const d of job.datasets) out.push(applyRule(rule, factsFor(src, job, d, site)));
    } else {
      plain ??= factsFor(src, job, undefined, site);
      out.push(applyRule(rule, plain));
    }
  }
  return out;
}

function sourcesOf(cycle: Cycle): FactSources {
  return cycle.state(GOVERNANCE, () => {
    const year = yearOf(cycle.nowS);
    const tallies = new Map<string, ExportTally>();
    return {
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
    } satisfies FactSources;
  });
}

/** Placement rules as a site filter: the first denial (or rule that cannot be evaluated) rejects the site, naming the rule. */
export function governanceFilter(policy: Policy): SiteFilterPlugin {
  const rules = policy.rules.filter((r) => r.stage === 'placement' && r.effect !== 'prefer');
  return {
    name: GOVERNANCE,
    filterSite(cycle, job, site) {
      for (const o of evaluateRules(rules, sourcesOf(cycle), job, site.site)) {
        if (o.result === 'denied' || o.result === 'unknown') return unresolvable(o.reason ?? o.rule.id);
      }
      return null;
    },
  };
}

/** Placement `prefer` rules as a cost score: a site that does not meet one counts `penaltyPct` dearer. */
export function governancePreference(policy: Policy): ScorePlugin {
  const rules = policy.rules.filter((r) => r.stage === 'placement' && r.effect === 'prefer');
  return {
    name: GOVERNANCE_PREFERENCE,
    objective: 'cost',
    measure(cycle, job, option) {
      let penalty = 0;
      for (const o of evaluateRules(rules, sourcesOf(cycle), job, option.site.site)) {
        if (o.result !== 'allowed') penalty += o.rule.penaltyPct ?? 0;
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
  const src: FactSources = { network, nowS, tally: (e) => tallyExports(exports, e, year) };
  const denials = evaluateRules(rules, src, job)
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
  const src: FactSources = { network, nowS, tally: (e) => tallyExports(exports, e, year) };
  const rules = policy.rules.filter((r) => r.stage === 'placement');
  const sites = network.sites.map((site) => {
    const outcomes = evaluateRules(rules, src, job, site);
    const reasons = outcomes.filter((o) => o.result !== 'allowed').map((o) => o.reason ?? o.rule.id);
    const allowed = !outcomes.some((o) => o.result === 'denied' || o.result === 'unknown');
    return { siteId: site.id, allowed, reasons };
  });
  return { admission, sites };
}
