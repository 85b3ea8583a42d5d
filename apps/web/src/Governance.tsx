import { useCallback } from 'react';
import { api } from './api.ts';
import { routeHash, siteHref, tenantHref } from './routes.ts';
import { usePoll } from './use-poll.ts';

/** The rules in force, the data catalog, the model registry and the audit log's state. */
export function Governance() {
  const policy = usePoll(api.policy, 30_000);
  const datasets = usePoll(api.datasets, 30_000);
  const models = usePoll(api.models, 30_000);
  const audit = usePoll(
    useCallback(async () => ({ head: await api.auditHead(), check: await api.verifyAudit() }), []),
    10_000,
  );
  return (
    <div className="governance">
      <section aria-label="Audit log">
        <h2>Audit log</h2>
        {audit.error && <p role="alert">{audit.error}</p>}
        {audit.data && (
          <p data-audit-ok={String(audit.data.check.ok)}>
            {audit.data.check.ok ? 'Intact' : `BROKEN: ${audit.data.check.problem}`} · {audit.data.head.treeSize}{' '}
            entries · signed tree head <code>{audit.data.head.rootHash.slice(0, 16)}…</code> ·{' '}
            <a href={routeHash({ view: 'audit' })}>the latest entries</a>
          </p>
        )}
      </section>
      <section aria-label="Rules">
        <h2>Rules {policy.data && `(${policy.data.name} v${policy.data.version})`}</h2>
        {policy.error && <p role="alert">{policy.error}</p>}
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Stage</th>
              <th scope="col">What</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {(policy.data?.rules ?? []).map((r) => (
              <tr key={r.id}>
                <td>{r.id}</td>
                <td>{r.stage}</td>
                <td>{r.title}</td>
                <td>{r.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-label="Datasets">
        <h2>Datasets</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Dataset</th>
              <th scope="col">Level</th>
              <th scope="col">Personal information</th>
              <th scope="col">Replicas</th>
            </tr>
          </thead>
          <tbody>
            {(datasets.data ?? []).map((d) => (
              <tr key={d.name}>
                <td>{d.name}</td>
                <td>{d.level ?? '?'}</td>
                <td>
                  {d.pi ?? '?'}
                  {d.individuals ? ` (${d.individuals.toLocaleString('en-US')})` : ''}
                </td>
                <td>
                  {d.replicas.map((r, i) => (
                    <span key={r}>
                      {i > 0 && ', '}
                      <a href={siteHref(r)}>{r}</a>
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-label="Models">
        <h2>Models and filings</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Kind</th>
              <th scope="col">Filed weights</th>
              <th scope="col">Filing</th>
              <th scope="col">Fairness audits</th>
            </tr>
          </thead>
          <tbody>
            {(models.data ?? []).map((m) => (
              <tr key={m.id}>
                <td>
                  {m.id} <span className="muted">of</span> <a href={tenantHref(m.owner)}>{m.owner}</a>
                </td>
                <td>{m.kind}</td>
                <td>
                  {m.filedWeightsDigest === m.weightsDigest ? 'yes' : m.filedWeightsDigest ? 'other weights' : 'no'}
                </td>
                <td>{m.genaiFilingNo || m.algorithmFilingNo || '—'}</td>
                <td>{m.audits.map((a) => `${a.sector}: ${a.passed ? 'pass' : 'fail'}`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
