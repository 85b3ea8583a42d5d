import { join } from 'node:path';
import { SuanliError } from '@suanli/service';
import type { Command } from 'commander';
import type { CliContext } from './context.ts';

/** `suanli serve`: the server in this process, until a signal stops it. */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  const { io, int } = ctx;
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
    .option(
      '--health-timeout <seconds>',
      'a backend silent this long takes its sites out of service (their runs fail over)',
      Number,
      120,
    )
    .action(
      async (o: {
        port: number;
        host: string;
        data: string;
        network?: string;
        profile?: string;
        policy?: string | false;
        speedup: number;
        healthTimeout: number;
      }) => {
        if (!(o.healthTimeout >= 1 && o.healthTimeout <= 86_400)) {
          throw new SuanliError('INVALID_FIELD', '--health-timeout must be a number of seconds in [1, 86400]');
        }
        if (!(o.speedup > 0 && o.speedup <= 100_000)) {
          throw new SuanliError('INVALID_FIELD', '--speedup must be a number in (0, 100000]');
        }
        if (o.port > 65_535) throw new SuanliError('INVALID_FIELD', '--port must be at most 65535');
        const { startServer } = await import('@suanli/server');
        const server = await startServer({
          port: o.port,
          host: o.host,
          dataDir: o.data,
          speedup: o.speedup,
          healthTimeoutS: o.healthTimeout,
          ...(o.network ? { networkFile: o.network } : {}),
          ...(o.profile ? { profileFile: o.profile } : {}),
          ...(o.policy === false ? { policyFile: false as const } : o.policy ? { policyFile: o.policy } : {}),
          ...(io.env['DATABASE_URL'] ? { databaseUrl: io.env['DATABASE_URL'] } : {}),
          ...(io.env['SUANLI_DATABASE_SCHEMA'] ? { databaseSchema: io.env['SUANLI_DATABASE_SCHEMA'] } : {}),
          ...(io.env['SLURMRESTD_URL'] ? { slurm: slurmFromEnv(io.env, io.env['SLURMRESTD_URL']) } : {}),
        });
        io.stdout(`Suanli serves ${server.network.name} (${server.network.sites.length} sites) at ${server.url}\n`);
        const dashboard = server.operatorToken ? `${server.url}/#token=${server.operatorToken}` : `${server.url}/`;
        const wall = server.operatorToken
          ? `${server.url}/#/wall?token=${server.operatorToken}`
          : `${server.url}/#/wall`;
        io.stdout(
          `  dashboard ${dashboard}\n  wall display ${wall}\n  API docs ${server.url}/docs   OpenAPI ${server.url}/openapi.json\n`,
        );
        io.stdout(
          server.operatorToken
            ? `  operator token in ${join(o.data, 'operator.token')} (the CLI here reads it; elsewhere set SUANLI_TOKEN)\n`
            : `  the operator token file ${join(o.data, 'operator.token')} was removed: set SUANLI_TOKEN\n`,
        );
        await new Promise<void>((done) => {
          // The first signal stops cleanly (a few seconds at most); a second one stops at once.
          const now = () => process.exit(130);
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            process.once('SIGINT', now);
            process.once('SIGTERM', now);
            io.stderr('suanli: stopping (finishing requests in flight; a second signal stops at once)\n');
            server.close().then(done, (e: unknown) => {
              io.stderr(`suanli: ${e instanceof Error ? e.message : String(e)} while stopping\n`);
              done();
            });
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      },
    );
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
