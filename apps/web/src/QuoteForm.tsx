import { useState } from 'react';
import { api, type Quote } from './api.ts';
import { fmtWait } from './format.ts';
import { siteHref } from './routes.ts';

const EXAMPLE = `name: llama-ft
kind: finetune
tenant: acme-ai
resources:
  accelerators: { H800: 8 }
gang: 2
durationS: 7200
datasets:
  - name: common-crawl-zh
objective: { cost: 2, carbon: 1, time: 1 }
`;

/** Paste a job spec, see every site ranked with its cost, carbon and start, then submit it. */
export function QuoteForm({ onSubmitted }: { onSubmitted: (id: string) => void }) {
  const [spec, setSpec] = useState(EXAMPLE);
  const [quote, setQuote] = useState<Quote>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="quote">
      <label htmlFor="spec">Job spec (YAML or JSON)</label>
      <textarea id="spec" rows={14} value={spec} onChange={(e) => setSpec(e.target.value)} spellCheck={false} />
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => run(async () => setQuote(await api.quote(spec)))}>
          Get a quote
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const job = await api.submit(spec);
              onSubmitted(job.id);
            })
          }
        >
          Submit
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {quote && (
        <>
          <p className="summary" aria-live="polite">
            {quote.summary}
          </p>
          <table aria-label="Ranked sites">
            <thead>
              <tr>
                <th scope="col">Rank</th>
                <th scope="col">Site</th>
                <th scope="col">Pool</th>
                <th scope="col">Score</th>
                <th scope="col">CNY</th>
                <th scope="col">kgCO2</th>
                <th scope="col">Starts in</th>
              </tr>
            </thead>
            <tbody>
              {quote.options.map((o) => (
                <tr key={o.siteId}>
                  <td>{o.rank}</td>
                  <td>
                    <a href={siteHref(o.siteId)}>{o.siteId}</a>
                  </td>
                  <td>
                    {o.accelerator}×{o.count}
                  </td>
                  <td>{o.total}</td>
                  <td>{Math.round(o.estimate.costCny).toLocaleString('en-US')}</td>
                  <td>{o.estimate.carbonKg.toFixed(1)}</td>
                  <td>{fmtWait(o.estimate.startS - quote.atS)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {quote.rejected.length > 0 && (
            <ul aria-label="Sites ruled out">
              {quote.rejected.map((r) => (
                <li key={r.siteId}>
                  <a href={siteHref(r.siteId)}>{r.siteId}</a> ({r.plugin}): {r.reason}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
