import type { Network, Policy, Profile, Solver } from '@suanli/engine';
import type { Access } from '../access.ts';
import type { AuditLog } from '../audit-log.ts';
import type { LiveLedger } from '../live-ledger.ts';
import type { Backend } from '../ports/backend.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';

/** What the use cases share: the ports, the rules in force, and the ledger fed from the store. */
export interface UseCaseContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly profile: Profile;
  readonly solver: Solver | undefined;
  readonly policy: Policy | undefined;
  readonly newId: () => string;
  readonly warn: (message: string, detail?: unknown) => void;
  readonly access: Access;
  readonly auditLog: AuditLog;
  readonly live: LiveLedger;
  /** The network, with the model registry's audits merged in from the store. */
  network(): Network;
}
