import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLI_EXIT,
  formatErrorLine,
  JOB_STATES,
  loadNetworkFile,
  loadProfileFile,
  readInputFile,
  SuanliError,
  toSuanliError,
} from '@suanli/service';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { proveEntry, verifyOfflineLog, verifyRemoteLog } from './audit-verify.ts';
import { ApiClient, type SpecText } from './client.ts';
import { exportJobs } from './export.ts';
import {
  datasetsTable,
  fairnessText,
  jobsTable,
  jobText,
  modelsTable,
  optimizeText,
  policyTable,
  policyTestText,
  quoteText,
  sitesTable,
  whyText,
} from './format.ts';
import { simulateCommand } from './simulate.ts';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads standard input, for `-` as a file name. */
  readonly stdin?: () => string;
  /** Whether stderr is a terminal (progress bars redraw in place). */
  readonly stderrIsTty?: boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:7070';

/**
 * Runs one CLI command and returns its exit code: 0 success, 2 bad input (one line on stderr
 * saying what and where), 1 anything else. The CLI is a thin shell over the HTTP API, except
 * `serve`, which starts the server in this process and returns only when it stops.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const client = () => new ApiClient(io.env['SUANLI_URL'] ?? DEFAULT_URL, apiToken(io.env));
  const print = (value: unknown, json: boolean, human: () => string) =>
    io.stdout(`${json ? JSON.stringify(value, null, 2) : human()}\n`);
  const readSpec = (file: string): SpecText => {
    let text: string;
    try {
      text = file === '-' ? (io.stdin?.() ?? '') : readFileSync(file, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new SuanliError('MALFORMED_INPUT', `cannot read the job spec: ${why}`, { source: file });
    }
    return { text, source: file === '-' ? '<stdin>' : file, json: file.endsWith('.json') };
  };
  const int = (name: string) => (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
    return n;
  };

  const program = new Command('suanli')
    .description('Suanli (算力): coordinate AI computing power across a network of data centers.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);

  program
    .command('serve')
    .description('run the API, the dashboard and the scheduler (built-in network, sim backend)')
    .option('--port <port>', 'port to listen on', int('--port'), 7070)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--data <dir>',
      'folder for the SQLite store, the audit key and the first token (DATABASE_URL: PostgreSQL instead)',
      '.suanli',
    )
    .option('--network <file>', 'network YAML file (default: the built-in cn-national)')
    .option('--profile <file>', 'scheduling profile YAML file (default: the built-in default profile)')
    .option('--policy <file>', 'governance rules YAML file (default: the built-in China policy)')
    .option('--no-policy', 'run without governance rules')
    .option('--speedup <factor>', 'how much faster than real time the sim backend runs jobs', Number, 60)
    .action(
      async (o: {
        port: number;
        host: string;
        data: string;
        network?: string;
        profile?: string;
        policy?: string | false;
        speedup: number;
      }) => {
        if (!(o.speedup > 0)) throw new SuanliError('INVALID_FIELD', '--speedup must be a number > 0');
        const { startServer } = await import('@suanli/server');
        const server = await startServer({
          port: o.port,
          host: o.host,
          dataDir: o.data,
          speedup: o.speedup,
          ...(o.network ? { networkFile: o.network } : {}),
          ...(o.profile ? { profileFile: o.profile } : {}),
          ...(o.policy === false ? { policyFile: false as const } : o.policy ? { policyFile: o.policy } : {}),
          ...(io.env['DATABASE_URL'] ? { databaseUrl: io.env['DATABASE_URL'] } : {}),
          ...(io.env['SUANLI_DATABASE_SCHEMA'] ? { databaseSchema: io.env['SUANLI_DATABASE_SCHEMA'] } : {}),
          ...(io.env['SLURMRESTD_URL'] ? { slurm: slurmFromEnv(io.env, io.env['SLURMRESTD_URL']) } : {}),
        });
        io.stdout(`Suanli serves ${server.network.name} (${server.network.sites.length} sites) at ${server.url}\n`);
        const dashboard = server.operatorToken ? `${server.url}/#token=${server.operatorToken}` : `${server.url}/`;
        io.stdout(`  dashboard ${dashboard}\n  API docs ${server.url}/docs   OpenAPI ${server.url}/openapi.json\n`);
        io.stdout(
          server.operatorToken
            ? `  operator token in ${join(o.data, 'operator.token')} (the CLI here reads it; elsewhere set SUANLI_TOKEN)\n`
            : `  the operator token file ${join(o.data, 'operator.token')} was removed: set SUANLI_TOKEN\n`,
        );
        await new Promise<void>((done) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            server.close().then(done, done);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      },
    );

  program
    .command('sites')
    .description('list the sites of the network with their pools and use')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const sites = await client().sites();
      print(sites, !!o.json, () => sitesTable(sites));
    });

  program
    .command('submit <file>')
    .description('submit a job spec (YAML or JSON; - reads standard input)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const job = await client().submit(readSpec(file));
      print(job, !!o.json, () => `${job.id} ${job.state}`);
    });

  program
    .command('quote <file>')
    .description('rank every site for a job spec without submitting it')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const q = await client().quote(readSpec(file));
      print(q, !!o.json, () => quoteText(q));
    });

  program
    .command('jobs')
    .description('list jobs, newest first')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATES))
    .option('--tenant <tenant>', 'only jobs of this tenant')
    .option('--limit <n>', 'at most this many', int('--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (o: { state?: string; tenant?: string; limit: number; json?: boolean }) => {
      const jobs = await client().jobs(o);
      print(jobs, !!o.json, () => (jobs.length ? jobsTable(jobs) : 'no jobs'));
    });

  program
    .command('job <id>')
    .description('one job, with its placement and the explanation of it')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const job = await client().job(id);
      print(job, !!o.json, () => jobText(job));
    });

  program
    .command('why <id>')
    .description('why a job is pending: the decision a cycle would make now, per-site reasons, quota')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const w = await client().why(id);
      print(w, !!o.json, () => whyText(w));
    });

  program
    .command('cancel <id>')
    .description('cancel a job that has not finished')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const job = await client().cancel(id);
      print(job, !!o.json, () => `${job.id} ${job.state}`);
    });

  program
    .command('optimize')
    .description('plan the whole queue with the batch optimizer (LP/MIP); --apply carries the plan out')
    .option('--apply', 'carry the plan out, as a scheduling cycle would')
    .option('--json', 'print JSON')
    .action(async (o: { apply?: boolean; json?: boolean }) => {
      const r = await client().optimize(!!o.apply);
      print(r, !!o.json, () => optimizeText(r));
    });

  program
    .command('export <ids...>')
    .description('Kueue-ready Kubernetes Job manifests of placed jobs, validated against the Kubernetes schema')
    .option('--out <dir>', 'one YAML file per job in this folder (default: YAML documents on stdout)')
    .option('--namespace <ns>', 'Kubernetes namespace (default: the tenant)')
    .option('--image <image>', 'container image to run (job specs carry none)')
    .action(async (ids: string[], o: { out?: string; namespace?: string; image?: string }) => {
      const r = await exportJobs(client(), ids, o);
      io.stdout(r.files.length > 0 ? `${r.files.map((f) => `wrote ${f}`).join('\n')}\n` : r.yaml);
    });

  const tokens = program.command('tokens').description('API tokens');
  tokens
    .command('create')
    .description("issue a token (shown once): operators issue any, tenant admins their own tenant's")
    .requiredOption('--name <name>', 'who or what it is for')
    .requiredOption('--role <role>', 'operator | tenant-admin | tenant-member | auditor')
    .option('--tenant <tenant>', 'the tenant of a tenant-admin or tenant-member')
    .option('--json', 'print JSON')
    .action(async (o: { name: string; role: string; tenant?: string; json?: boolean }) => {
      const t = await client().createToken({ name: o.name, role: o.role, ...(o.tenant ? { tenant: o.tenant } : {}) });
      print(
        t,
        !!o.json,
        () =>
          `${t.token}\n(${t.role}${t.tenant ? ` of ${t.tenant}` : ''} ${t.name}: shown once, only its hash is kept)`,
      );
    });

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
      const csv = readInputFile(csvFile, 'MALFORMED_INPUT', 'CSV');
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

  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description(
      'check the whole audit log here: signed tree head (pinned key), hash chain, Merkle root, and that it extends the head pinned last time',
    )
    .option('--data <dir>', 'check a data folder offline (its suanli.db) instead of the server')
    .option('--json', 'print JSON')
    .action(async (o: { data?: string; json?: boolean }) => {
      const v = o.data ? await verifyOfflineLog(o.data, io.env) : await verifyRemoteLog(client(), io.env);
      print(v, !!o.json, () => v.lines.join('\n'));
      if (!v.ok) throw new AuditBroken();
    });
  audit
    .command('proof <seq>')
    .description('show an audit entry with its Merkle inclusion proof, checked here against the signed head')
    .option('--json', 'print JSON')
    .action(async (seq: string, o: { json?: boolean }) => {
      const n = Number(seq);
      if (!Number.isInteger(n) || n < 1)
        throw new SuanliError('INVALID_FIELD', `seq must be a whole number ≥ 1, not ${seq}`);
      const r = await proveEntry(client(), n, io.env);
      print(r, !!o.json, () => [...r.lines, ...(r.entry ? [JSON.stringify(r.entry, null, 2)] : [])].join('\n'));
      if (!r.ok) throw new AuditBroken();
    });

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

  try {
    await program.parseAsync(['node', 'suanli', ...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors (already printed by commander) exit 2.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof AuditBroken) return 1;
    const err = toSuanliError(e);
    io.stderr(`suanli: ${formatErrorLine(err.code, err.message, err.location)}\n`);
    return CLI_EXIT[err.code];
  }
}

class AuditBroken extends Error {}

/**
 * The API token: SUANLI_TOKEN, or the operator token a local `suanli serve` wrote to its data
 * folder (SUANLI_DATA, default .suanli) on the first start.
 */
