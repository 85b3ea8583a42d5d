import { useState } from 'react';
import { routeHash } from './routes.ts';

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

/** What this browser keeps of an opened report.json: its scenario and each run's summary. */
export interface StoredReport {
  id: string;
  scenario: { name: string; workload: string; network: string };
  runs: Run[];
}

const KEY = 'suanli.reports';

/** A short, stable id: the scenario's name and an FNV-1a hash of the file. */
export function reportId(name: string, text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `${slug || 'report'}-${h.toString(16).padStart(8, '0').slice(0, 6)}`;
}

function stored(): StoredReport[] {
  try {
    const v = JSON.parse(window.localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as StoredReport[]) : [];
  } catch {
    return [];
  }
}

function store(reports: StoredReport[]): void {
  window.localStorage.setItem(KEY, JSON.stringify(reports));
}

function RunsTable({ reports }: { reports: readonly StoredReport[] }) {
  const rows = reports.flatMap((r) => r.runs.map((run) => ({ report: r, run })));
  if (rows.length === 0) return null;
  return (
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
        {rows.map(({ report, run }) => (
          <tr key={`${report.id}/${run.policy}/${run.variant}`}>
            <td>
              <a href={routeHash({ view: 'simulation', reportId: report.id })}>{report.scenario.name}</a>
            </td>
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
  );
}

/**
 * Simulation reports (report.json of `suanli simulate`) opened here, kept in this browser, and
 * compared side by side; each has its own address (`#/simulations/ID`).
 */
export function SimulationReports() {
  const [reports, setReports] = useState<StoredReport[]>(stored);
  const [error, setError] = useState<string>();
  const open = async (files: FileList | null) => {
    setError(undefined);
    const read: StoredReport[] = [];
    for (const f of Array.from(files ?? [])) {
      try {
        const text = await f.text();
        const r = JSON.parse(text) as { format?: string; scenario: StoredReport['scenario']; runs: Run[] };
        if (r.format !== 'suanli-simulation-report/1') throw new Error('not a Suanli simulation report');
        read.push({
          id: reportId(r.scenario.name, text),
          scenario: r.scenario,
          runs: r.runs.map((run) => ({ policy: run.policy, variant: run.variant, summary: run.summary })),
        });
      } catch (e) {
        setError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const next = [...reports.filter((r) => !read.some((n) => n.id === r.id)), ...read];
    store(next);
    setReports(next);
  };
  return (
    <div className="reports">
      <label>
        Open report.json files{' '}
        <input type="file" accept="application/json,.json" multiple onChange={(e) => void open(e.target.files)} />
      </label>
      {error && <p role="alert">{error}</p>}
      {reports.length > 0 && (
        <button
          type="button"
          onClick={() => {
            store([]);
            setReports([]);
          }}
        >
          Forget the reports
        </button>
      )}
      <RunsTable reports={reports} />
    </div>
  );
}

/** One report opened before (`#/simulations/ID`): its scenario and runs. */
export function SimulationPage({ reportId: id }: { reportId: string }) {
  const report = stored().find((r) => r.id === id);
  if (!report)
    return (
      <p className="empty">
        No report {id} in this browser: open its report.json under{' '}
        <a href={routeHash({ view: 'simulations' })}>Simulation reports</a>.
      </p>
    );
  return (
    <section className="panel wide" aria-label={`Simulation ${id}`}>
      <h2>{report.scenario.name}</h2>
      <p className="muted">
        workload {report.scenario.workload} · network {report.scenario.network} · {report.runs.length} runs
      </p>
      <RunsTable reports={[report]} />
    </section>
  );
}
