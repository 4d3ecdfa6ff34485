// Loaded into a benchmarked node process with `node --import <this file> ...`: at exit, writes
// the process's peak resident set size (process.resourceUsage().maxRSS, in kilobytes) to the
// file named by ARCADE_BENCH_MAXRSS_FILE. Plain JavaScript so node loads it without tsx; it
// adds one tiny module load to the process and changes nothing else.
import { writeFileSync } from 'node:fs';

const file = process.env.ARCADE_BENCH_MAXRSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
