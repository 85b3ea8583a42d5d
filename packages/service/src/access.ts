import { randomBytes } from 'node:crypto';
import type { Network } from '@suanli/engine';
import { authorize, hashToken, newToken, type Principal } from './auth.ts';
import { SuanliError } from './errors.ts';
import type { JobSpec } from './job-spec.ts';
import { LIMITS } from './limits.ts';
import type { Clock } from './ports/clock.ts';
import {
  GRANT_KINDS,
  type GrantKind,
  type GrantRecord,
  ROLES,
  type Role,
  type Store,
  type TokenRecord,
} from './ports/store.ts';

/** A token as listed: its id (the first 16 hex digits of its hash), never the token itself. */
export type TokenView = Omit<TokenRecord, 'tokenHash'> & { readonly id: string };

export interface NewToken {
  readonly token: string;
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly tenant?: string;
  readonly operator?: string;
  readonly expiresAtS?: number;
}

/** The rule a refusal to use another tenant's model or data set names. */
export const OWNERSHIP_RULE = 'ACCESS-01';

/**
 * Who may call, and what a tenant may use. Tokens are checked against the store on every request,
 * so a revoked or expired token is refused at once by every server sharing the store. Models and
 * catalog data sets belong to their owner tenant; another tenant uses one only with the owner's
 * grant (audited), and a refusal names rule ACCESS-01 and how to get the grant.
 */
export class Access {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly network: () => Network;

  constructor(store: Store, clock: Clock, network: () => Network) {
    this.store = store;
    this.clock = clock;
    this.network = network;
  }

  /** Who a token belongs to; UNAUTHENTICATED for a missing, unknown, revoked or expired token. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) {
      throw new SuanliError(
        'UNAUTHENTICATED',
        'no API token: send Authorization: Bearer <token> (suanli tokens create)',
      );
    }
    if (token.length > 256) throw new SuanliError('UNAUTHENTICATED', 'unknown API token');
    const record = await this.store.findToken(hashToken(token));
    if (!record) throw new SuanliError('UNAUTHENTICATED', 'unknown API token');
    if (record.revokedAtS !== undefined) {
      throw new SuanliError('UNAUTHENTICATED', `this API token (${record.name}) was revoked`);
    }
    if (record.expiresAtS !== undefined && this.clock.nowS() >= record.expiresAtS) {
      throw new SuanliError(
        'UNAUTHENTICATED',
        `this API token (${record.name}) expired at ${new Date(record.expiresAtS * 1000).toISOString()}`,
      );
    }
    return {
      name: record.name,
      role: record.role,
      ...(record.tenant !== undefined ? { tenant: record.tenant } : {}),
      ...(record.operator !== undefined ? { operator: record.operator } : {}),
    };
  }

  /**
   * Issues a token. Operators issue any; tenant admins issue tokens of their own tenant, never an
   * operator's, auditor's or metrics token. The token is returned once; only its hash is stored and logged.
   */
  async createToken(
    req: { name: string; role: Role; tenant?: string; operator?: string; expiresInS?: number },
    actor: Principal,
  ): Promise<NewToken> {
    authorize(actor, 'tokens.create', req.tenant);
    if (!(ROLES as readonly string[]).includes(req.role)) {
      throw new SuanliError('INVALID_FIELD', `unknown role ${req.role} (known: ${ROLES.join(', ')})`, {
        field: 'role',
      });
    }
    const tenantRole = req.role === 'tenant-admin' || req.role === 'tenant-member';
    if (actor.role !== 'operator' && !tenantRole) {
      throw new SuanliError('FORBIDDEN', `${actor.name} (${actor.role}) may not issue ${req.role} tokens`);
    }
    if (tenantRole !== (req.tenant !== undefined)) {
      throw new SuanliError(
        'INVALID_FIELD',
        tenantRole ? `a ${req.role} token needs a tenant` : `a ${req.role} token has no tenant`,
        { field: 'tenant' },
      );
    }
    this.knownTenant(req.tenant, 'tenant');
    if ((req.role === 'site-operator') !== (req.operator !== undefined)) {
      throw new SuanliError(
        'INVALID_FIELD',
        req.role === 'site-operator'
          ? 'a site-operator token needs an operator'
          : `a ${req.role} token has no operator`,
        { field: 'operator' },
      );
    }
    if (req.operator !== undefined && !(this.network().operators ?? []).some((o) => o.id === req.operator)) {
      throw new SuanliError(
        'INVALID_FIELD',
        `no operator ${req.operator} in the network (known: ${(this.network().operators ?? []).map((o) => o.id).join(', ') || 'none'})`,
        { field: 'operator' },
      );
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(req.name)) {
      throw new SuanliError('INVALID_FIELD', 'letters, digits, dots, dashes, @ or underscores, at most 64', {
        field: 'name',
      });
    }
    const expiresInS = req.expiresInS;
    if (expiresInS !== undefined && !(Number.isInteger(expiresInS) && expiresInS >= 60 && expiresInS <= MAX_TOKEN_S)) {
      throw new SuanliError('INVALID_FIELD', `must be a whole number of seconds in 60..${MAX_TOKEN_S} (ten years)`, {
        field: 'expiresInS',
      });
    }
    const { token, hash } = newToken();
    const nowS = this.clock.nowS();
    const expiresAtS = expiresInS !== undefined ? nowS + expiresInS : undefined;
    await this.store.insertToken(
      {
        tokenHash: hash,
        name: req.name,
        role: req.role,
        ...(req.tenant !== undefined ? { tenant: req.tenant } : {}),
        ...(req.operator !== undefined ? { operator: req.operator } : {}),
        createdAtS: nowS,
        ...(expiresAtS !== undefined ? { expiresAtS } : {}),
      },
      {
        atS: nowS,
        kind: 'token.created',
        subject: req.tenant ?? req.operator ?? req.role,
        data: {
          role: req.role,
          by: actor.name,
          tokenDigest: tokenId(hash),
          ...(expiresAtS !== undefined ? { expiresAtS } : {}),
        },
      },
    );
    return {
      token,
      id: tokenId(hash),
      name: req.name,
      role: req.role,
      ...(req.tenant !== undefined ? { tenant: req.tenant } : {}),
      ...(req.operator !== undefined ? { operator: req.operator } : {}),
      ...(expiresAtS !== undefined ? { expiresAtS } : {}),
    };
  }

