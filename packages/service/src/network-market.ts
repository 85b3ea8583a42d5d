/**
 * The market part of a network file: the companies that operate sites (who is paid, and who their
 * related parties are) and the sector programmes (AI+) with their share boosts and voucher budgets.
 */
import { JOB_KINDS, type Programme, SECTORS, type SiteOperator } from '@suanli/engine';
import { z } from 'zod';
import { LIMITS, list, positive, text } from './limits.ts';
import type { FieldPath } from './text-input.ts';

const slug = text(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, like zhong-wei');
const legalEntity = text(18).regex(/^[0-9A-Z]{18}$/, 'a unified social credit code: 18 digits or capitals');
const date = text(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD');

export const operatorSchema = z.strictObject({
  id: slug,
  name: text(256).min(1),
  legalEntity: legalEntity.optional(),
  relatedEntities: list(legalEntity, 100).optional(),
});

export const programmeSchema = z.strictObject({
  id: slug,
  name: text(256).min(1),
  sectors: list(z.enum(SECTORS), SECTORS.length).min(1),
  kinds: list(z.enum(JOB_KINDS), JOB_KINDS.length).optional(),
  shareBoost: positive(10).optional(),
  /** Voucher budget in yuan (whole fen). */
  budgetCny: z.number().min(0).max(LIMITS.budgetCny),
  validFrom: date,
  validTo: date,
});

type OperatorInput = z.infer<typeof operatorSchema>;
type ProgrammeInput = z.infer<typeof programmeSchema>;
type Fail = (path: FieldPath, message: string) => Error;

const dayStartS = (d: string) => Date.parse(`${d}T00:00:00+08:00`) / 1000;

export function compileOperators(input: readonly OperatorInput[] | undefined, fail: Fail): SiteOperator[] {
  const ids = new Set<string>();
  return (input ?? []).map((o, i) => {
    if (ids.has(o.id)) throw fail(['operators', i, 'id'], `duplicate operator ${o.id}`);
    ids.add(o.id);
    return {
      id: o.id,
      name: o.name,
      ...(o.legalEntity !== undefined ? { legalEntity: o.legalEntity } : {}),
      ...(o.relatedEntities ? { relatedEntities: o.relatedEntities } : {}),
    };
  });
}

export function compileProgrammes(input: readonly ProgrammeInput[] | undefined, fail: Fail): Programme[] {
  const ids = new Set<string>();
  return (input ?? []).map((p, i) => {
    if (ids.has(p.id)) throw fail(['programmes', i, 'id'], `duplicate programme ${p.id}`);
    ids.add(p.id);
    return compileProgramme(p, ['programmes', i], fail);
  });
}

/** One programme (of a network file, or a scenario's what-if), its dates in Beijing time. */
export function compileProgramme(p: ProgrammeInput, at: FieldPath, fail: Fail): Programme {
  const from = dayStartS(p.validFrom);
  // Valid through the last day named.
  const to = dayStartS(p.validTo) + 86_400;
  if (!Number.isFinite(from)) throw fail([...at, 'validFrom'], `not a date: ${p.validFrom}`);
  if (!Number.isFinite(to) || !(to > from)) throw fail([...at, 'validTo'], 'must be a date on or after validFrom');
  return {
    id: p.id,
    name: p.name,
    sectors: p.sectors,
    kinds: p.kinds ?? JOB_KINDS,
    shareBoost: p.shareBoost ?? 1,
    budgetFen: Math.round(p.budgetCny * 100),
    validFromS: from,
    validToS: to,
  };
}

/** Checks that every site names a known operator (when any are listed). */
export function checkSiteOperators(
  sites: readonly { readonly operator?: string | undefined }[],
  operators: readonly SiteOperator[],
  fail: Fail,
): void {
  const ids = new Set(operators.map((o) => o.id));
  sites.forEach((s, i) => {
    if (s.operator !== undefined && !ids.has(s.operator)) {
      throw fail(['sites', i, 'operator'], `unknown operator ${s.operator} (list it under operators:)`);
    }
  });
}
