/**
 * Compute vouchers (算力券) of sector programmes: issued to a tenant from a programme's budget,
 * redeemed against metered, settled bill lines. Their rules are governance rules, checked by the
 * same evaluator as data and model rules (docs/adr/0008-own-rule-evaluator.md), so every refusal
 * names its rule and the programme terms it comes from.
 */

import type { Programme, SiteOperator } from '../domain/market.ts';
import type { Tenant } from '../domain/tenant.ts';
import { applyRule, type Facts, type Rule } from '../governance/policy.ts';
import type { MeterRecord } from './meter.ts';

export interface Voucher {
  readonly id: string;
  readonly programmeId: string;
  readonly tenant: string;
  readonly amountFen: number;
  readonly issuedAtS: number;
  /** Redeemable until then (the programme's end at the latest). */
  readonly expiresAtS: number;
  readonly redeemedFen: number;
  readonly writtenOffFen: number;
}

export function balanceFen(v: Voucher): number {
  return v.amountFen - v.redeemedFen - v.writtenOffFen;
}

const TERMS = 'programme terms (cf. Yangzhou compute-voucher rules, 2024)';

const rule = (r: Omit<Rule, 'stage'>): Rule => ({ ...r, stage: 'settlement' });

/** Both issuing and redeeming: the beneficiary's sector is one of the programme's. */
const ELIGIBLE_SECTOR = rule({
  id: 'V01',
  title: 'Beneficiary in an eligible sector',
  source: TERMS,
  effect: 'require',
  require: { 'beneficiary.sector': { memberOf: 'programme.sectors' } },
  message:
    'tenant {beneficiary.id} is in sector {beneficiary.sector}; programme {programme.id} supports {programme.sectors}',
});

/** Issuing a voucher: the beneficiary's sector, the programme's period and budget. */
export const ISSUE_RULES: readonly Rule[] = [
  ELIGIBLE_SECTOR,
  rule({
    id: 'V02',
    title: 'Programme open',
    source: TERMS,
    effect: 'require',
    require: { 'programme.open': true },
    message: 'programme {programme.id} issues and redeems vouchers only within its period',
  }),
  rule({
    id: 'V03',
    title: 'Within the programme budget',
    source: TERMS,
    effect: 'require',
    require: { 'programme.budgetLeftAfterFen': { gte: 0 } },
    message: 'programme {programme.id} has {programme.budgetLeftFen} fen of budget left',
    fix: 'issue at most the budget left',
  }),
];

/** Redeeming a voucher against a bill line. */
export const REDEEM_RULES: readonly Rule[] = [
  ELIGIBLE_SECTOR,
  rule({
    id: 'V02',
    title: 'Programme open, voucher not expired',
    source: TERMS,
    effect: 'require',
    require: { all: [{ 'programme.open': true }, { 'voucher.expired': false }] },
    message: 'voucher {voucher.id} is redeemable only while programme {programme.id} runs and before it expires',
  }),
  rule({
    id: 'V04',
    title: "The voucher's own beneficiary",
    source: TERMS,
    effect: 'require',
    require: { 'voucher.tenant': { sameAs: 'beneficiary.id' } },
    message: 'voucher {voucher.id} was issued to {voucher.tenant}, not to {beneficiary.id}',
  }),
  rule({
    id: 'V05',
    title: 'Eligible job kind',
    source: TERMS,
    effect: 'require',
    require: { 'line.kind': { memberOf: 'programme.kinds' } },
    message: 'line {line.id} is a {line.kind} job; programme {programme.id} supports {programme.kinds}',
  }),
  rule({
    id: 'V06',
    title: 'A paid, settled line',
    source: `${TERMS}: a paid contract is required`,
    effect: 'require',
    require: { all: [{ 'line.settled': true }, { 'line.chargeFen': { gt: 0 } }] },
    message: 'line {line.id} is not a settled charge',
  }),
  rule({
    id: 'V07',
    title: 'Provider not a related party',
    source: `${TERMS}: no related parties between beneficiary and provider`,
    effect: 'deny',
    when: {
      any: [
        { 'provider.legalEntity': { sameAs: 'beneficiary.legalEntity' } },
        { 'beneficiary.legalEntity': { memberOf: 'provider.relatedEntities' } },
      ],
    },
    message: 'line {line.id} was run by {provider.id}, a related party of {beneficiary.id}',
  }),
  rule({
    id: 'V08',
    title: 'No double claim',
    source: `${TERMS}: no double subsidy for one contract`,
    effect: 'deny',
    when: { 'line.claimed': true },
    message: 'line {line.id} has already been paid by a voucher',
  }),
  rule({
    id: 'V09',
    title: "Within the voucher's balance",
    source: TERMS,
    effect: 'require',
    require: { 'voucher.balanceAfterFen': { gte: 0 } },
    message: 'voucher {voucher.id} has {voucher.balanceFen} fen left',
    fix: 'redeem at most the balance (give amountFen, or fewer lines)',
  }),
];