export function apiToken(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env['SUANLI_TOKEN']) return env['SUANLI_TOKEN'];
  const file = join(env['SUANLI_DATA'] ?? '.suanli', 'operator.token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** The Slurm backend's settings from the environment slurm-up.sh prints (SLURMRESTD_URL and friends). */
function slurmFromEnv(env: Readonly<Record<string, string | undefined>>, url: string) {
  const gpus = Number(env['SLURM_LOCAL_GPUS_PER_NODE'] ?? env['SUANLI_SLURM_GPUS_PER_NODE'] ?? 4);
  const speedup = Number(env['SUANLI_SLURM_SPEEDUP'] ?? 1);
  return {
    url,
    ...(env['SLURMRESTD_API_VERSION'] ? { apiVersion: env['SLURMRESTD_API_VERSION'] } : {}),
    ...(env['SLURMRESTD_USER_NAME'] ? { userName: env['SLURMRESTD_USER_NAME'] } : {}),
    ...(env['SLURMRESTD_TOKEN'] ? { token: env['SLURMRESTD_TOKEN'] } : {}),
    ...(env['SLURM_LOCAL_PARTITION'] ? { partition: env['SLURM_LOCAL_PARTITION'] } : {}),
    gpusPerNode: gpus > 0 ? gpus : 4,
    speedup: speedup > 0 ? speedup : 1,
  };
}
