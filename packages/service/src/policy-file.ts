import { fileURLToPath } from 'node:url';
import { type Condition, FACT_NAMES, type Matcher, type Policy, type Rule } from '@suanli/engine';
import { z } from 'zod';
import { SuanliError } from './errors.ts';
import { type FieldPath, fieldError, type ParsedText, parseText, readInputFile, validate } from './text-input.ts';

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[A-Z][A-Z0-9]*(-[a-z0-9]+)*$/, 'must look like R01 or R04-contract'),
  title: z.string().min(1),
  source: z.string().min(1),
  stage: z.enum(['admission', 'placement']),
  effect: z.enum(['deny', 'require', 'prefer']),
  forEach: z.literal('dataset').optional(),
  when: z.unknown().optional(),
  require: z.unknown().optional(),
  penaltyPct: z.number().min(0).max(1000).optional(),
  message: z.string().min(1),
});

const policySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  version: z.number().int().min(1),
  description: z.string().optional(),
  rules: z.array(ruleSchema).min(1),
});

const MATCHER_KEYS = ['in', 'gte', 'gt', 'lte', 'lt', 'exists', 'includes', 'matches', 'sameAs'];

/** Checks a condition tree: known facts only, well-formed matchers, regular expressions that compile. */
function checkCondition(
  c: unknown,
  at: FieldPath,
  fail: (at: FieldPath, m: string) => SuanliError,
  allowed: ReadonlySet<string>,
): Condition {
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw fail(at, 'a condition is a map: facts, or all / any / not');
  const entries = Object.entries(c as Record<string, unknown>);
  if (entries.length === 0) throw fail(at, 'an empty condition');
  for (const [key, value] of entries) {
    const here = [...at, key];
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(value) || value.length === 0) throw fail(here, `${key} takes a non-empty list of conditions`);
      value.forEach((x, i) => {
        checkCondition(x, [...here, i], fail, allowed);
      });
      continue;
    }
    if (key === 'not') {
      checkCondition(value, here, fail, allowed);
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
  if (typeof m === 'string' || typeof m === 'number' || typeof m === 'boolean') return m;
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw fail(at, 'compare with a value or one of in, gte, gt, lte, lt, exists, includes, matches, sameAs');
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
    (['includes', 'matches', 'sameAs'].includes(k) && typeof v === 'string');
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
  if (k === 'sameAs') checkFact(v as string, here, fail, allowed);
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
