import { CLI_EXIT, formatErrorLine, toSuanliError } from '@suanli/service';
import { Command, CommanderError } from 'commander';
import { registerAccessCommands } from './commands/access.ts';
import { AuditBroken, registerAuditCommands } from './commands/audit.ts';
import { type CliIo, cliContext } from './commands/context.ts';
import { registerFileCommands } from './commands/files.ts';
import { registerGovernanceCommands } from './commands/governance.ts';
import { registerJobCommands } from './commands/jobs.ts';
import { registerMarketCommands } from './commands/market.ts';
import { registerPowerCommands } from './commands/power.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerSettlementCommands } from './commands/settlement.ts';

export { apiToken, type CliIo, DEFAULT_URL } from './commands/context.ts';

/**
 * Runs one CLI command and returns its exit code: 0 success, 2 bad input (one line on stderr
 * saying what and where), 1 anything else. The CLI is a thin shell over the HTTP API, except
 * `serve`, which starts the server in this process and returns only when it stops, and the
 * commands on local files (simulate, network check, profile check, audit verify --data).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = cliContext(io);
  const program = new Command('suanli')
    .description('Suanli (算力): coordinate AI computing power across a network of data centers.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);

  registerServeCommand(program, ctx);
  registerJobCommands(program, ctx);
  registerAccessCommands(program, ctx);
  registerGovernanceCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerFileCommands(program, ctx);
  registerSettlementCommands(program, ctx);
  registerMarketCommands(program, ctx);
  registerPowerCommands(program, ctx);

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
