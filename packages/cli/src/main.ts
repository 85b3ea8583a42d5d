#!/usr/bin/env node
import { readBounded, SuanliError } from '@suanli/service';
import { runCli } from './run-cli.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stdin: (maxBytes) =>
    readBounded(
      '-',
      maxBytes,
      (why) => new SuanliError('MALFORMED_INPUT', `cannot read standard input: ${why}`),
    ).toString('utf8'),
  stderrIsTty: process.stderr.isTTY === true,
});
process.exitCode = code;
