import { useCallback } from 'react';
import { api, type Job } from './api.ts';
import { JobList } from './JobList.tsx';
import { Quotas, QuotaTable } from './Quotas.tsx';
import { tenantHref } from './routes.ts';
import { usePoll } from './use-poll.ts';

/** The tenants, each linked to its page, and the cluster queues' quotas. */
export function Tenants() {
  const tenants = usePoll(api.tenants, 30_000);
  return (
    <>
      <h2>Tenants</h2>
      {tenants.error && <p role="alert">{tenants.error}</p>}
      <table aria-label="Tenants">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Sector</th>
            <th scope="col">Share weight</th>
            <th scope="col">Cluster queue</th>
          </tr>
        </thead>
        <tbody>
          {(tenants.data ?? []).map((t) => (
            <tr key={t.id}>
              <td>
                <a href={tenantHref(t.id)}>{t.name}</a> <span className="muted mono">{t.id}</span>
              </td>
              <td>{t.sector}</td>
              <td>{t.shareWeight}</td>
              <td>{t.clusterQueue ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Quotas</h2>
      <Quotas />
    </>
  );
}

/** One tenant (`#/tenants/ID`): who it is, its queue's quota and use, its jobs. */
export function TenantPage({ tenantId, onSelectJob }: { tenantId: string; onSelectJob: (id: string) => void }) {
  const tenants = usePoll(api.tenants, 30_000);
  const quotas = usePoll(api.quotas, 5000);
  const jobs = usePoll(
    useCallback(() => api.jobsOf(tenantId), [tenantId]),
    3000,
  );
  const tenant = tenants.data?.find((t) => t.id === tenantId);
  const queue = quotas.data?.find((q) => q.tenants.includes(tenantId));
  if (tenants.data && !tenant) return <p className="empty">No tenant {tenantId} in this network.</p>;
  return (
    <section className="panel wide" aria-label={`Tenant ${tenantId}`}>
      <h2>{tenant?.name ?? tenantId}</h2>
      <p className="muted">
        <span className="mono">{tenantId}</span>
        {tenant && ` · sector ${tenant.sector} · fair-share weight ${tenant.shareWeight}`}
        {tenant?.clusterQueue ? ` · cluster queue ${tenant.clusterQueue}` : ' · no quota applies'}
      </p>
      {queue && <QuotaTable flavours={queue.flavours} label={`Quota of cluster queue ${queue.name}`} />}
      <h3>Jobs</h3>
      {jobs.error && <p role="alert">{jobs.error}</p>}
      <JobList jobs={(jobs.data ?? []) as Job[]} onSelect={onSelectJob} />
    </section>
  );
}
