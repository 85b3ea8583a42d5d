import { useState } from 'react';

interface Run {
  policy: string;
  variant: string;
  summary: {
    jobs: { finished: number };
    jctS: { avg: number; p95: number };
    queueDelayS: { avg: number };
    costCny: number;
    carbonKg: number;
    utilization: number;
    jainIndex: number;
  };
}

interface Report {
  format: string;
  scenario: { name: string; workload: string; network: string };
  runs: Run[];
}

/** Simulation reports (report.json of `suanli simulate`) opened here and compared side by side. */
export function SimulationReports() {
  const [reports, setReports] = useState<Report[]>([]);
  const [error, setError] = useState<string>();
  const open = async (files: FileList | null) => {
    setError(undefined);
    const read: Report[] = [];
    for (const f of Array.from(files ?? [])) {
      try {
        const r = JSON.parse(await f.text()) as Report;
        if (r.format !== 'suanli-simulation-report/1') throw new Error('not a Suanli simulation report');
        read.push(r);
      } catch (e) {
        setError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    setReports((r) => [...r, ...read]);
  };
  const rows = reports.flatMap((r) => r.runs.map((run) => ({ scenario: r.scenario.name, run })));
  return (
    <div className="reports">
      <label>
        Open report.json files{' '}
        <input type="file" accept="application/json,.json" multiple onChange={(e) => void open(e.target.files)} />
      </label>
      {error && <p role="alert">{error}</p>}
      {rows.length > 0 && (
        <table aria-label="Simulation runs">
          <thead>
            <tr>
              <th scope="col">Scenario</th>
              <th scope="col">Policy</th>
              <th scope="col">Variant</th>
              <th scope="col">Jobs</th>
              <th scope="col">Avg JCT (h)</th>
              <th scope="col">p95 JCT (h)</th>
              <th scope="col">Avg wait (h)</th>
              <th scope="col">Cost (CNY)</th>
              <th scope="col">Carbon (t)</th>
              <th scope="col">Utilization</th>
              <th scope="col">Jain</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ scenario, run }) => (
              <tr key={`${scenario}/${run.policy}/${run.variant}`}>
                <td>{scenario}</td>
                <td>{run.policy}</td>
                <td>{run.variant}</td>
                <td>{run.summary.jobs.finished.toLocaleString('en-US')}</td>
                <td>{(run.summary.jctS.avg / 3600).toFixed(2)}</td>
                <td>{(run.summary.jctS.p95 / 3600).toFixed(2)}</td>
                <td>{(run.summary.queueDelayS.avg / 3600).toFixed(2)}</td>
                <td>{Math.round(run.summary.costCny).toLocaleString('en-US')}</td>
                <td>{(run.summary.carbonKg / 1000).toFixed(1)}</td>
                <td>{(run.summary.utilization * 100).toFixed(1)}%</td>
                <td>{run.summary.jainIndex.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
