import {
  balanceFen,
  checkIssue,
  checkRedemption,
  type MeterRecord,
  type Programme,
  type RedeemedLine,
  type RedemptionLine,
  type Voucher,
  type VoucherDenial,
} from '@suanli/engine';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import type { UseCaseContext } from './context.ts';
import { checkPeriod, type Settlement } from './settlement.ts';

export interface VoucherView extends Voucher {
  readonly programme: string;
  readonly balanceFen: number;
}

export interface ProgrammeView extends Programme {
  readonly issuedFen: number;
  readonly budgetLeftFen: number;
  readonly redeemedFen: number;
  readonly vouchers: number;
}

export interface RedeemInput {
  readonly period: string;
  /** Bill lines (meter ids) to pay; all of the period's lines that have a charge when absent. */
  readonly lines?: readonly string[];
  /** At most this much (the voucher's balance when absent). */
  readonly amountFen?: number;
}

/**
 * Compute vouchers of the network's sector programmes: issued from a programme's budget, redeemed
 * against settled bill lines, written off; each checked by the voucher rules on the books and
 * written as one guarded audit entry (all or nothing).
 */
export class Vouchers {
  private readonly ctx: UseCaseContext;
  private readonly settlement: Settlement;

  constructor(ctx: UseCaseContext, settlement: Settlement) {
    this.ctx = ctx;
    this.settlement = settlement;
  }

  async programmes(actor: Principal): Promise<ProgrammeView[]> {
    authorize(actor, 'vouchers.read');
    const books = await this.settlement.current();
    return (this.ctx.network().programmes ?? []).map((p) => {
      const vs = [...books.vouchers.values()].filter((v) => v.programmeId === p.id);
      const issuedFen = books.issuedFen(p.id);
      return {
        ...p,
        issuedFen,
        budgetLeftFen: p.budgetFen - issuedFen,
        redeemedFen: vs.reduce((n, v) => n + v.redeemedFen, 0),
        vouchers: vs.length,
      };
    });
  }

  async vouchers(q: { tenant?: string }, actor: Principal): Promise<VoucherView[]> {
    const tenant = q.tenant ?? (actor.role.startsWith('tenant') ? actor.tenant : undefined);
    authorize(actor, 'vouchers.read', tenant ?? '*');
    const books = await this.settlement.current();
    return [...books.vouchers.values()]
      .filter((v) => tenant === undefined || v.tenant === tenant)
      .map((v) => this.view(v));
  }

  private view(v: Voucher): VoucherView {
    const p = this.programme(v.programmeId);
    return { ...v, programme: p.name, balanceFen: balanceFen(v) };
  }

  private programme(id: string): Programme {
    const p = this.ctx.network().programmes?.find((x) => x.id === id);
    if (!p) throw new SuanliError('PROGRAMME_NOT_FOUND', `no programme ${id}`, { field: 'programmeId' });
    return p;
  }

  /** Issues a voucher from a programme's budget to a tenant, if the programme's rules allow it. */
  async issue(
    input: { programmeId: string; tenant: string; amountFen: number },
    actor: Principal,
  ): Promise<VoucherView> {
    authorize(actor, 'vouchers.issue');
    const p = this.programme(input.programmeId);
    const tenant = this.ctx.network().tenants.find((t) => t.id === input.tenant);
    if (!tenant) throw new SuanliError('UNKNOWN_TENANT', `no tenant ${input.tenant}`, { field: 'tenant' });
    const nowS = this.ctx.clock.nowS();
    const id = `v-${this.ctx.newId()}`;
    await this.settlement.write((books) => {
      denyIf(checkIssue(p, tenant, tenant.id, books.issuedFen(p.id), input.amountFen, nowS));
      return [
        {
          atS: nowS,
          kind: 'voucher.issued',
          subject: id,
          data: {
            programmeId: p.id,
            tenant: tenant.id,
            amountFen: input.amountFen,
            expiresAtS: p.validToS,
            by: actor.name,
          },
        },
      ];
    });
    const v = (await this.settlement.current()).vouchers.get(id);
    if (!v) throw new SuanliError('INTERNAL', `voucher ${id} was written but not read back`);
    return this.view(v);
  }

