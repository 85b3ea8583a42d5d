import type { Job } from './api.ts';
import { fmtTime } from './format.ts';
import { siteHref, tenantHref } from './routes.ts';

export function JobList({
  jobs,
  selected,
  onSelect,
}: {
  jobs: Job[];
  selected?: string;
  onSelect: (id: string) => void;
}) {
  if (jobs.length === 0)
    return (
      <p className="empty">
        No jobs yet. Submit one with <code>npx suanli submit job.yaml</code>.
      </p>
    );
  return (
    <table className="jobs" aria-label="Jobs">
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Tenant</th>
          <th scope="col">Kind</th>
          <th scope="col">State</th>
          <th scope="col">Site</th>
          <th scope="col">Submitted</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={j.id} className={j.id === selected ? 'selected' : undefined} data-job-id={j.id}>
            <td>
              <button type="button" className="link" onClick={() => onSelect(j.id)}>
                {j.spec.name}
              </button>
              <div className="muted mono">{j.id}</div>
            </td>
            <td>
              <a href={tenantHref(j.spec.tenant)}>{j.spec.tenant}</a>
            </td>
            <td>{j.spec.kind}</td>
            <td>
              <span className={`state state-${j.state}`}>{j.state}</span>
            </td>
            <td>
              {j.placement ? (
                <>
                  <a href={siteHref(j.placement.siteId)}>{j.placement.siteId}</a> ({j.placement.accelerator}×
                  {j.placement.count})
                </>
              ) : (
                '—'
              )}
            </td>
            <td>{fmtTime(j.submittedAtS)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
