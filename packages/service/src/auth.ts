import { createHash, randomBytes } from 'node:crypto';
import { SuanliError } from './errors.ts';
import type { Role } from './ports/store.ts';

/** Who is calling: a token's role, and for tenant roles the tenant it acts for. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
  readonly tenant?: string;
  /** For a site operator: the operator (of the network file) whose sites it speaks for. */
  readonly operator?: string;
}

/** The scheduler loop and other internal callers act as the system operator. */
export const SYSTEM: Principal = { name: 'system', role: 'operator' };

/** Everything a caller can ask for. Each endpoint names one. */
export const ACTIONS = [
  'sites.read',
  'jobs.read',
  'jobs.submit',
  'jobs.cancel',
  'jobs.quote',
  'optimize',
  'audit.read',
  'policies.read',
  'policies.test',
  'catalog.read',
  'models.audit',
  'tokens.create',
  'tokens.read',
  'tokens.revoke',
  'grants.read',
  'grants.write',
  'metrics.read',
  /** Take sites out of service and back, record cut links (operators). */
  'sites.health',
  /** Price books (everyone reads; operators set prices). */
  'prices.read',
  'prices.write',
  /** Bills of a tenant; statements of sites and the settlement check (operators, auditors). */
  'bills.read',
  'statements.read',
  /** Programmes and vouchers: read (a tenant its own), issue (operators), redeem (a tenant admin its own). */
  'vouchers.read',
  'vouchers.issue',
  'vouchers.redeem',
  /** Offers and contracts: everyone reads offers (a tenant its own contracts); operators publish; tenant admins buy. */
  'market.read',
  'offers.write',
  'contracts.write',
  /** Power budgets and grid events: everyone who reads sites reads them; the grid and operators issue events; operators add contracted windows. */
  'power.read',
  'grid.events',
  'power.write',
] as const;

export type Action = (typeof ACTIONS)[number];

/** Actions about a tenant's own things (its jobs, its models, its tokens). */
const TENANT_SCOPED: ReadonlySet<Action> = new Set([
  'jobs.read',
  'jobs.submit',
  'jobs.cancel',
  'jobs.quote',
  'policies.test',
  'models.audit',
  'tokens.create',
  'tokens.read',
  'tokens.revoke',
  'grants.read',
  'grants.write',
  'bills.read',
  'vouchers.read',
  'vouchers.redeem',
  'market.read',
  'contracts.write',
]);

/** What tenant members may do: their own tenant's jobs, and reading what is public to tenants. */
const MEMBER: readonly Action[] = [
  'sites.read',
  'power.read',
  'jobs.read',
  'jobs.submit',
  'jobs.cancel',
  'jobs.quote',
  'policies.read',
  'policies.test',
  'catalog.read',
  'grants.read',
  'prices.read',
  'bills.read',
  'vouchers.read',
  'market.read',
];

/**
 * Who may do what. Operators run the network; auditors read everything and change nothing;
 * tenant admins and members work on their own tenant's jobs (admins also audit their models,
 * manage their tenant's tokens and grant their models and data sets to other tenants); a metrics
 * token only reads /metrics (for a Prometheus scraper).
 */
const GRANTS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  operator: new Set(ACTIONS),
  auditor: new Set([
    'sites.read',
    'power.read',
    'jobs.read',
    'audit.read',
    'policies.read',
    'policies.test',
    'catalog.read',
    'tokens.read',
    'grants.read',
    'metrics.read',
    'prices.read',
    'bills.read',
    'statements.read',
    'vouchers.read',
    'market.read',
  ]),
  'tenant-admin': new Set([
    ...MEMBER,
    'models.audit',
    'tokens.create',
    'tokens.read',
    'tokens.revoke',
    'grants.write',
    'vouchers.redeem',
    'contracts.write',
  ]),
  'tenant-member': new Set(MEMBER),
  metrics: new Set(['metrics.read']),
  // A company that runs sites: its own sites' statements and offers (scoped in the use cases).
  // The grid operator (dispatch centre): asks for less power and sees the network's power.
  grid: new Set(['sites.read', 'power.read', 'grid.events']),
  'site-operator': new Set([
    'sites.read',
    'power.read',
    'policies.read',
    'catalog.read',
    'prices.read',
    'statements.read',
    'market.read',
    'offers.write',
  ]),
};

/** Whether `who` may do `action`, on something of `tenant` when the action is about one. */
export function allowed(who: Principal, action: Action, tenant?: string): boolean {
  if (!GRANTS[who.role].has(action)) return false;
  if (who.role === 'operator' || who.role === 'auditor') return true;
  if (!TENANT_SCOPED.has(action) || tenant === undefined) return true;
  return who.tenant === tenant;
}

/** Throws FORBIDDEN unless allowed, naming the role, the action and the tenant. */
export function authorize(who: Principal, action: Action, tenant?: string): void {
  if (allowed(who, action, tenant)) return;
  const whom = who.tenant ? `${who.role} of ${who.tenant}` : who.role;
  throw new SuanliError(
    'FORBIDDEN',
    `${who.name} (${whom}) may not ${action}${tenant !== undefined && TENANT_SCOPED.has(action) ? ` for tenant ${tenant}` : ''}`,
  );
}

/** A new API token: 32 random bytes, shown once; only its SHA-256 is stored. */
export function newToken(): { token: string; hash: string } {
  const token = `sl_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