  /**
   * Redeems a voucher against settled lines of its tenant's bill for a period: every line checked
   * by the voucher rules, and all of it written in one audit entry or nothing.
   */
  async redeem(voucherId: string, input: RedeemInput, actor: Principal): Promise<VoucherView> {
    checkPeriod(input.period);
    const nowS = this.ctx.clock.nowS();
    await this.settlement.write((books) => {
      const v = books.vouchers.get(voucherId);
      if (!v) throw new SuanliError('VOUCHER_NOT_FOUND', `no voucher ${voucherId}`);
      // A tenant redeems its own vouchers only; a voucher of another reads as not found.
      if (actor.role.startsWith('tenant') && actor.tenant !== v.tenant) {
        throw new SuanliError('VOUCHER_NOT_FOUND', `no voucher ${voucherId}`);
      }
      authorize(actor, 'vouchers.redeem', v.tenant);
      const p = this.programme(v.programmeId);
      const net = this.ctx.network();
      const byTenant = actor.role.startsWith('tenant') ? (actor.tenant ?? v.tenant) : v.tenant;
      const meters = [...books.meters.values()].filter((m) => m.tenant === byTenant && m.period === input.period);
      if (input.lines && new Set(input.lines).size !== input.lines.length) {
        throw new SuanliError('INVALID_FIELD', 'a bill line is named twice', { field: 'lines' });
      }
      const wanted = input.lines
        ? input.lines.map((id) => {
            const m = books.meters.get(id);
            if (!m || m.tenant !== byTenant || m.period !== input.period) {
              throw new SuanliError('INVALID_FIELD', `no bill line ${id} of ${byTenant} in ${input.period}`, {
                field: 'lines',
              });
            }
            return m;
          })
        : meters.filter((m) => dueOf(m) > 0 && !books.claimed.has(m.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
      if (wanted.length === 0) {
        throw new SuanliError('INVALID_FIELD', `no unpaid bill line of ${byTenant} in ${input.period}`, {
          field: 'period',
        });
      }
      const dueFen = wanted.reduce((n, m) => n + dueOf(m), 0);
      // Over the balance is refused by rule V09, not cut down quietly; by default, what the balance covers.
      const requested = input.amountFen ?? Math.min(balanceFen(v), dueFen);
      if (requested > dueFen) {
        throw new SuanliError('INVALID_FIELD', `amountFen ${requested} is more than the lines' ${dueFen} fen`, {
          field: 'amountFen',
        });
      }
      let left = requested;
      const lines: RedemptionLine[] = wanted.map((m) => {
        const fen = Math.min(dueOf(m), left);
        left -= fen;
        return { meter: m, fen, claimed: books.claimed.has(m.id), settled: true };
      });
      // Lines named but left unpaid by the amount would be marked claimed for nothing: refused.
      const unpaid = input.lines ? lines.filter((l) => l.fen === 0) : [];
      if (unpaid.length > 0 && requested > 0) {
        throw new SuanliError(
          'INVALID_FIELD',
          `the amount does not reach line ${unpaid[0]?.meter.id}: name fewer lines`,
          {
            field: 'lines',
          },
        );
      }
      const paid = input.lines ? lines : lines.filter((l) => l.fen > 0);
      const operators = new Map((net.operators ?? []).map((o) => [o.id, o]));
      const siteOperator = (siteId: string) => {
        const op = net.sites.find((s) => s.id === siteId)?.operator;
        return op === undefined ? undefined : operators.get(op);
      };
      const tenant = net.tenants.find((t) => t.id === byTenant);
      denyIf(checkRedemption(v, p, tenant, byTenant, siteOperator, paid, nowS));
      if (requested === 0) throw new SuanliError('VOUCHER_DENIED', `V09: voucher ${v.id} has no balance left`);
      const redeemed: RedeemedLine[] = paid.map((l) => ({ meterId: l.meter.id, fen: l.fen }));
      return [
        {
          atS: nowS,
          kind: 'voucher.redeemed',
          subject: v.id,
          data: {
            tenant: byTenant,
            period: input.period,
            amountFen: redeemed.reduce((n, l) => n + l.fen, 0),
            lines: redeemed,
            by: actor.name,
          },
        },
      ];
    });
    const v = (await this.settlement.current()).vouchers.get(voucherId);
    if (!v) throw new SuanliError('INTERNAL', `voucher ${voucherId} was redeemed but not read back`);
    return this.view(v);
  }

  /** Writes off what is left of a voucher (expired, or withdrawn by the programme): audited, never redeemable again. */
  async writeOff(voucherId: string, reason: string, actor: Principal): Promise<VoucherView> {
    authorize(actor, 'vouchers.issue');
    const nowS = this.ctx.clock.nowS();
    await this.settlement.write((books) => {
      const v = books.vouchers.get(voucherId);
      if (!v) throw new SuanliError('VOUCHER_NOT_FOUND', `no voucher ${voucherId}`);
      const amountFen = balanceFen(v);
      if (amountFen === 0) throw new SuanliError('ALREADY_REVOKED', `voucher ${voucherId} has no balance left`);
      return [{ atS: nowS, kind: 'voucher.written-off', subject: v.id, data: { amountFen, reason, by: actor.name } }];
    });
    const v = (await this.settlement.current()).vouchers.get(voucherId);
    if (!v) throw new SuanliError('INTERNAL', `voucher ${voucherId} was written off but not read back`);
    return this.view(v);
  }
}

/** What a line leaves to pay: its charge less the SLA credit it got. */
function dueOf(m: MeterRecord): number {
  return m.totalFen - (m.slaCreditFen ?? 0);
}

function denyIf(denials: readonly VoucherDenial[]): void {
  const first = denials[0];
  if (!first) return;
  const more = denials.length > 1 ? ` (and ${denials.length - 1} more)` : '';
  throw new SuanliError('VOUCHER_DENIED', `${first.reason}${more}`, first.line ? { field: 'lines' } : {});
}
