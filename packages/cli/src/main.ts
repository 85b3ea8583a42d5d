#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runCli } from './run-cli.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stdin: () => readFileSync(0, 'utf8'),
  stderrIsTty: process.stderr.isTTY === true,
});
process.exitCode = code;
