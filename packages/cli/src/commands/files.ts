import { loadNetworkFile, loadProfileFile, SuanliError } from '@suanli/service';
import { type Command, Option } from 'commander';
import { durationS } from '../duration.ts';
import { simulateCommand, simulateRunCommand } from '../simulate.ts';
import type { CliContext } from './context.ts';

/** Local files: run a simulation scenario, check a network or a profile. No server needed. */
export function registerFileCommands(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  program
    .command('simulate <scenario>')
    .description('run a scenario (network, workload, policies, what-ifs) and write a report with plots')
    .option('--out <dir>', 'folder for report.json, report.html and PNGs (default: <scenario name>-report)')
    .option('--png', 'also render every chart to PNG with headless Chromium')
    .option('--json', 'print the JSON report instead of the summary table')
    .option(
      '--jobs <n>',
      'runs at once, each in a worker thread (default: the CPUs, at most the runs)',
      ctx.int('--jobs'),
    )
    .option('--slurm', 'run the runs as one Slurm job array through slurmrestd (SLURMRESTD_URL), a task per run')
    .option('--slurm-dir <dir>', "with --slurm: folder for the tasks' results, shared by every node (default: --out)")
    .option('--slurm-timeout <duration>', 'with --slurm: longest the array may take, e.g. 12h (default: 1d)')
    // Internal: what each Slurm array task runs — one run, its result JSON written into --out.
    .addOption(
      new Option('--run-index <i>', 'run only run i and write its result to --out')
        .argParser(ctx.int('--run-index'))
        .hideHelp(),
    )
    .action(async (file: string, o: SimulateFlags) => {
      if (o.runIndex !== undefined) {
        if (o.slurm || o.png || o.json || o.jobs !== undefined || o.out === undefined) {
          throw new SuanliError('INVALID_FIELD', '--run-index runs one run for a Slurm task: give --out only', {
            field: '--run-index',
          });
        }
        await simulateRunCommand(file, o.runIndex, o.out, io);
        return;
      }
      const { slurmTimeout, runIndex: _, ...rest } = o;
      await simulateCommand(
        file,
        {
          ...rest,
          ...(slurmTimeout !== undefined
            ? { slurmTimeoutS: durationS(slurmTimeout, '--slurm-timeout', { minS: 60 }) }
            : {}),
        },
        io,
      );
    });

  const network = program.command('network').description('network files');
  network
    .command('check <file>')
    .description('validate a network YAML file')
    .action((file: string) => {
      const n = loadNetworkFile(file);
      const pools = n.sites.reduce((k, s) => k + s.pools.length, 0);
      io.stdout(`${file}: network ${n.name} is valid: ${n.sites.length} sites, ${pools} pools\n`);
    });

  const profile = program.command('profile').description('scheduling profiles');
  profile
    .command('check <file>')
    .description('validate a scheduling profile YAML file')
    .action((file: string) => {
      const p = loadProfileFile(file);
      const points = [
        `queue-sort ${p.queueSort.name}`,
        `filters ${[...p.siteFilters, ...p.filters].map((f) => f.name).join(', ')}`,
        `scores ${p.scores.map((s) => `${s.plugin.name}×${s.weight}`).join(', ')}`,
      ];
      io.stdout(`${file}: profile ${p.name} is valid: ${points.join('; ')}\n`);
    });
}

/** The options of `suanli simulate` as commander hands them over. */
interface SimulateFlags {
  out?: string;
  png?: boolean;
  json?: boolean;
  jobs?: number;
  slurm?: boolean;
  slurmDir?: string;
  slurmTimeout?: string;
  runIndex?: number;
}
