import { BENCHMARKS } from './benchmarks.ts';

/** Runs one benchmark in this process and prints its figures and peak RSS as one JSON line. */
const name = process.argv[2];
const bench = BENCHMARKS.find((b) => b.name === name);
if (!bench) {
  process.stderr.write(`unknown benchmark ${name}\n`);
  process.exit(2);
}
const figures = await bench.run();
const rssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ figures, rssMb })}\n`);
