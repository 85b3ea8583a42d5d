import { useCallback } from 'react';
import { api } from './api.ts';
import { usePoll } from './use-poll.ts';

/** Why a pending job waits: what a cycle now decides, how many jobs are ahead, and its quota. */
export function WhyPending({ jobId }: { jobId: string }) {
  const why = usePoll(
    useCallback(() => api.why(jobId), [jobId]),
    3000,
  );
  if (why.error) return <p role="alert">{why.error}</p>;
  const w = why.data;
  if (!w) return null;
  return (
    <section aria-label="Why pending">
      <h3>Why pending</h3>
      <p>
        {w.reason} · {w.ahead} job{w.ahead === 1 ? '' : 's'} ahead in the queue
      </p>
      {w.quota && (
        <table aria-label="Quota">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Nominal</th>
              <th scope="col">Used</th>
              <th scope="col">Available</th>
              <th scope="col">Needs</th>
            </tr>
          </thead>
          <tbody>
            {w.quota.flavours.map((f) => (
              <tr key={f.flavour}>
                <td>{f.flavour}</td>
                <td>{f.nominal}</td>
                <td>{f.used}</td>
                <td>{f.available}</td>
                <td>{f.needs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
