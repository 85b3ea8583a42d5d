import type { GrantRecord, TokenView } from '@suanli/service';
import { formatTime, table } from './format.ts';

const when = (s: number | undefined) => (s === undefined ? '' : formatTime(s));

/** Tokens, one a line: id, name, role, tenant, created, expires, revoked. */
export function tokensTable(tokens: readonly TokenView[]): string {
  if (tokens.length === 0) return 'no tokens';
  return table(
    ['ID', 'NAME', 'ROLE', 'TENANT', 'CREATED', 'EXPIRES', 'REVOKED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.role,
      t.tenant ?? '',
      when(t.createdAtS),
      when(t.expiresAtS),
      when(t.revokedAtS),
    ]),
  );
}

/** Grants, one a line. */
export function grantsTable(grants: readonly GrantRecord[]): string {
  if (grants.length === 0) return 'no grants';
  return table(
    ['ID', 'KIND', 'RESOURCE', 'OWNER', 'GRANTEE', 'BY', 'CREATED', 'REVOKED'],
    grants.map((g) => [
      g.id,
      g.kind,
      g.resource,
      g.owner,
      g.grantee,
      g.createdBy,
      when(g.createdAtS),
      when(g.revokedAtS),
    ]),
  );
}
