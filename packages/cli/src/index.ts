// The public API of @suanli/cli.
export { ApiClient } from './client.ts';
export { type CliIo, DEFAULT_URL, runCli } from './run-cli.ts';
