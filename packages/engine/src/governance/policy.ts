/**
 * Governance rules as data: each rule has an id, the law or standard it comes from, where it is
 * checked (admission or placement), an effect and a condition over named facts. A policy is a
 * versioned list of rules. Evaluation is pure and fails closed: a fact a rule needs that is
 * missing, or of the wrong kind, makes the rule deny with "cannot be evaluated"
 * (docs/adr/0008-own-rule-evaluator.md).
 */

import { FACT_FIXES } from './fact-fixes.ts';

/** deny: the condition forbids; require: where `when` holds, `require` must; prefer: a softer site choice. */
export type Effect = 'deny' | 'require' | 'prefer';

/** Where a rule is checked: a job's admission, each site at placement, or a voucher's redemption at settlement. */
export type Stage = 'admission' | 'placement' | 'settlement';

/** A comparison of one fact. */
export type Matcher =
  | string
  | number
  | boolean
  | { readonly in: readonly (string | number | boolean)[] }
  | { readonly gte: number }
  | { readonly gt: number }
  | { readonly lte: number }
  | { readonly lt: number }
  | { readonly exists: boolean }
  | { readonly includes: string }
  | { readonly matches: string }
  | { readonly sameAs: string }
  /** The fact's value is one of the values of another fact, a list (`beneficiary.sector: { memberOf: programme.sectors }`). */
  | { readonly memberOf: string };

/** A condition: all / any / not of conditions, or facts compared (every listed fact must match). */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | { readonly [fact: string]: Matcher };

export interface Rule {
  readonly id: string;
  readonly title: string;
  /** The law, regulation or standard, with its article. */
  readonly source: string;
  readonly stage: Stage;
  readonly effect: Effect;
  /** Checked once per input data set (`dataset.*` facts), or once for the job. */
  readonly forEach?: 'dataset';
  /** When the rule applies; always when absent. */
  readonly when?: Condition;
  /** For `require`: what must hold where the rule applies. */
  readonly require?: Condition;
  /** For `prefer`: how much dearer a site that does not meet `when` counts (percent). */
  readonly penaltyPct?: number;
  /** Told to the user; `{fact}` is replaced with the fact's value. */
  readonly message: string;
  /** How to change the job (or what to record) so that the rule allows it; `{fact}` as in `message`. */
  readonly fix?: string;
}

export interface Policy {
  readonly name: string;
  readonly version: number;
  readonly rules: readonly Rule[];
}

/** Facts a rule reads: `job.kind`, `dataset.level`, `site.jurisdiction`, `transfer.individualsThisYear`… */
export type Facts = Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;

/** A fact a rule needs is missing or of the wrong kind: the rule cannot be evaluated and so denies. */
export class FactError extends Error {
  readonly fact: string;

  constructor(fact: string, message: string) {
    super(message);
    this.name = 'FactError';
    this.fact = fact;
  }
}

export function factValue(facts: Facts, path: string): unknown {
  const dot = path.indexOf('.');
  const group = facts[dot < 0 ? path : path.slice(0, dot)];
  if (dot < 0) return group;
  return group?.[path.slice(dot + 1)];
}

const COMBINATORS = new Set(['all', 'any', 'not']);

/** Whether a condition holds for the facts. Throws FactError when a fact it compares is missing. */
export function holds(c: Condition, facts: Facts): boolean {
  if ('all' in c && Array.isArray(c.all)) return (c.all as Condition[]).every((x) => holds(x, facts));
  if ('any' in c && Array.isArray(c.any)) return (c.any as Condition[]).some((x) => holds(x, facts));
  if ('not' in c && typeof c.not === 'object' && !Array.isArray(c.not)) return !holds(c.not as Condition, facts);
  for (const [path, m] of Object.entries(c)) {
    if (COMBINATORS.has(path)) continue;
    if (!matches(path, m as Matcher, factValue(facts, path), facts)) return false;
  }
  return true;
}

function matches(path: string, m: Matcher, v: unknown, facts: Facts): boolean {
  if (typeof m === 'object' && m !== null && 'exists' in m) {
    return (v !== undefined && v !== null && v !== '') === m.exists;
  }
  if (v === undefined || v === null) throw new FactError(path, `${path} is not known`);
  if (typeof m !== 'object') {
    if (typeof v !== typeof m) throw new FactError(path, `${path} is ${JSON.stringify(v)}, not a ${typeof m}`);
    return v === m;
  }
  if ('in' in m) return m.in.includes(v as string | number | boolean);
  if ('includes' in m) {
    if (!Array.isArray(v)) throw new FactError(path, `${path} is not a list`);
    return v.includes(m.includes);
  }
  if ('matches' in m) {
    if (typeof v !== 'string') throw new FactError(path, `${path} is not text`);
    return new RegExp(m.matches, 'u').test(v);
  }
  if ('memberOf' in m) {
    const list = factValue(facts, m.memberOf);
    if (!Array.isArray(list)) throw new FactError(m.memberOf, `${m.memberOf} is not a list`);
    return list.includes(v);
  }
  if ('sameAs' in m) {
    const other = factValue(facts, m.sameAs);
    if (other === undefined || other === null) return false;
    return v === other;
  }
  if (typeof v !== 'number') throw new FactError(path, `${path} is ${JSON.stringify(v)}, not a number`);
  if ('gte' in m) return v >= m.gte;
  if ('gt' in m) return v > m.gt;
  if ('lte' in m) return v <= m.lte;
  return v < (m as { lt: number }).lt;
}