/** A refusal: the rule that refused, and why. */
export interface VoucherDenial {
  readonly rule: string;
  readonly reason: string;
  /** The bill line it concerns, for a redemption. */
  readonly line?: string;
}

function evaluate(rules: readonly Rule[], facts: Facts, line?: string): VoucherDenial[] {
  const out: VoucherDenial[] = [];
  for (const r of rules) {
    const o = applyRule(r, facts);
    if (o.result === 'denied' || o.result === 'unknown') {
      out.push({ rule: r.id, reason: o.reason ?? r.id, ...(line !== undefined ? { line } : {}) });
    }
  }
  return out;
}

const open = (p: Programme, atS: number) => atS >= p.validFromS && atS < p.validToS;

function programmeFacts(p: Programme, atS: number): Record<string, unknown> {
  return { id: p.id, sectors: p.sectors, kinds: p.kinds, open: open(p, atS) };
}

function tenantFacts(t: Tenant | undefined, id: string): Record<string, unknown> {
  return { id, sector: t?.sector, legalEntity: t?.legalEntity };
}

/** Why a voucher of `amountFen` cannot be issued to `tenant` now (empty: it can). */
export function checkIssue(
  p: Programme,
  tenant: Tenant | undefined,
  tenantId: string,
  issuedFen: number,
  amountFen: number,
  atS: number,
): VoucherDenial[] {
  const left = p.budgetFen - issuedFen;
  return evaluate(ISSUE_RULES, {
    programme: { ...programmeFacts(p, atS), budgetLeftFen: left, budgetLeftAfterFen: left - amountFen },
    beneficiary: tenantFacts(tenant, tenantId),
  });
}

/** One bill line a redemption would pay, with what it would take from the voucher. */
export interface RedemptionLine {
  readonly meter: MeterRecord;
  readonly fen: number;
  /** Already paid by a voucher. */
  readonly claimed: boolean;
  /** The attempt has ended and its charge is final. */
  readonly settled: boolean;
}

/** Why a redemption cannot be made (empty: it can): every line checked, all or nothing. */
export function checkRedemption(
  v: Voucher,
  p: Programme,
  tenant: Tenant | undefined,
  tenantId: string,
  provider: (siteId: string) => SiteOperator | undefined,
  lines: readonly RedemptionLine[],
  atS: number,
): VoucherDenial[] {
  const total = lines.reduce((n, l) => n + l.fen, 0);
  const programme = programmeFacts(p, atS);
  const voucher = {
    id: v.id,
    tenant: v.tenant,
    expired: v.expiresAtS <= atS,
    balanceFen: balanceFen(v),
    balanceAfterFen: balanceFen(v) - total,
  };
  const beneficiary = tenantFacts(tenant, tenantId);
  const out: VoucherDenial[] = [];
  // Rules about the voucher and its beneficiary once; rules about a line for each line.
  const whole = new Set(['V01', 'V02', 'V04', 'V09']);
  out.push(
    ...evaluate(
      REDEEM_RULES.filter((r) => whole.has(r.id)),
      { programme, voucher, beneficiary },
    ),
  );
  const perLine = REDEEM_RULES.filter((r) => !whole.has(r.id));
  for (const l of lines) {
    const op = provider(l.meter.siteId);
    out.push(
      ...evaluate(
        perLine,
        {
          programme,
          voucher,
          beneficiary,
          line: {
            id: l.meter.id,
            kind: l.meter.kind,
            settled: l.settled,
            chargeFen: l.meter.totalFen,
            claimed: l.claimed,
          },
          provider: {
            id: op?.id ?? l.meter.siteId,
            legalEntity: op?.legalEntity,
            relatedEntities: op?.relatedEntities ?? [],
          },
        },
        l.meter.id,
      ),
    );
  }
  return out;
}
