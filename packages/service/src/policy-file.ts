import { fileURLToPath } from 'node:url';
import { type Condition, FACT_NAMES, type Matcher, type Policy, type Rule } from '@suanli/engine';
import { z } from 'zod';
import { SuanliError } from './errors.ts';
import { int, LIMITS, list, num, text } from './limits.ts';
import { type FieldPath, fieldError, type ParsedText, parseText, readInputFile, validate } from './text-input.ts';

/** Conditions are trees checked by `checkCondition` (facts, matchers, size and depth bounded). */
const ruleSchema = z.strictObject({
  id: text(64).regex(/^[A-Z][A-Z0-9]*(-[a-z0-9]+)*$/, 'must look like R01 or R04-contract'),
  title: text(256).min(1),
  source: text(LIMITS.textChars).min(1),
  stage: z.enum(['admission', 'placement']),
  effect: z.enum(['deny', 'require', 'prefer']),
  forEach: z.literal('dataset').optional(),
  when: z.unknown().optional(),
  require: z.unknown().optional(),
  penaltyPct: num(0, 1000).optional(),
  message: text(LIMITS.textChars).min(1),
  /** How to change the job so that the rule allows it; shown after the message. */
  fix: text(LIMITS.textChars).min(1).optional(),
});

export const policySchema = z.strictObject({
  name: text(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  version: int(1, 1_000_000),
  description: text(LIMITS.textChars).optional(),
  rules: list(ruleSchema, LIMITS.policyRules).min(1),
});

/** What a condition tree may hold: its nodes, their nesting, the values of an `in`, a number's size. */
interface ConditionBudget {
  nodes: number;
}

const MATCHER_KEYS = ['in', 'gte', 'gt', 'lte', 'lt', 'exists', 'includes', 'matches', 'sameAs', 'memberOf'];

/** Checks a condition tree: known facts only, well-formed matchers, regular expressions that compile. */
function checkCondition(
  c: unknown,
  at: FieldPath,
  fail: (at: FieldPath, m: string) => SuanliError,
  allowed: ReadonlySet<string>,
  budget: ConditionBudget = { nodes: 0 },
  depth = 1,
): Condition {
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw fail(at, 'a condition is a map: facts, or all / any / not');
  if (depth > LIMITS.conditionDepth) throw fail(at, `conditions nest at most ${LIMITS.conditionDepth} deep`);
  budget.nodes += 1;
  if (budget.nodes > LIMITS.conditionNodes) {
    throw fail(at, `a rule's conditions have at most ${LIMITS.conditionNodes} parts`);
  }
  const entries = Object.entries(c as Record<string, unknown>);
  if (entries.length === 0) throw fail(at, 'an empty condition');
  for (const [key, value] of entries) {
    const here = [...at, key];
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(value) || value.length === 0) throw fail(here, `${key} takes a non-empty list of conditions`);
      value.forEach((x, i) => {
        checkCondition(x, [...here, i], fail, allowed, budget, depth + 1);
      });
      continue;
    }
    if (key === 'not') {
      checkCondition(value, here, fail, allowed, budget, depth + 1);
      continue;
    }
    checkFact(key, here, fail, allowed);
    checkMatcher(value, here, fail, allowed);
  }
  return c as Condition;
}

function checkFact(
  path: string,
  at: FieldPath,
  fail: (at: FieldPath, m: string) => SuanliError,
  allowed: ReadonlySet<string>,
) {
  const [group, name, ...rest] = path.split('.');
  const names = FACT_NAMES[group ?? ''];
  if (!names || name === undefined || rest.length > 0 || !names.includes(name)) {
    const known = names ? names.map((n) => `${group}.${n}`).join(', ') : Object.keys(FACT_NAMES).join(', ');
    throw fail(at, `unknown fact ${path} (known: ${known})`);
  }
  if (!allowed.has(group as string)) {
    throw fail(
      at,
      `${path} is not known here: ${group}.* facts need ${group === 'dataset' ? '`forEach: dataset`' : '`stage: placement`'}`,
    );
  }
}