/** The outcome of one rule for one set of facts. */
export interface RuleOutcome {
  readonly rule: Rule;
  /** `denied` and `unknown` stop the job; `dispreferred` only makes the site count dearer. */
  readonly result: 'allowed' | 'denied' | 'unknown' | 'dispreferred';
  readonly reason?: string;
}

type Test = (facts: Facts) => boolean;

/** A condition compiled once into a closure: paths split, matchers chosen, regular expressions built. */
export function compileCondition(c: Condition): Test {
  if ('all' in c && Array.isArray(c.all)) {
    const parts = (c.all as Condition[]).map(compileCondition);
    return (f) => parts.every((t) => t(f));
  }
  if ('any' in c && Array.isArray(c.any)) {
    const parts = (c.any as Condition[]).map(compileCondition);
    return (f) => parts.some((t) => t(f));
  }
  if ('not' in c && typeof c.not === 'object' && !Array.isArray(c.not)) {
    const inner = compileCondition(c.not as Condition);
    return (f) => !inner(f);
  }
  const leaves = Object.entries(c)
    .filter(([path]) => !COMBINATORS.has(path))
    .map(([path, m]) => compileLeaf(path, m as Matcher));
  return (f) => {
    for (const t of leaves) if (!t(f)) return false;
    return true;
  };
}

function compileLeaf(path: string, m: Matcher): Test {
  const dot = path.indexOf('.');
  const group = dot < 0 ? path : path.slice(0, dot);
  const name = dot < 0 ? undefined : path.slice(dot + 1);
  const get = (f: Facts): unknown => (name === undefined ? f[group] : f[group]?.[name]);
  if (typeof m === 'object' && m !== null && 'matches' in m) {
    const re = new RegExp(m.matches, 'u');
    return (f) => {
      const v = get(f);
      if (v === undefined || v === null) throw new FactError(path, `${path} is not known`);
      if (typeof v !== 'string') throw new FactError(path, `${path} is not text`);
      return re.test(v);
    };
  }
  return (f) => matches(path, m, get(f), f);
}

interface CompiledRule {
  readonly when: Test | undefined;
  readonly needs: Test | undefined;
}

const compiled = new WeakMap<Rule, CompiledRule>();

function compiledRule(rule: Rule): CompiledRule {
  let c = compiled.get(rule);
  if (!c) {
    c = {
      when: rule.when === undefined ? undefined : compileCondition(rule.when),
      needs: rule.require === undefined ? undefined : compileCondition(rule.require),
    };
    compiled.set(rule, c);
  }
  return c;
}

const ALLOWED = new WeakMap<Rule, RuleOutcome>();

function allowed(rule: Rule): RuleOutcome {
  let o = ALLOWED.get(rule);
  if (!o) {
    o = { rule, result: 'allowed' };
    ALLOWED.set(rule, o);
  }
  return o;
}

/** Applies one rule. A FactError becomes `unknown`: the rule could not be evaluated, so it denies. */
export function applyRule(rule: Rule, facts: Facts): RuleOutcome {
  const c = compiledRule(rule);
  try {
    const applies = c.when === undefined || c.when(facts);
    if (rule.effect === 'deny') return applies ? denial(rule, facts) : allowed(rule);
    if (rule.effect === 'require') {
      if (!applies) return allowed(rule);
      return c.needs === undefined || c.needs(facts) ? allowed(rule) : denial(rule, facts);
    }
    return applies ? allowed(rule) : { rule, result: 'dispreferred', reason: describe(rule, facts) };
  } catch (e) {
    if (!(e instanceof FactError)) throw e;
    const fix = FACT_FIXES[e.fact];
    return {
      rule,
      result: 'unknown',
      reason: `${rule.id} cannot be evaluated: ${e.message} [${rule.source}]${fix ? ` — to fix: ${fix}` : ''}`,
    };
  }
}

function denial(rule: Rule, facts: Facts): RuleOutcome {
  return { rule, result: 'denied', reason: describe(rule, facts) };
}

/** `R01: dataset corpus is core data … [DSL Art. 21] — to fix: …`. */
export function describe(rule: Rule, facts: Facts): string {
  const fix = rule.fix === undefined ? '' : ` — to fix: ${fill(rule.fix, facts)}`;
  return `${rule.id}: ${fill(rule.message, facts)} [${rule.source}]${fix}`;
}

/** A message with its `{fact}` places filled in; a fact that is not known says so. */
function fill(template: string, facts: Facts): string {
  return template.replace(/\{([a-zA-Z]+\.[a-zA-Z0-9-]+)\}/g, (_, p: string) => {
    const v = factValue(facts, p);
    if (v === undefined || v === null || v === '') return `(${p} not given)`;
    return Array.isArray(v) ? v.join(', ') : String(v);
  });
}
