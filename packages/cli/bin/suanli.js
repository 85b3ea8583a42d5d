#!/usr/bin/env node
// The `suanli` command. The CLI is TypeScript built into dist/ by `npm run build`.
import('../dist/main.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('suanli: the CLI is not built yet; run `npm run build` in the repository first\n');
    process.exit(1);
  }
  throw e;
});