  /** Tokens the caller may see: all for operators and auditors, their tenant's for tenant admins. */
  async listTokens(actor: Principal): Promise<TokenView[]> {
    authorize(actor, 'tokens.read');
    const tenant = actor.role === 'tenant-admin' ? actor.tenant : undefined;
    return (await this.store.listTokens(tenant)).map(({ tokenHash, ...t }) => ({ id: tokenId(tokenHash), ...t }));
  }

  /** Revokes a token by its id; at once for every server sharing the store. Audited. */
  async revokeToken(id: string, actor: Principal): Promise<TokenView> {
    authorize(actor, 'tokens.revoke');
    if (!/^[0-9a-f]{16}$/.test(id)) {
      throw new SuanliError('INVALID_FIELD', 'a token id is 16 hex digits (suanli tokens list)', { field: 'id' });
    }
    const tenant = actor.role === 'tenant-admin' ? actor.tenant : undefined;
    const found = (await this.store.listTokens(tenant)).find((t) => tokenId(t.tokenHash) === id);
    if (!found) throw new SuanliError('TOKEN_NOT_FOUND', `no token ${id}`);
    if (found.revokedAtS !== undefined) {
      throw new SuanliError('ALREADY_REVOKED', `token ${id} (${found.name}) was already revoked`);
    }
    const nowS = this.clock.nowS();
    if (found.role === 'operator') {
      // Nobody could issue a token again: the last working operator token stays.
      const working = (await this.store.listTokens()).filter(
        (t) =>
          t.role === 'operator' && t.revokedAtS === undefined && !(t.expiresAtS !== undefined && t.expiresAtS <= nowS),
      );
      if (working.length <= 1) {
        throw new SuanliError(
          'FORBIDDEN',
          `token ${id} (${found.name}) is the last working operator token: issue another operator token first`,
        );
      }
    }
    const done = await this.store.revokeToken(found.tokenHash, nowS, {
      atS: nowS,
      kind: 'token.revoked',
      subject: found.tenant ?? found.role,
      data: { tokenDigest: id, name: found.name, by: actor.name },
    });
    if (!done) throw new SuanliError('ALREADY_REVOKED', `token ${id} (${found.name}) was already revoked`);
    const { tokenHash, ...t } = done;
    return { id: tokenId(tokenHash), ...t };
  }

  /** On a first start: an operator token when there is none yet (returned once), else undefined. */
  async bootstrapOperator(actor: Principal): Promise<string | undefined> {
    if ((await this.store.countTokens()) > 0) return undefined;
    return (await this.createToken({ name: 'operator', role: 'operator' }, actor)).token;
  }

  /**
   * A tenant lets another tenant use one of its models or catalog data sets. Its tenant admins (or an
   * operator) give it; the grant is stored with an audit entry.
   */
  async createGrant(req: { kind: GrantKind; resource: string; to: string }, actor: Principal): Promise<GrantRecord> {
    authorize(actor, 'grants.write');
    if (!(GRANT_KINDS as readonly string[]).includes(req.kind)) {
      throw new SuanliError('INVALID_FIELD', `must be one of ${GRANT_KINDS.join(', ')}`, { field: 'kind' });
    }
    const owner = this.ownerOf(req.kind, req.resource);
    if (owner === undefined) {
      throw new SuanliError(
        req.kind === 'model' ? 'UNKNOWN_MODEL' : 'UNKNOWN_DATASET',
        `${req.kind} ${req.resource} is not in the catalog, or has no owner (then every tenant may use it)`,
        { field: 'resource' },
      );
    }
    if (actor.role !== 'operator' && actor.tenant !== owner) {
      throw new SuanliError('FORBIDDEN', `${req.kind} ${req.resource} belongs to ${owner}: only its admins grant it`);
    }
    this.knownTenant(req.to, 'to');
    if (req.to === owner)
      throw new SuanliError('INVALID_FIELD', `${owner} owns ${req.resource} already`, { field: 'to' });
    const nowS = this.clock.nowS();
    const grant: GrantRecord = {
      id: `g-${randomBytes(6).toString('hex')}`,
      kind: req.kind,
      resource: req.resource,
      owner,
      grantee: req.to,
      createdAtS: nowS,
      createdBy: actor.name,
    };
    await this.store.insertGrant(grant, {
      atS: nowS,
      kind: 'grant.created',
      subject: owner,
      data: { id: grant.id, kind: grant.kind, resource: grant.resource, grantee: grant.grantee, by: actor.name },
    });
    return grant;
  }

