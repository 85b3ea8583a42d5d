import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderLimitsDoc } from './input-bounds.ts';

// `npm run gen:limits`: writes docs/limits.md from the input schemas (a test checks it is current).
const target = process.argv[2];
if (target && process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(target, renderLimitsDoc());
}