function checkMatcher(
  m: unknown,
  at: FieldPath,
  fail: (at: FieldPath, m: string) => SuanliError,
  allowed: ReadonlySet<string>,
): Matcher {
  if (typeof m === 'string' && m.length > 256) throw fail(at, 'a value has at most 256 characters');
  if (typeof m === 'number' && !(Math.abs(m) <= 1e15)) throw fail(at, 'a number is within ±10^15');
  if (typeof m === 'string' || typeof m === 'number' || typeof m === 'boolean') return m;
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw fail(at, 'compare with a value or one of in, gte, gt, lte, lt, exists, includes, matches, sameAs, memberOf');
  const keys = Object.keys(m);
  if (keys.length !== 1 || !MATCHER_KEYS.includes(keys[0] as string)) {
    throw fail(at, `one comparison per fact: ${MATCHER_KEYS.join(', ')}`);
  }
  const [k, v] = Object.entries(m)[0] as [string, unknown];
  const here = [...at, k];
  const ok =
    (k === 'in' &&
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) ||
    (['gte', 'gt', 'lte', 'lt'].includes(k) && typeof v === 'number') ||
    (k === 'exists' && typeof v === 'boolean') ||
    (['includes', 'matches', 'sameAs', 'memberOf'].includes(k) && typeof v === 'string');
  const bounded =
    !ok ||
    ((k !== 'in' || (v as unknown[]).length <= LIMITS.conditionValues) &&
      (typeof v !== 'string' || v.length <= LIMITS.regexChars) &&
      (typeof v !== 'number' || Math.abs(v) <= 1e15) &&
      (k !== 'in' || (v as unknown[]).every((x) => typeof x !== 'string' || x.length <= 256)));
  if (ok && !bounded) {
    throw fail(
      here,
      `at most ${LIMITS.conditionValues} values of 256 characters, text of ${LIMITS.regexChars}, numbers within ±10^15`,
    );
  }
  if (!ok)
    throw fail(
      here,
      `${k} takes ${k === 'in' ? 'a non-empty list of values' : ['gte', 'gt', 'lte', 'lt'].includes(k) ? 'a number' : k === 'exists' ? 'true or false' : 'text'}`,
    );
  if (k === 'matches') {
    try {
      new RegExp(v as string, 'u');
    } catch (e) {
      throw fail(here, `not a regular expression: ${(e as Error).message}`);
    }
  }
  if (k === 'sameAs' || k === 'memberOf') checkFact(v as string, here, fail, allowed);
  return m as Matcher;
}

/**
 * Reads a policy (YAML or JSON) and checks every rule: known facts in conditions and messages,
 * matchers that make sense, unique ids, `require` exactly for require rules. A policy with any
 * error is refused whole, naming file, line and field: nothing is enforced half-loaded.
 */
export function parsePolicy(text: string, source: string): Policy {
  let parsed: ParsedText;
  try {
    parsed = parseText(text, source);
  } catch (e) {
    if (e instanceof SuanliError) throw new SuanliError('INVALID_POLICY', e.message, e.location);
    throw e;
  }
  const file = validate(policySchema, parsed, 'INVALID_POLICY');
  const fail = (at: FieldPath, m: string) => fieldError(parsed, 'INVALID_POLICY', at, m);
  const seen = new Set<string>();
  const rules: Rule[] = file.rules.map((r, i) => {
    const at: FieldPath = ['rules', i];
    if (seen.has(r.id)) throw fail([...at, 'id'], `rule ${r.id} is defined twice`);
    seen.add(r.id);
    const allowed = new Set(['job', 'tenant', 'model', 'approval']);
    if (r.forEach === 'dataset') allowed.add('dataset');
    if (r.stage === 'placement') {
      allowed.add('site');
      if (r.forEach === 'dataset') allowed.add('transfer');
    }
    if (r.effect === 'require' && r.require === undefined) throw fail(at, 'a require rule needs `require`');
    if (r.effect !== 'require' && r.require !== undefined)
      throw fail([...at, 'require'], 'only require rules take `require`');
    if (r.effect === 'prefer' && r.stage !== 'placement')
      throw fail([...at, 'effect'], 'prefer rules rank sites: stage must be placement');
    if (r.effect === 'prefer' && r.penaltyPct === undefined) throw fail(at, 'a prefer rule needs `penaltyPct`');
    if (r.effect === 'prefer' && r.when === undefined)
      throw fail(at, 'a prefer rule needs `when`: what a preferred site is');
    for (const m of r.message.matchAll(/\{([^}]*)\}/g)) checkFact(m[1] ?? '', [...at, 'message'], fail, allowed);
    for (const m of (r.fix ?? '').matchAll(/\{([^}]*)\}/g)) checkFact(m[1] ?? '', [...at, 'fix'], fail, allowed);
    return {
      id: r.id,
      title: r.title,
      source: r.source,
      stage: r.stage,
      effect: r.effect,
      ...(r.forEach ? { forEach: r.forEach } : {}),
      ...(r.when !== undefined ? { when: checkCondition(r.when, [...at, 'when'], fail, allowed) } : {}),
      ...(r.require !== undefined ? { require: checkCondition(r.require, [...at, 'require'], fail, allowed) } : {}),
      ...(r.penaltyPct !== undefined ? { penaltyPct: r.penaltyPct } : {}),
      message: r.message.trim(),
      ...(r.fix !== undefined ? { fix: r.fix.trim() } : {}),
    };
  });
  return { name: file.name, version: file.version, rules };
}

export function loadPolicyFile(path: string): Policy {
  const text = readInputFile(path, 'INVALID_POLICY', 'policy');
  return parsePolicy(text, path);
}

export const BUILTIN_POLICIES_FILES = ['china'] as const;

/** A built-in policy: `china` (the default). */
export function builtinPolicy(name: (typeof BUILTIN_POLICIES_FILES)[number] = 'china'): Policy {
  return loadPolicyFile(fileURLToPath(new URL(`../policies/${name}.yaml`, import.meta.url)));
}
