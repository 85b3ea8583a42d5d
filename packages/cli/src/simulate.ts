import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatNumber } from '@suanli/engine';
import { loadScenarioFile, SuanliError } from '@suanli/service';
import { METRICS, renderHtml, runLabel, runScenario, type ScenarioReport } from '@suanli/sim';

export interface SimulateOptions {
  /** Folder for report.json, report.html and the PNGs; default `<scenario name>-report`. */
  readonly out?: string;
  readonly png?: boolean;
  /** Print the JSON report on stdout instead of the table. */
  readonly json?: boolean;
}

export interface SimulateIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: the progress bar redraws one line; otherwise it prints a line per run. */
  readonly stderrIsTty?: boolean;
}

/** Debian's Chromium by default, as the dashboard tests use; SUANLI_CHROMIUM overrides. */
export function chromiumPath(env: Readonly<Record<string, string | undefined>>): string {
  return env['SUANLI_CHROMIUM'] ?? '/usr/bin/chromium';
}

/**
 * `suanli simulate SCENARIO.yaml`: runs every policy and what-if of the scenario through the
 * production engine, shows progress on stderr, and writes report.json and report.html (and with
 * --png one PNG per chart). Returns the report.
 */
export async function simulateCommand(file: string, o: SimulateOptions, io: SimulateIo): Promise<ScenarioReport> {
  const plan = loadScenarioFile(file);
  const out = resolve(o.out ?? `${plan.name}-report`);
  const chromium = chromiumPath(io.env);
  const playwright = o.png ? await loadPlaywright() : undefined;
  if (o.png && !existsSync(chromium)) {
    throw new SuanliError(
      'INVALID_FIELD',
      `--png needs Chromium, not found at ${chromium}: install it (apt-get install chromium) or set SUANLI_CHROMIUM`,
    );
  }
  const needsSolver = plan.runs.some((r) => r.profile.optimizer.mode === 'every-cycle');
  const solver = needsSolver ? await (await import('@suanli/solver')).loadHighsSolver() : undefined;

  const bar = progressBar(io);
  const started = Date.now();
  const report = runScenario(plan, {
    ...(solver ? { solver } : {}),
    onProgress: (index, count, run, p) =>
      bar.update(`run ${index + 1}/${count} ${runLabel(run)}`, p.total ? p.arrived / p.total : 0, p),
    onRunEnd: (index, count, r) =>
      bar.done(
        `run ${index + 1}/${count} ${runLabel(r)}: ${formatNumber(r.summary.jobs.finished)} jobs, average JCT ${(r.summary.jctS.avg / 3600).toFixed(2)} h, ${formatNumber(r.summary.costCny)} CNY, ${formatNumber(r.summary.carbonKg)} kgCO2`,
      ),
  });
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
  io.stderr(`simulated ${plan.runs.length} run${plan.runs.length === 1 ? '' : 's'} in ${wallS.toFixed(1)} s\n`);
  io.stderr(`wrote ${jsonPath}\nwrote ${htmlPath}\n${pngs.map((p) => `wrote ${p}\n`).join('')}`);
  return report;
}

/** The headline figures of every run, one row each. */
export function summaryTable(report: ScenarioReport): string {
  const shown = ['jct-avg', 'jct-p95', 'delay-avg', 'cost', 'carbon', 'utilization', 'fragmentation', 'jain'];
  const metrics = METRICS.filter((m) => shown.includes(m.id));
  const header = ['run', ...metrics.map((m) => `${m.title} (${m.unit})`)];
  const rows = report.runs.map((r) => [runLabel(r), ...metrics.map((m) => formatFigure(m.value(r)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
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

/** Progress on stderr: a redrawn bar on a terminal, a line per finished run otherwise. */
function progressBar(io: SimulateIo) {
  let last = 0;
  const width = 24;
  return {
    update(label: string, fraction: number, p: { arrived: number; finished: number; simS: number }) {
      if (!io.stderrIsTty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const f = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(f * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      io.stderr(
        `\r${bar} ${(f * 100).toFixed(0).padStart(3)}%  ${label}  ${formatNumber(p.finished)} done, day ${(p.simS / 86400).toFixed(1)}\u001b[K`,
      );
    },
    done(line: string) {
      io.stderr(`${io.stderrIsTty ? '\r\u001b[K' : ''}${line}\n`);
    },
  };
}
