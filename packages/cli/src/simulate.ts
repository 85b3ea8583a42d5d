import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatNumber } from '@suanli/engine';
import { loadScenarioFile, SuanliError } from '@suanli/service';
import {
  metricsFor,
  nothingQueuedNote,
  type RunResult,
  renderHtml,
  runLabel,
  type ScenarioPlan,
  type ScenarioReport,
} from '@suanli/sim';
import { defaultJobs, MAX_SIMULATE_JOBS, runInWorkers, workersAvailable } from './simulate-pool.ts';
import { type SweepProgress, sweepProgress } from './simulate-progress.ts';
import { writeRunFile } from './simulate-run-file.ts';
import { type RunHooks, reportOf, runEndLine, runOne, runSequentially, solverFor } from './simulate-runs.ts';
import { runOnSlurm } from './simulate-slurm.ts';

export interface SimulateOptions {
  /** Folder for report.json, report.html and the PNGs; default `<scenario name>-report`. */
  readonly out?: string;
  readonly png?: boolean;
  /** Print the JSON report on stdout instead of the table. */
  readonly json?: boolean;
  /** Worker threads running runs at once (default: the CPUs, at most the runs); 1 runs them in this thread. */
  readonly jobs?: number;
  /** Run the runs as one Slurm job array through slurmrestd (SLURMRESTD_URL), one task per run. */
  readonly slurm?: boolean;
  /** With --slurm: where the array's folder of results goes, on a filesystem every node sees (default: `out`). */
  readonly slurmDir?: string;
  /** With --slurm: how long the array may take, in seconds (default a day). */
  readonly slurmTimeoutS?: number;
}

export interface SimulateIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: the progress bar redraws one line; otherwise it prints a line per run. */
  readonly stderrIsTty?: boolean;
}

/** The time a Slurm job array may take when --slurm-timeout is not given. */
export const DEFAULT_SLURM_TIMEOUT_S = 86_400;

/** Debian's Chromium by default, as the dashboard tests use; SUANLI_CHROMIUM overrides. */
export function chromiumPath(env: Readonly<Record<string, string | undefined>>): string {
  return env['SUANLI_CHROMIUM'] ?? '/usr/bin/chromium';
}

/**
 * `suanli simulate SCENARIO.yaml`: runs every policy and what-if of the scenario through the
 * production engine — in worker threads (`jobs`), in this thread (`jobs` 1), or as a Slurm job
 * array (`slurm`) — shows progress on stderr, and writes report.json and report.html (and with
 * --png one PNG per chart). However the runs ran, the report is the same bytes. Returns it.
 */
