import { api } from './api.ts';

type Flavour = Awaited<ReturnType<typeof api.quotas>>[number]['flavours'][number];

import { tenantHref } from './routes.ts';
import { usePoll } from './use-poll.ts';

/** Tenants and their cluster queues: use against nominal quota, borrowing, what each may take now. */
export function Quotas() {
  const quotas = usePoll(api.quotas, 5000);
  if (quotas.error) return <p role="alert">{quotas.error}</p>;
  return (
    <div className="quotas">
      {(quotas.data ?? []).map((q) => (
        <section key={q.name} aria-label={`Cluster queue ${q.name}`}>
          <h3>
            {q.name}
            {q.cohort ? ` (cohort ${q.cohort})` : ''}
          </h3>
          <p className="muted">
            Tenants:{' '}
            {q.tenants.length === 0
              ? '—'
              : q.tenants.map((t, i) => (
                  <span key={t}>
                    {i > 0 && ', '}
                    <a href={tenantHref(t)}>{t}</a>
                  </span>
                ))}
          </p>
          <QuotaTable flavours={q.flavours} />
        </section>
      ))}
    </div>
  );
}

/** A cluster queue's quota per accelerator type: used (against the nominal), borrowed, what it may take now. */
export function QuotaTable({ flavours, label }: { flavours: readonly Flavour[]; label?: string }) {
  return (
    <table {...(label ? { 'aria-label': label } : {})}>
      <thead>
        <tr>
          <th scope="col">Type</th>
          <th scope="col">Used</th>
          <th scope="col">Nominal</th>
          <th scope="col">Borrowed</th>
          <th scope="col">May take now</th>
        </tr>
      </thead>
      <tbody>
        {flavours.map((f) => (
          <tr key={f.flavour}>
            <td>{f.flavour}</td>
            <td>
              <meter min={0} max={Math.max(1, f.nominal)} value={f.used} aria-label={`${f.flavour} used`} />{' '}
              {f.used.toLocaleString('en-US')}
            </td>
            <td>{f.nominal.toLocaleString('en-US')}</td>
            <td>{f.borrowed.toLocaleString('en-US')}</td>
            <td>{f.available.toLocaleString('en-US')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
