const UNITS: ReadonlyArray<[string, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** A duration in words, in its largest whole unit: `3 minutes`, `1 day`, `0 seconds`. */
export function durationInWords(ms: number): string {
  const abs = Math.abs(ms);
  for (const [name, size] of UNITS) {
    if (abs >= size * 0.99) {
      // The largest unit that (nearly) fits, the count rounded: 599 s is "10 minutes", 3599 s "1 hour".
      const n = Math.round(abs / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.round(abs)} ms`;
}

/** A moment relative to now: `3 minutes ago`, `in 57 minutes`, `just now` (within a second). */
export function relativeTime(atMs: number, nowMs: number): string {
  const delta = atMs - nowMs;
  if (Math.abs(delta) < 1000) return 'just now';
  return delta < 0 ? `${durationInWords(delta)} ago` : `in ${durationInWords(delta)}`;
}

/** An ISO date, with the milliseconds where it has any. */
export function isoOf(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** A shortened token for display: its first 12 characters and `…`. Never print a whole token. */
export function shortToken(token: string): string {
  return token.length <= 12 ? '…' : `${token.slice(0, 12)}…`;
}
