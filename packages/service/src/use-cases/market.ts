import {
  type Contract,
  checkOffer,
  contractTerms,
  type Offer,
  type OfferKind,
  offerOpen,
  soldOf,
  spotTerms,
} from '@suanli/engine';
import { allowed, authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import type { JobSpec } from '../job-spec.ts';
import type { UseCaseContext } from './context.ts';
import { type Settlement, sitesOf } from './settlement.ts';

export interface OfferInput {
  readonly kind: OfferKind;
  readonly poolId: string;
  readonly count: number;
  /** From now when absent. */
  readonly fromS?: number | undefined;
  readonly toS: number;
  readonly fenPerAcceleratorHour: number;
  readonly sla?: { readonly startWithinS?: number | undefined; readonly penaltyFen: number } | undefined;
}

export interface OfferView extends Offer {
  readonly uid: string;
  readonly soldCount: number;
  readonly open: boolean;
}

export interface ContractView extends Contract {
  readonly uid: string;
}

/** A resource named in the one identifier scheme: `sl:NETWORK:KIND:ID`. */
export interface Resolved {
  readonly uid: string;
  readonly kind: (typeof UID_KINDS)[number];
  readonly id: string;
  readonly object: unknown;
}

export const UID_KINDS = ['site', 'pool', 'operator', 'tenant', 'programme', 'offer', 'contract', 'voucher'] as const;

/**
 * Offers and contracts, written to the audit log like prices and vouchers (guarded, all or
 * nothing), and the market terms a job's order resolves to when it is submitted.
 */
export class Market {
  private readonly ctx: UseCaseContext;
  private readonly settlement: Settlement;

  constructor(ctx: UseCaseContext, settlement: Settlement) {
    this.ctx = ctx;
    this.settlement = settlement;
  }

  /** `sl:cn-national:pool:zhongwei-h20`: the identifier of anything the market names. */
  uid(kind: (typeof UID_KINDS)[number], id: string): string {
    return `sl:${this.ctx.network().name}:${kind}:${id}`;
  }

  async offers(actor: Principal): Promise<OfferView[]> {
    authorize(actor, 'market.read');
    const books = await this.settlement.current();
    const nowS = this.ctx.clock.nowS();
    return [...books.offers.values()].map((o) => ({
      ...o,
      uid: this.uid('offer', o.id),
      soldCount: soldOf(o.id, books.contracts.values()),
      open: offerOpen(o, nowS),
    }));
  }

  async publish(input: OfferInput, actor: Principal): Promise<OfferView> {
    authorize(actor, 'offers.write');
    const nowS = this.ctx.clock.nowS();
    const offer = {
      kind: input.kind,
      poolId: input.poolId,
      count: input.count,
      fromS: input.fromS ?? nowS,
      toS: input.toS,
      fenPerAcceleratorHour: input.fenPerAcceleratorHour,
      ...(input.sla
        ? {
            sla: {
              penaltyFen: input.sla.penaltyFen,
              ...(input.sla.startWithinS !== undefined ? { startWithinS: input.sla.startWithinS } : {}),
            },
          }
        : {}),
    };
    const problem = checkOffer(this.ctx.network(), offer, nowS);
    const own = sitesOf(this.ctx.network(), actor);
    const site = this.ctx.network().sites.find((s) => s.pools.some((p) => p.id === input.poolId));
    if (own && site && !own.has(site.id)) {
      throw new SuanliError(
        'FORBIDDEN',
        `${actor.name} (site-operator of ${actor.operator}) may not offer ${input.poolId} of ${site.id}`,
      );
    }
    if (problem) throw new SuanliError('INVALID_FIELD', problem.reason, { field: problem.field });
    const siteId = this.ctx.network().sites.find((s) => s.pools.some((p) => p.id === input.poolId))?.id ?? '';
    const id = `o-${this.ctx.newId()}`;
    await this.settlement.write(() => [
      {
        atS: nowS,
        kind: 'offer.published',
        subject: id,
        data: {
          kind: offer.kind,
          poolId: offer.poolId,
          siteId,
          count: offer.count,
          fromS: offer.fromS,
          toS: offer.toS,
          fenPerAcceleratorHour: offer.fenPerAcceleratorHour,
          ...(offer.sla ? { sla: offer.sla } : {}),
        },
      },
    ]);
    return this.offer(id);
  }

  async withdraw(id: string, actor: Principal): Promise<OfferView> {
    authorize(actor, 'offers.write');
    const nowS = this.ctx.clock.nowS();
    await this.settlement.write((books) => {
      const o = books.offers.get(id);
      if (!o) throw new SuanliError('OFFER_NOT_FOUND', `no offer ${id}`);
      const own = sitesOf(this.ctx.network(), actor);
      if (own && !own.has(o.siteId))
        throw new SuanliError('FORBIDDEN', `${actor.name} may not withdraw an offer of ${o.siteId}`);
      if (o.withdrawnAtS !== undefined) throw new SuanliError('ALREADY_REVOKED', `offer ${id} was withdrawn already`);
      return [{ atS: nowS, kind: 'offer.withdrawn', subject: id, data: { by: actor.name } }];
    });
    return this.offer(id);
  }

  private async offer(id: string): Promise<OfferView> {
    const found = (await this.offers({ name: 'system', role: 'operator' })).find((o) => o.id === id);
    if (!found) throw new SuanliError('INTERNAL', `offer ${id} was written but not read back`);
    return found;
  }

  async contracts(q: { tenant?: string }, actor: Principal): Promise<ContractView[]> {
    const tenant = q.tenant ?? (actor.role.startsWith('tenant') ? actor.tenant : undefined);
    authorize(actor, 'market.read');
    if (actor.role.startsWith('tenant') && tenant !== actor.tenant) {
      throw new SuanliError('FORBIDDEN', `${actor.name} may not read the contracts of ${tenant ?? 'every tenant'}`);
    }
    // A site operator sees the contracts sold at its own sites.
    const own = sitesOf(this.ctx.network(), actor);
    const books = await this.settlement.current();
    return [...books.contracts.values()]
      .filter((c) => (tenant === undefined || c.tenant === tenant) && (!own || own.has(c.siteId)))
      .map((c) => ({ ...c, uid: this.uid('contract', c.id) }));
  }

  /** Buys `count` accelerators of a reserved offer for `tenant`: refused beyond what is left. */
  async buy(input: { offerId: string; count: number; tenant?: string }, actor: Principal): Promise<ContractView> {
    const tenant = input.tenant ?? actor.tenant;
    if (tenant === undefined)
      throw new SuanliError('INVALID_FIELD', 'name the tenant the contract is for', { field: 'tenant' });
    authorize(actor, 'contracts.write', tenant);
    if (!this.ctx.network().tenants.some((t) => t.id === tenant)) {
      throw new SuanliError('UNKNOWN_TENANT', `no tenant ${tenant}`, { field: 'tenant' });
    }
    const nowS = this.ctx.clock.nowS();
    const id = `c-${this.ctx.newId()}`;
    await this.settlement.write((books) => {
      const o = books.offers.get(input.offerId);
      if (!o) throw new SuanliError('OFFER_NOT_FOUND', `no offer ${input.offerId}`, { field: 'offerId' });
      if (o.kind !== 'reserved') {
        throw new SuanliError('INVALID_FIELD', `offer ${o.id} is spot: submit jobs with market: spot`, {
          field: 'offerId',
        });
      }
      if (!offerOpen(o, nowS))
        throw new SuanliError('INVALID_FIELD', `offer ${o.id} is not open`, { field: 'offerId' });
      const left = o.count - soldOf(o.id, books.contracts.values());
      if (input.count > left) {
        throw new SuanliError('INVALID_FIELD', `offer ${o.id} has ${left} accelerators left`, { field: 'count' });
      }
      return [
        {
          atS: nowS,
          kind: 'contract.made',
          subject: id,
          data: {
            offerId: o.id,
            tenant,
            poolId: o.poolId,
            siteId: o.siteId,
            count: input.count,
            fromS: Math.max(o.fromS, nowS),
            toS: o.toS,
            fenPerAcceleratorHour: o.fenPerAcceleratorHour,
            ...(o.sla ? { sla: o.sla } : {}),
          },
        },
      ];
    });
    const c = (await this.settlement.current()).contracts.get(id);
    if (!c) throw new SuanliError('INTERNAL', `contract ${id} was written but not read back`);
    return { ...c, uid: this.uid('contract', c.id) };
  }

  /**
   * A job's order resolved into the engine's market terms when it is submitted: spot, at the open
   * spot offers' prices then (the job turns preemptible); a contract of its tenant, on its pool, from
   * its window's start, with its SLA kept on the order for settlement.
   */
  async resolve(spec: JobSpec, nowS: number): Promise<JobSpec> {
    const order = spec.order;
    if (!order) return spec;
    const books = await this.settlement.current();
    if (order.kind === 'spot') {
      const terms = spotTerms(books.offers.values(), nowS);
      if (!terms) throw new SuanliError('NO_FEASIBLE_SITE', 'no spot offer is open now', { field: 'market' });
      return { ...spec, market: terms, preemptible: true };
    }
    const c = books.contracts.get(order.contract);
    if (!c || c.tenant !== spec.tenant) {
      throw new SuanliError('INVALID_FIELD', `no contract ${order.contract} of tenant ${spec.tenant}`, {
        field: 'market.contract',
      });
    }
    if (c.toS <= nowS) {
      throw new SuanliError('INVALID_FIELD', `contract ${c.id} ended`, { field: 'market.contract' });
    }
    const pool = this.ctx
      .network()
      .sites.flatMap((s) => s.pools)
      .find((p) => p.id === c.poolId);
    const option = spec.options.find((o) => o.accelerator === pool?.accelerator);
    if (!option) {
      throw new SuanliError(
        'INVALID_FIELD',
        `contract ${c.id} is for ${pool?.accelerator} accelerators, which the job does not ask for`,
        {
          field: 'market.contract',
        },
      );
    }
    if (option.perMember * spec.gang > c.count) {
      throw new SuanliError(
        'INVALID_FIELD',
        `contract ${c.id} covers ${c.count} accelerators; the job needs ${option.perMember * spec.gang}`,
        {
          field: 'market.contract',
        },
      );
    }
    return {
      ...spec,
      options: [option],
      market: contractTerms(c),
      // It runs within the contract's window, or waits and says why.
      deadlineS: Math.min(spec.deadlineS ?? c.toS, c.toS),
      ...(c.fromS > nowS ? { notBeforeS: c.fromS } : {}),
      order: {
        kind: 'contract',
        contract: c.id,
        windowFromS: c.fromS,
        ...(c.sla?.startWithinS !== undefined
          ? { startWithinS: c.sla.startWithinS, penaltyFen: c.sla.penaltyFen }
          : {}),
      },
    };
  }

  /** What a unified identifier names, read now. */
  async resolveUid(uid: string, actor: Principal): Promise<Resolved> {
    authorize(actor, 'market.read');
    const m = /^sl:([a-z0-9][a-z0-9-]*):([a-z]+):(.+)$/.exec(uid);
    const network = this.ctx.network();
    if (!m || m[1] !== network.name || !(UID_KINDS as readonly string[]).includes(m[2] ?? '')) {
      throw new SuanliError(
        'INVALID_FIELD',
        `not an identifier of this network: sl:${network.name}:KIND:ID (kinds: ${UID_KINDS.join(', ')})`,
        {
          field: 'uid',
        },
      );
    }
    const kind = m[2] as Resolved['kind'];
    const id = m[3] ?? '';
    const books = await this.settlement.current();
    const found: unknown =
      kind === 'site'
        ? network.sites.find((s) => s.id === id)
        : kind === 'pool'
          ? network.sites.flatMap((s) => s.pools).find((p) => p.id === id)
          : kind === 'operator'
            ? network.operators?.find((o) => o.id === id)
            : kind === 'tenant'
              ? network.tenants.find((t) => t.id === id)
              : kind === 'programme'
                ? network.programmes?.find((p) => p.id === id)
                : kind === 'offer'
                  ? books.offers.get(id)
                  : kind === 'contract'
                    ? books.contracts.get(id)
                    : books.vouchers.get(id);
    if (found === undefined) throw new SuanliError('ID_NOT_FOUND', `nothing is named ${uid}`);
    // A tenant reads its own contracts and vouchers only; a site operator its sites' contracts and no voucher.
    const owner = (found as { tenant?: unknown }).tenant;
    const own = sitesOf(network, actor);
    const hidden =
      (actor.role.startsWith('tenant') && (kind === 'contract' || kind === 'voucher') && owner !== actor.tenant) ||
      (kind === 'voucher' && !allowed(actor, 'vouchers.read', typeof owner === 'string' ? owner : undefined)) ||
      (own !== undefined && kind === 'contract' && !own.has((found as { siteId: string }).siteId));
    if (hidden) throw new SuanliError('ID_NOT_FOUND', `nothing is named ${uid}`);
    return { uid, kind, id, object: found };
  }
}
