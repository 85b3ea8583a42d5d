import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the CLI keeps the audit log keys and heads it pinned (known-logs.json), away from the real home. */
const PINS_HOME = mkdtempSync(join(tmpdir(), 'suanli-pins-'));

export const CLI = fileURLToPath(new URL('../../packages/cli/bin/suanli.js', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  /** Its data folder (SQLite file, audit key, token). */
  readonly data: string;
  /** The operator token the server wrote on its first start (from its banner). */
  readonly token: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `suanli serve` as a real process on a free port and waits for its banner. */
export async function startServerProcess(
  args: readonly string[] = [],
  data = mkdtempSync(join(tmpdir(), 'suanli-e2e-')),
): Promise<ServerProcess> {
  // A server of its own: SQLite in a fresh folder, whatever DATABASE_URL the shell has.
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', data, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let output = '';
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Suanli serves \S+ \(\d+ sites\) at (http:\/\/[\d.:]+)/.exec(output);
      const t = /#token=(\S+)/.exec(output);
      if (m?.[1] && t?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], token: t[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    data,
    token,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** What a CLI process printed, and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI as a process: `suanli ARGS`, with node flags, environment and folder if given. */
export function suanliProcess(
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string; readonly nodeArgs?: readonly string[] } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), CLI, ...args],
      {
        maxBuffer: 64 * 1024 * 1024,
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the real CLI as a process against a server. */
export function runCliProcess(server: Pick<ServerProcess, 'url' | 'token'>, ...args: string[]): Promise<CliResult> {
  return suanliProcess(args, {
    env: { ...process.env, SUANLI_URL: server.url, SUANLI_TOKEN: server.token, SUANLI_HOME: PINS_HOME },
  });
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. For real processes only. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
