// Preloaded into a benchmarked node process with `node --require <this file> ...`: at exit, writes
// the process's peak resident set size (process.resourceUsage().maxRSS, in kilobytes) to the
// file named by ARCADE_BENCH_MAXRSS_FILE. Plain CommonJS so node requires it before the command
// without tsx and without starting its ES-module loader (`--import` would: docs/benchmarks.md
// "How"); it adds one tiny require to the process and changes nothing else.
const { writeFileSync } = require('node:fs');

const file = process.env.ARCADE_BENCH_MAXRSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
