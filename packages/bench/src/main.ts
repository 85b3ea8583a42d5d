import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './benchmarks.ts';

/**
 * `npm run bench`: runs every benchmark in its own process (so peak memory is its own) and prints
 * a table of figures, or with `--json` one JSON object of all figures. `--only a,b` picks some.
 * Figures are measured here and now; compare ratios taken in one run, not runs on other days.
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : undefined;
const runner = fileURLToPath(new URL('./run-one.js', import.meta.url));

interface Result {
  readonly figures: Record<string, number>;
  readonly rssMb: number;
}

function runOne(name: string): Promise<Result | { skipped: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [runner, name], { maxBuffer: 1 << 24, env: process.env }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (err) {
        resolve({ skipped: (stderr.trim().split('\n').pop() ?? String(err)).slice(0, 200) });
        return;
      }
      resolve(JSON.parse(last) as Result);
    });
  });
}

const all: Record<string, number | string> = {};
const rows: string[][] = [];
for (const b of BENCHMARKS) {
  if (only && !only.includes(b.name)) continue;
  if (!json) process.stderr.write(`running ${b.name}…\n`);
  const r = await runOne(b.name);
  if ('skipped' in r) {
    all[`${b.name}_skipped`] = r.skipped;
    rows.push([b.name, 'skipped', r.skipped, '']);
    continue;
  }
  for (const [k, v] of Object.entries(r.figures)) {
    all[k] = v;
    rows.push([k, format(v), b.targets[k] ?? '', b.description]);
  }
  const rssKey = `${b.name}_rss_mb`;
  all[rssKey] = Math.round(r.rssMb);
  rows.push([rssKey, format(r.rssMb), '', 'peak resident memory of the benchmark process']);
}

if (json) {
  process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
} else {
  const header = ['figure', 'value', 'target', 'what'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

function format(v: number): string {
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}
