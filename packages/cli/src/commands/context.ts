import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIMITS, readBounded, SuanliError } from '@suanli/service';
import { InvalidArgumentError } from 'commander';
import { ApiClient, type SpecText } from '../client.ts';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads standard input, at most `maxBytes` (more is an error), for `-` as a file name. */
  readonly stdin?: (maxBytes: number) => string;
  /** Whether stderr is a terminal (progress bars redraw in place). */
  readonly stderrIsTty?: boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:7070';

/** What every command needs: the streams, a client of the server, printing, reading input files. */
export interface CliContext {
  readonly io: CliIo;
  client(): ApiClient;
  /** JSON with --json, else the human form. */
  print(value: unknown, json: boolean, human: () => string): void;
  /** A job spec file (`-`: standard input), refused before it is read whole when over the body limit. */
  readSpec(file: string): SpecText;
  /** A commander parser of whole numbers ≥ 0 for an option. */
  int(name: string): (v: string) => number;
  /** A commander parser of an amount in yuan (at most two decimals) for an option, in fen. */
  fen(name: string): (v: string) => number;
}

export function cliContext(io: CliIo): CliContext {
  return {
    io,
    client: () => new ApiClient(io.env['SUANLI_URL'] ?? DEFAULT_URL, apiToken(io.env)),
    print: (value, json, human) => io.stdout(`${json ? JSON.stringify(value, null, 2) : human()}\n`),
    readSpec: (file) => {
      const text =
        file === '-'
          ? (io.stdin?.(LIMITS.inputBytes) ?? '')
          : readBounded(
              file,
              LIMITS.inputBytes,
              (why) => new SuanliError('MALFORMED_INPUT', `cannot read the job spec: ${why}`, { source: file }),
            ).toString('utf8');
      return { text, source: file === '-' ? '<stdin>' : file, json: file.endsWith('.json') };
    },
    fen: (name) => (v) => {
      const fen = Math.round(Number(v) * 100);
      if (!/^\d+(\.\d{1,2})?$/.test(v) || !Number.isSafeInteger(fen)) {
        throw new InvalidArgumentError(`${name} is an amount in yuan, 0 or more, at most two decimals (like 12.50)`);
      }
      return fen;
    },
    int: (name) => (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
      return n;
    },
  };
}

/**
 * The API token: SUANLI_TOKEN, or the operator token a local `suanli serve` wrote to its data
 * folder (SUANLI_DATA, default .suanli) on the first start.
 */
export function apiToken(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env['SUANLI_TOKEN']) return env['SUANLI_TOKEN'];
  const file = join(env['SUANLI_DATA'] ?? '.suanli', 'operator.token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
