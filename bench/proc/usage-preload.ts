// Bench preload (`node --require usage-preload.js <script>`): on exit, writes the whole process's
// CPU (user + system, µs) and peak RSS (bytes) to stderr as one line `BENCH_USAGE {json}`, so that
// the CLI and a library run are measured the same way, start-up included.
process.on('exit', () => {
  const cpu = process.cpuUsage();
  process.stderr.write(`\nBENCH_USAGE ${JSON.stringify({ cpuUs: cpu.user + cpu.system, maxRss: process.resourceUsage().maxRSS * 1024, rss: process.memoryUsage.rss() })}\n`);
});