export async function simulateCommand(file: string, o: SimulateOptions, io: SimulateIo): Promise<ScenarioReport> {
  const plan = loadScenarioFile(file);
  checkOptions(o);
  const out = resolve(o.out ?? `${plan.name}-report`);
  const chromium = chromiumPath(io.env);
  const playwright = o.png ? await loadPlaywright() : undefined;
  if (o.png && !existsSync(chromium)) {
    throw new SuanliError(
      'INVALID_FIELD',
      `--png needs Chromium, not found at ${chromium}: install it (apt-get install chromium) or set SUANLI_CHROMIUM`,
    );
  }

  const progress = sweepProgress(io, plan);
  const hooks: RunHooks = {
    ...(io.stderrIsTty ? { onProgress: (i, p) => progress.run(i, p) } : {}),
    onRunEnd: (i, r, wallS) => progress.runEnded(i, runEndLine(plan, i, r, wallS)),
  };
  const started = Date.now();
  const { results, how } = await runAll(resolve(file), plan, o, out, io, hooks, progress);
  const report = reportOf(plan, results);
  const wallS = (Date.now() - started) / 1000;

  mkdirSync(out, { recursive: true });
  const jsonPath = join(out, 'report.json');
  const htmlPath = join(out, 'report.html');
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  const html = renderHtml(report);
  writeFileSync(htmlPath, html);
  const pngs = playwright ? await renderPngs(playwright, htmlPath, out, chromium) : [];

  if (o.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(`${summaryTable(report)}\n`);
  io.stderr(`simulated ${plan.runs.length} run${plan.runs.length === 1 ? '' : 's'} in ${wallS.toFixed(1)} s ${how}\n`);
  io.stderr(`wrote ${jsonPath}\nwrote ${htmlPath}\n${pngs.map((p) => `wrote ${p}\n`).join('')}`);
  return report;
}

/**
 * `suanli simulate SCENARIO --run-index I --out DIR` (internal: what a Slurm array task runs): run I
 * of the scenario alone, its result written to DIR/run-I.json for the command that submitted the array.
 */
export async function simulateRunCommand(file: string, index: number, outDir: string, io: SimulateIo): Promise<void> {
  const plan = loadScenarioFile(file);
  // The solver when any run needs it, given to this one as a sequential run would give it.
  const solver = await solverFor(plan.runs);
  const result = runOne(plan, index, solver);
  mkdirSync(outDir, { recursive: true });
  const path = writeRunFile(outDir, plan, index, result);
  io.stderr(`${runEndLine(plan, index, result)}\nwrote ${path}\n`);
}

function checkOptions(o: SimulateOptions): void {
  if (o.jobs !== undefined && !(Number.isSafeInteger(o.jobs) && o.jobs >= 1 && o.jobs <= MAX_SIMULATE_JOBS)) {
    throw new SuanliError('INVALID_FIELD', `--jobs must be a whole number from 1 to ${MAX_SIMULATE_JOBS}`, {
      field: '--jobs',
    });
  }
  if (o.slurm && o.jobs !== undefined) {
    throw new SuanliError('INVALID_FIELD', '--jobs applies to local runs; with --slurm every run is a Slurm task', {
      field: '--jobs',
    });
  }
  if (!o.slurm && (o.slurmDir !== undefined || o.slurmTimeoutS !== undefined)) {
    throw new SuanliError('INVALID_FIELD', '--slurm-dir and --slurm-timeout apply with --slurm only', {
      field: o.slurmDir !== undefined ? '--slurm-dir' : '--slurm-timeout',
    });
  }
}

/** Runs every run where the options say, and says how for the closing line. */
async function runAll(
  file: string,
  plan: ScenarioPlan,
  o: SimulateOptions,
  out: string,
  io: SimulateIo,
  hooks: RunHooks,
  progress: SweepProgress,
): Promise<{ results: RunResult[]; how: string }> {
  if (o.slurm) {
    const results = await runOnSlurm(
      {
        file,
        plan,
        sharedDir: resolve(o.slurmDir ?? out),
        timeoutS: o.slurmTimeoutS ?? DEFAULT_SLURM_TIMEOUT_S,
        env: io.env,
      },
      hooks,
      progress,
    );
    return { results, how: 'as a Slurm job array' };
  }
  const jobs = Math.min(o.jobs ?? defaultJobs(plan.runs.length), plan.runs.length);
  if (jobs > 1 && workersAvailable()) {
    return { results: await runInWorkers(file, plan, jobs, hooks), how: `on ${jobs} worker threads` };
  }
  return { results: await runSequentially(plan, hooks), how: 'in one thread' };
}

/** The headline figures of every run, one row each. */
export function summaryTable(report: ScenarioReport): string {
  const shown = [
    'jct-avg',
    'jct-p95',
    'delay-avg',
    'wait-avg',
    'cost',
    'carbon',
    'utilization',
    'idle-waiting',
    'fragmentation',
    'jain',
    'ettr',
    'lost',
    'restarts',
    'failovers',
    'outages',
    'failed',
    'serve-slo',
    'serve-cost',
    'serve-carbon',
    'billed',
    'vouchers',
    'grid-events',
    'grid-delivered',
    'grid-met',
    'grid-lost',
    'grid-cost',
    'grid-delayed',
  ];
  const metrics = metricsFor(report.runs).filter((m) => shown.includes(m.id));
  const header = ['run', ...metrics.map((m) => `${m.title} (${m.unit})`)];
  const rows = report.runs.map((r) => [runLabel(r), ...metrics.map((m) => formatFigure(m.value(r)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const notes = report.runs.map(nothingQueuedNote).filter((n): n is string => n !== undefined);
  return [line(header), ...rows.map(line), ...notes].join('\n');
}

function formatFigure(v: number): string {
  return Math.abs(v) >= 100 ? formatNumber(v) : formatNumber(v, Math.abs(v) >= 10 ? 1 : 2);
}

type Playwright = Pick<typeof import('playwright-core'), 'chromium'>;

/**
 * playwright-core, loaded only for --png: it is an optional peer dependency of the CLI, so an
 * install without it runs every other command. Missing, it is one INVALID_FIELD line saying how to
 * install it.
 */
async function loadPlaywright(): Promise<Playwright> {
  try {
    return await import('playwright-core');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') || !/playwright-core/.test(String(e))) throw e;
    throw new SuanliError(
      'INVALID_FIELD',
      '--png needs the optional package playwright-core, which is not installed: run `npm install playwright-core`',
    );
  }
}

/** One PNG per chart of the report, rendered by headless Chromium. */
async function renderPngs(
  { chromium }: Playwright,
  htmlPath: string,
  out: string,
  executablePath: string,
): Promise<string[]> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    await page.goto(pathToFileURL(htmlPath).href);
    const figures = page.locator('figure[data-chart]');
    const paths: string[] = [];
    for (let i = 0; i < (await figures.count()); i++) {
      const f = figures.nth(i);
      const id = (await f.getAttribute('data-chart')) ?? `chart-${i}`;
      const path = join(out, `${id}.png`);
      await f.screenshot({ path });
      paths.push(path);
    }
    return paths;
  } finally {
    await browser.close();
  }
}
