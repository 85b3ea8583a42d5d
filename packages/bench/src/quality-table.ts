import { qualityFigures, qualityMatrix, qualityTable } from './quality.ts';

/**
 * `npm run bench:quality`: every shipped policy on every trace at every load, as the Markdown table
 * docs/design/default-policy.md shows, then the headline figures.
 */
const rows = qualityMatrix();
process.stdout.write(`${qualityTable(rows)}\n\n`);
for (const [k, v] of Object.entries(qualityFigures(rows))) process.stdout.write(`${k}: ${v.toFixed(3)}\n`);
