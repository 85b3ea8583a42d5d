import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, eventually, type ServerProcess, startServerProcess, suanliProcess } from './processes.ts';

/**
 * Every `npx suanli …` command the README shows, run as written against a real server process, in
 * a folder laid out as a fresh clone is (examples/ beside the .suanli data folder the server made).
 * The README's comments say what each does; a command whose comment says "exit 2" must exit 2,
 * every other must exit 0.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Commands that cannot run in a test, and why (each is covered elsewhere). */
const NOT_HERE: Readonly<Record<string, string>> = {
  'itp-national.yaml': 'runs the whole ITP trace for minutes; --png is tested in packages/cli/src/simulate.test.ts',
};

interface TourCommand {
  readonly line: string;
  readonly args: readonly string[];
  readonly exit: number;
}

/** The commands of the README's shell blocks and inline code, in order. */
function tourCommands(): { run: TourCommand[]; skipped: [string, string][] } {
  const lines: string[] = [];
  for (const block of README.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const l of (block[1] ?? '').split('\n')) if (l.startsWith('npx suanli ')) lines.push(l);
  }
  for (const inline of README.matchAll(/`(npx suanli tokens create [^`]+)`/g)) lines.push(inline[1] ?? '');
  const run: TourCommand[] = [];
  const skipped: [string, string][] = [];
  for (const line of lines) {
    const [command = '', comment = ''] = line.split(/\s+#\s/);
    const reason = Object.entries(NOT_HERE).find(([k]) => command.includes(k))?.[1];
    if (reason) {
      skipped.push([command.trim(), reason]);
      continue;
    }
    const args = command.trim().split(/\s+/).slice(2);
    run.push({ line: command.trim(), args, exit: /exit 2/.test(comment) ? 2 : 0 });
  }
  return { run, skipped };
}

let server: ServerProcess;
let cwd: string;
beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'suanli-tour-'));
  symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
  mkdirSync(join(cwd, '.suanli'), { mode: 0o700 });
  server = await startServerProcess(['--speedup', '3600'], join(cwd, '.suanli'));
});
afterAll(async () => {
  await server?.stop();
});

/** `npx suanli …` in the tour folder: the CLI finds the token the server wrote to .suanli/. */
function suanli(args: readonly string[]): Promise<CliResult> {
  const { SUANLI_TOKEN: _t, ...env } = process.env;
  return suanliProcess(args, { cwd, env: { ...env, SUANLI_URL: server.url, SUANLI_HOME: join(cwd, 'home') } });
}

describe("the README's commands, as a new user runs them", () => {
  const { run, skipped } = tourCommands();

  it('finds the tour in the README', () => {
    expect(run.length).toBeGreaterThanOrEqual(20);
    expect(run.some((c) => c.exit === 2)).toBe(true);
  });

  it('leaves out only the commands it names, each of which the README still shows', () => {
    // Every entry of NOT_HERE matches a README command (a stale entry would hide nothing and fail here),
    // and nothing else is left out.
    expect(Object.keys(NOT_HERE).every((k) => skipped.some(([command]) => command.includes(k)))).toBe(true);
    expect(skipped.every(([, reason]) => Object.values(NOT_HERE).includes(reason))).toBe(true);
    expect(skipped.length).toBeLessThanOrEqual(Object.keys(NOT_HERE).length);
  });

  it('runs every one with the exit code it promises', async () => {
    let jobId: string | undefined;
    for (const c of run) {
      const args = c.args.map((a) => (a === '<id>' ? (jobId ?? '<id>') : a));
      const r = await suanli(args);
      expect(r.code, `${c.line}\n${r.stderr}`).toBe(c.exit);
      if (c.exit === 0) expect(r.stdout.length, c.line).toBeGreaterThan(0);
      else expect(r.stderr.split('\n').filter(Boolean), c.line).toHaveLength(1);
      if (args[0] === 'submit' && r.code === 0) jobId = r.stdout.split(' ')[0];
    }
    expect(jobId).toMatch(/^j-/);
    // The submitted job goes the way the tour says: pending → scheduled → running → succeeded.
    await eventually(async () => {
      const r = await suanli(['job', jobId ?? '', '--json']);
      return JSON.parse(r.stdout).state === 'succeeded' ? true : undefined;
    });
  }, 180_000);
});
