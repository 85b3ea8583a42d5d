import { type AuditEntry, type AuditVerification, verifyAuditChain } from '../audit.ts';
import type { AuditLog } from '../audit-log.ts';
import { authorize, type Principal } from '../auth.ts';
import type { UseCaseContext } from './context.ts';

/** The audit log for auditors and operators: its entries, its signed tree and proofs, its chain checked. */
export class AuditTrail {
  private readonly ctx: UseCaseContext;

  constructor(ctx: UseCaseContext) {
    this.ctx = ctx;
  }

  list(fromSeq: number, limit: number, actor: Principal): Promise<AuditEntry[]> {
    authorize(actor, 'audit.read');
    return this.ctx.store.listAudit(fromSeq, limit);
  }

  /** The audit log's tree head and proofs. */
  tree(actor: Principal): AuditLog {
    authorize(actor, 'audit.read');
    return this.ctx.auditLog;
  }

  /** Recomputes the whole hash chain. */
  verify(actor: Principal): Promise<AuditVerification> {
    authorize(actor, 'audit.read');
    const store = this.ctx.store;
    return verifyAuditChain({
      async *[Symbol.asyncIterator]() {
        let from = 1;
        for (;;) {
          const page = await store.listAudit(from, 1000);
          if (page.length === 0) return;
          yield page;
          from = (page[page.length - 1]?.seq ?? from) + 1;
        }
      },
    });
  }
}