  /** Grants the caller may see: all for operators and auditors, those of their tenant for tenant roles. */
  async listGrants(actor: Principal): Promise<GrantRecord[]> {
    authorize(actor, 'grants.read');
    return this.store.listGrants(actor.tenant);
  }

  /** Revokes a grant: the grantee's jobs are refused from then on. Audited. */
  async revokeGrant(id: string, actor: Principal): Promise<GrantRecord> {
    authorize(actor, 'grants.write');
    const found = (await this.store.listGrants(actor.tenant)).find((g) => g.id === id);
    if (!found || (actor.role === 'tenant-admin' && found.owner !== actor.tenant)) {
      throw new SuanliError('GRANT_NOT_FOUND', `no grant ${id} of yours`);
    }
    const nowS = this.clock.nowS();
    const done = await this.store.revokeGrant(id, nowS, {
      atS: nowS,
      kind: 'grant.revoked',
      subject: found.owner,
      data: { id, kind: found.kind, resource: found.resource, grantee: found.grantee, by: actor.name },
    });
    if (!done) throw new SuanliError('ALREADY_REVOKED', `grant ${id} was already revoked`);
    return done;
  }

  /**
   * Rule ACCESS-01: a job uses its own tenant's models and data sets, public ones (no owner), and
   * those another tenant granted it. Checked for submissions, quotes and policy dry runs.
   */
  async checkOwnership(spec: JobSpec): Promise<void> {
    const needs: { kind: GrantKind; resource: string; owner: string; field: string }[] = [];
    if (spec.model !== undefined) {
      const owner = this.ownerOf('model', spec.model);
      if (owner !== undefined && owner !== spec.tenant)
        needs.push({ kind: 'model', resource: spec.model, owner, field: 'model' });
    }
    spec.datasets.forEach((d, i) => {
      if (d.owner !== undefined && d.owner !== spec.tenant) {
        needs.push({
          kind: 'dataset',
          resource: this.catalogName(d) ?? d.name,
          owner: d.owner,
          field: `datasets[${i}]`,
        });
      }
    });
    if (needs.length === 0) return;
    const grants = (await this.store.listGrants(spec.tenant)).filter(
      (g) => g.grantee === spec.tenant && g.revokedAtS === undefined,
    );
    for (const n of needs) {
      if (grants.some((g) => g.kind === n.kind && g.resource === n.resource && g.owner === n.owner)) continue;
      throw new SuanliError(
        'FORBIDDEN',
        `${OWNERSHIP_RULE}: ${n.kind} ${n.resource} belongs to tenant ${n.owner}, and ${spec.tenant} has no grant to use it — to fix: ask an admin of ${n.owner} to run \`suanli grants create --${n.kind} ${n.resource} --to ${spec.tenant}\`, or use your own ${n.kind}`,
        { field: n.field },
      );
    }
  }

  /** The owner tenant of a catalog model or data set; undefined when it is not there or has none. */
  private ownerOf(kind: GrantKind, resource: string): string | undefined {
    const net = this.network();
    if (kind === 'model') return net.models?.find((m) => m.id === resource)?.owner;
    return net.datasets.find((d) => d.name === resource)?.owner;
  }

  /** The catalog name of a job's data set (a renamed copy found by checksum is the catalog's). */
  private catalogName(d: JobSpec['datasets'][number]): string | undefined {
    const net = this.network();
    return (net.datasets.find((c) => c.name === d.name) ?? net.datasets.find((c) => c.checksum === d.checksum))?.name;
  }

  private knownTenant(tenant: string | undefined, field: string): void {
    const tenants = this.network().tenants;
    if (tenant === undefined || tenants.length === 0) return;
    if (tenant.length > LIMITS.nameChars || !tenants.some((t) => t.id === tenant)) {
      throw new SuanliError('UNKNOWN_TENANT', `unknown tenant ${tenant.slice(0, LIMITS.nameChars)}`, { field });
    }
  }
}

/** Ten years: the longest a token may be issued for. */
const MAX_TOKEN_S = 10 * 366 * 86_400;

/** A token's public id: the first 16 hex digits of its SHA-256. */
export function tokenId(hash: string): string {
  return hash.slice(0, 16);
}
