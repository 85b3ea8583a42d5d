import { JOB_STATES, SuanliError } from '@suanli/service';
import { type Command, Option } from 'commander';
import { exportJobs } from '../export.ts';
import {
  healthText,
  jobsTable,
  jobText,
  optimizeText,
  quoteText,
  servicesTable,
  serviceText,
  sitesTable,
  whyText,
} from '../format.ts';
import type { CliContext } from './context.ts';

/** Sites and jobs: list, quote, submit, follow, explain, cancel, optimize, export. */
export function registerJobCommands(program: Command, ctx: CliContext): void {
  const { client, print, readSpec, int, io } = ctx;
  program
    .command('sites')
    .description('list the sites of the network with their pools and use')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const sites = await client().sites();
      print(sites, !!o.json, () => sitesTable(sites));
    });

  program
    .command('services')
    .description(
      'online services: replicas running, load, SLO met or missed now, cost per hour and per million requests',
    )
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await client().services();
      print(list, !!o.json, () => servicesTable(list));
    });
  program
    .command('service <id>')
    .description('one service: load and time to first token per region, its replicas and where they run, its cost')
    .option('--route <region>', 'also name the replica a request from this region goes to')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean; route?: string }) => {
      const s = await client().service(id);
      const route = o.route ? await client().route(id, o.route) : undefined;
      print(route ? { ...s, route } : s, !!o.json, () =>
        route
          ? `${serviceText(s)}\n\nfrom ${o.route}: ${route.endpoint} (${Math.round(route.ttftMs)} ms to first token expected)`
          : serviceText(s),
      );
    });

  const health = program
    .command('health')
    .description('sites out of service and links cut (operators: take a site out or back, cut or restore a link)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const h = await client().health();
      print(h, !!o.json, () => healthText(h));
    });
  health
    .command('site <id>')
    .description('take a site out of service (its runs fail over by their policies) or bring it back')
    .addOption(new Option('--out', 'take it out of service').conflicts('in'))
    .addOption(new Option('--in', 'bring it back into service'))
    .option('--reason <text>', 'why (kept in the audit log)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { out?: boolean; in?: boolean; reason?: string; json?: boolean }) => {
      if (!o.out && !o.in) throw new SuanliError('INVALID_FIELD', 'health site: give --out or --in');
      const s = await client().setSiteHealth(id, o.out ? 'out' : 'in-service', o.reason);
      print(s, !!o.json, () =>
        s.state === 'out' ? `${s.siteId} out of service: ${s.reason}` : `${s.siteId} in service`,
      );
    });
  health
    .command('link <from> <to>')
    .description('record a cut link (no data is staged over it) or its repair')
    .addOption(new Option('--cut', 'the link is cut').conflicts('in'))
    .addOption(new Option('--in', 'the link is back in service'))
    .option('--reason <text>', 'why (kept in the audit log)')
    .option('--json', 'print JSON')
    .action(async (from: string, to: string, o: { cut?: boolean; in?: boolean; reason?: string; json?: boolean }) => {
      if (!o.cut && !o.in) throw new SuanliError('INVALID_FIELD', 'health link: give --cut or --in');
      const cuts = await client().setLinkHealth(from, to, o.cut ? 'cut' : 'in-service', o.reason);
      print(cuts, !!o.json, () =>
        cuts.length === 0 ? 'no link cut' : cuts.map((c) => `${c.from}–${c.to} cut: ${c.reason}`).join('\n'),
      );
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
    .description('rank every site for a job spec without submitting it (exit 2 when no site can run it)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const q = await client().quote(readSpec(file));
      print(q, !!o.json, () => quoteText(q));
      if (q.options.length === 0) {
        const first = q.rejected[0];
        throw new SuanliError(
          'NO_FEASIBLE_SITE',
          `no site can run this job${first ? `: ${first.siteId} (${first.plugin}) ${first.reason}` : ''}`,
          { source: file },
        );
      }
    });

  program
    .command('jobs')
    .description('list jobs, newest first')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATES))
    .option('--tenant <tenant>', 'only jobs of this tenant')
    .option('--limit <n>', 'at most this many (1..1000)', int('--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (o: { state?: string; tenant?: string; limit: number; json?: boolean }) => {
      if (o.limit < 1 || o.limit > 1000) throw new SuanliError('INVALID_FIELD', '--limit must be in 1..1000');
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
    .description('plan the whole queue with the batch optimizer; --apply carries the plan out')
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
}
