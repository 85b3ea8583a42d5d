import { type CliIo, runCli } from './run-cli.ts';

/** A `suanli` invocation in-process, its output captured: what a test asserts on. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Returns a runner of `suanli …` with this environment (read when each call starts). */
export function cliWith(env: () => CliIo['env']): (...argv: string[]) => Promise<CliResult> {
  return async (...argv) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: env(),
    });
    return { code, stdout, stderr };
  };
}
