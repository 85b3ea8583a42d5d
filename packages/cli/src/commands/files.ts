import { loadNetworkFile, loadProfileFile } from '@suanli/service';
import type { Command } from 'commander';
import { simulateCommand } from '../simulate.ts';
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
    .action(async (file: string, o: { out?: string; png?: boolean; json?: boolean }) => {
      await simulateCommand(file, o, io);
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
