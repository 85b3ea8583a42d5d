import type { Job } from './api.ts';
import { fmt, fmtTime, fmtWait } from './format.ts';
import { siteHref, tenantHref } from './routes.ts';

/** A job's placement explanation: every site, ranked with its score parts or filtered with a reason. */
export function JobDetail({ job }: { job: Job }) {
  const ex = job.explanation;
  const scored = ex?.verdicts.filter((v) => v.outcome === 'scored') ?? [];
  const filtered = ex?.verdicts.filter((v) => v.outcome === 'filtered') ?? [];
  return (
    <section className="detail" aria-label={`Job ${job.id}`}>
      <h2>
        {job.spec.name} <span className={`state state-${job.state}`}>{job.state}</span>
      </h2>
      <p className="muted">
        <span className="mono">{job.id}</span> · {job.spec.kind} of{' '}
        <a href={tenantHref(job.spec.tenant)}>{job.spec.tenant}</a>
      </p>
      {job.placement && (
        <p>
          Placed on <a href={siteHref(job.placement.siteId)}>{job.placement.siteId}</a> ({job.placement.accelerator}×
          {job.placement.count}): {fmt(job.placement.estimate.costCny)} CNY, {fmt(job.placement.estimate.energyKwh, 1)}{' '}
          kWh, {fmt(job.placement.estimate.carbonKg, 1)} kgCO2
        </p>
      )}
      {job.failures && job.failures.length > 0 && (
        <>
          <h3>Failed runs ({job.restarts ?? 0} restarts)</h3>
          <table aria-label="Failed runs">
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">At</th>
                <th scope="col">Site</th>
                <th scope="col">Failure</th>
                <th scope="col">Ran (h)</th>
                <th scope="col">Kept (h)</th>
                <th scope="col">Lost (h)</th>
                <th scope="col">Then</th>
              </tr>
            </thead>
            <tbody>
              {job.failures.map((f) => (
                <tr key={f.attempt}>
                  <td>{f.attempt}</td>
                  <td>{fmtTime(f.atS)}</td>
                  <td>
                    <a href={siteHref(f.siteId)}>{f.siteId}</a>
                  </td>
                  <td>
                    {f.failureClass}
                    {f.exitCode !== undefined ? ` (exit ${f.exitCode})` : ''}
                  </td>
                  <td className="num">{fmt(f.ranS / 3600, 2)}</td>
                  <td className="num">{fmt(f.keptS / 3600, 2)}</td>
                  <td className="num">{fmt(f.lostS / 3600, 2)}</td>
                  <td>
                    {f.outcome}
                    {f.fence === 'pending' && '; cut off: cancelled when its site answers again'}
                    {f.fence === 'done' && '; cut off, then fenced: its late report ignored, the run cancelled'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {ex ? (
        <>
          <p className="summary">{ex.summary}</p>
          {ex.notes && ex.notes.length > 0 && (
            <ul className="notes" aria-label="Notes">
              {ex.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {scored.length > 0 && (
            <table className="verdicts" aria-label="Ranked sites">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Site</th>
                  <th scope="col">Pool</th>
                  <th scope="col">Score</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Carbon</th>
                  <th scope="col">Time</th>
                  <th scope="col">CNY</th>
                  <th scope="col">kWh</th>
                  <th scope="col">kgCO2</th>
                  <th scope="col">Start</th>
                </tr>
              </thead>
              <tbody>
                {scored.map(
                  (v) =>
                    v.outcome === 'scored' && (
                      <tr key={v.siteId}>
                        <td>{v.rank}</td>
                        <td>
                          <a href={siteHref(v.siteId)}>{v.siteId}</a>
                        </td>
                        <td>
                          {v.accelerator}×{v.count}
                        </td>
                        <td className="num">{v.total}</td>
                        <td className="num">{v.scores.cost}</td>
                        <td className="num">{v.scores.carbon}</td>
                        <td className="num">{v.scores.time}</td>
                        <td className="num">{fmt(v.estimate.costCny)}</td>
                        <td className="num">{fmt(v.estimate.energyKwh, 1)}</td>
                        <td className="num">{fmt(v.estimate.carbonKg, 1)}</td>
                        <td>{fmtWait(v.estimate.startS - ex.atS)}</td>
                      </tr>
                    ),
                )}
              </tbody>
            </table>
          )}
          {filtered.length > 0 && (
            <>
              <h3>Filtered out</h3>
              <ul className="filtered">
                {filtered.map(
                  (v) =>
                    v.outcome === 'filtered' && (
                      <li key={v.siteId}>
                        <a href={siteHref(v.siteId)}>{v.siteId}</a> by <code>{v.plugin}</code>: {v.reason}
                      </li>
                    ),
                )}
              </ul>
            </>
          )}
        </>
      ) : (
        <p className="muted">Not evaluated yet: the scheduler looks at new jobs every second.</p>
      )}
    </section>
  );
}
