// What a bench child reports about itself: its CPU since its work began and its peak RSS. A
// module of its own, so that a child reads it without loading children.ts, which loads esbuild
// (its start-up and its memory would then be in the child's figures).

/** What every child reports about itself when asked (or when done). */
export interface Usage {
  /** User + system CPU in microseconds since the child's work began. */
  cpuUs: number;
  /** Peak resident set size of the child's whole life, in bytes. */
  maxRss: number;
  /** Resident set size now, in bytes. */
  rss: number;
}

/** Reads the process's usage (for children). */
export function usageSince(start: NodeJS.CpuUsage): Usage {
  const cpu = process.cpuUsage(start);
  return { cpuUs: cpu.user + cpu.system, maxRss: process.resourceUsage().maxRSS * 1024, rss: process.memoryUsage.rss() };
}
