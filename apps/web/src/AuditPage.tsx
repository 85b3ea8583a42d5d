import { useCallback } from 'react';
import { api } from './api.ts';
import { fmtTime } from './format.ts';
import { jobHref, tenantHref } from './routes.ts';
import { usePoll } from './use-poll.ts';

const SHOWN = 100;

/** Where an entry's subject has a page: a job's, or for a denial the tenant's. */
function subjectHref(kind: string, subject: string): string | undefined {
  if (kind === 'job.denied') return tenantHref(subject);
  if (kind.startsWith('job.')) return jobHref(subject);
  return undefined;
}

/** The latest entries of the audit log (`#/governance/audit`), newest first, each linked to what it is about. */
export function AuditPage() {
  const entries = usePoll(
    useCallback(async () => {
      const head = await api.auditHead();
      const from = Math.max(1, head.treeSize - SHOWN + 1);
      return (await api.audit(from, SHOWN)).reverse();
    }, []),
    5000,
  );
  return (
    <section className="panel wide" aria-label="Audit log entries">
      <h2>Audit log: the latest {SHOWN} entries</h2>
      <p className="muted">
        Every change of a job, token, grant or catalog entry, hash-chained and signed. Verify the whole log with{' '}
        <code>npx suanli audit verify</code>.
      </p>
      {entries.error && <p role="alert">{entries.error}</p>}
      <table aria-label="Audit entries">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Subject</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {(entries.data ?? []).map((e) => {
            const href = subjectHref(e.kind, e.subject);
            return (
              <tr key={e.seq} data-seq={e.seq}>
                <td>{e.seq}</td>
                <td>{fmtTime(e.atS)}</td>
                <td>{e.kind}</td>
                <td className="mono">{href ? <a href={href}>{e.subject}</a> : e.subject}</td>
                <td className="mono muted">{e.hash.slice(0, 12)}…</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
