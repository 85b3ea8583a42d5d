import { LIMITS, readInputFile } from '@suanli/service';
import type { Command } from 'commander';
import { datasetsTable, fairnessText, modelsTable, policyTable, policyTestText } from '../format.ts';
import type { CliContext } from './context.ts';

/** Rules, the data catalog and the model registry. */
export function registerGovernanceCommands(program: Command, ctx: CliContext): void {
  const { client, print, readSpec } = ctx;
  const policies = program.command('policies').description('governance rules');
  policies
    .command('list')
    .description('the rules in force, each with its source')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const p = await client().policy();
      print(p, !!o.json, () => policyTable(p));
    });
  policies
    .command('test <file>')
    .description('dry-run a job spec against the rules: admission, and placement at every site')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const r = await client().testPolicy(readSpec(file));
      print(r, !!o.json, () => policyTestText(r));
    });
  const models = program.command('models').description('the model registry');
  models
    .command('list', { isDefault: true })
    .description('models with their weights digest, filings, sectors and fairness audits')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const m = await client().models();
      print(m, !!o.json, () => modelsTable(m));
    });
  models
    .command('audit <model> <csv>')
    .description('run a fairness audit from a CSV of prediction,label,group')
    .requiredOption('--sector <sector>', 'the sector the model is audited for')
    .option('--json', 'print JSON')
    .action(async (model: string, csvFile: string, o: { sector: string; json?: boolean }) => {
      const csv = readInputFile(csvFile, 'MALFORMED_INPUT', 'CSV', false, LIMITS.inputBytes);
      const a = await client().auditModel(model, o.sector, csv, csvFile);
      print(a, !!o.json, () => fairnessText(a));
    });
  program
    .command('datasets')
    .description('the data catalog: classification, personal information, replicas')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const d = await client().datasets();
      print(d, !!o.json, () => datasetsTable(d));
    });
}
