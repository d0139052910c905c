import type { Io } from './run';

/** Counts of a batch run so far. */
export interface Counts {
  done: number;
  failed: number;
  skipped: number;
}

/** What a progress display shows. */
export interface ProgressState extends Counts {
  /** Bytes of the ids file taken into batches so far. */
  offset: number;
}

/**
 * Writes progress in ids: a bar redrawn in place on a terminal, else a plain line every
 * `intervalMs`, with the rate and an ETA; and, at once, a note when requests wait on retries.
 */
export class Progress {
  readonly #io: Io;
  readonly #label: string;
  readonly #totalIds: number;
  readonly #tty: boolean;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  readonly #started = Date.now();
  #state: ProgressState = { done: 0, failed: 0, skipped: 0, offset: 0 };
  /** Ids counted at the start (done by an earlier run): not part of this run's rate. */
  #base: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastDraw = 0;
  #drawn = false;
  #note: string | undefined;
  #lastNote = 0;

  constructor(io: Io, options: { label: string; totalIds: number; tty?: boolean; intervalMs?: number; enabled?: boolean }) {
    this.#io = io;
    this.#label = options.label;
    this.#totalIds = options.totalIds;
    this.#enabled = options.enabled !== false;
    this.#tty = !this.#enabled ? false : (options.tty ?? io.errIsTTY);
    this.#intervalMs = options.intervalMs ?? 2000;
    if (this.#enabled && !this.#tty) {
      this.#timer = setInterval(() => this.#io.err(this.line() + '\n'), this.#intervalMs);
      this.#timer.unref();
    }
  }

  #processed(): number {
    const s = this.#state;
    return s.done + s.failed + s.skipped;
  }

  /** The percentage of the ids handled so far, 0 to 100. */
  percent(): number {
    if (this.#totalIds === 0) return 100;
    return Math.min(100, Math.floor((this.#processed() / this.#totalIds) * 100));
  }

  /** Ids a second in this run, and the seconds left at that rate (undefined before any). */
  #pace(): { rate: number; etaSeconds: number | undefined } {
    const seconds = (Date.now() - this.#started) / 1000;
    const handled = this.#processed() - (this.#base ?? 0);
    const rate = seconds > 0 ? handled / seconds : 0;
    const left = Math.max(0, this.#totalIds - this.#processed());
    return { rate, etaSeconds: rate > 0 ? left / rate : undefined };
  }

  #tail(): string {
    const { rate, etaSeconds } = this.#pace();
    const eta = etaSeconds === undefined ? '' : `, ETA ${duration(etaSeconds)}`;
    return `${fmt(Math.round(rate))} ids/s${eta}${this.#note === undefined ? '' : `; ${this.#note}`}`;
  }

  /** The plain progress line. */
  line(): string {
    const s = this.#state;
    return (
      `${this.#label}: ${fmt(this.#processed())} of ${fmt(this.#totalIds)} ids (${this.percent()}%), ` +
      `${fmt(s.done)} done, ${fmt(s.failed)} failed, ${fmt(s.skipped)} skipped, ${this.#tail()}`
    );
  }

  /** The bar drawn on a terminal. */
  bar(width = 24): string {
    const filled = Math.round((this.percent() / 100) * width);
    const s = this.#state;
    return `${this.#label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.percent()}% ${fmt(s.done)} done, ${fmt(s.failed)} failed, ${fmt(s.skipped)} skipped, ${this.#tail()}`;
  }

  /** Takes the new counts; on a terminal redraws the bar (at most ten times a second). */
  update(state: ProgressState): void {
    if (this.#base === undefined) this.#base = state.skipped;
    if (state.done + state.failed > this.#state.done + this.#state.failed) this.#note = undefined; // answers again
    this.#state = { ...state };
    if (!this.#tty) return;
    const now = Date.now();
    if (now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#io.err(`\r\x1b[K${this.bar()}`);
  }

  /**
   * A request waits to be retried ("platform unreachable: attempt 3 of 7, next in 2 s"): shown at
   * once (at most once a second), and in the progress until requests are answered again.
   */
  note(text: string): void {
    this.#note = text;
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastNote < 1000) return;
    this.#lastNote = now;
    if (this.#tty) {
      this.#drawn = true;
      this.#io.err(`\r\x1b[K${this.bar()}`);
    } else this.#io.err(`${this.#label}: ${text}\n`);
  }

  /** Stops the timer and ends the bar's line. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty && this.#drawn) this.#io.err(`\r\x1b[K${this.bar()}\n`);
  }
}

/** Seconds as `42 s`, `3 min 20 s`, `2 h 5 min`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * A count with thousands separators: `100,000`, as `toLocaleString('en-US')` writes it. Whole
 * numbers are grouped by hand: the first `toLocaleString` of a process loads ICU's number
 * formats, about 25 ms of CPU, which every batch run (its progress and summary) paid.
 */
export function fmt(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return n < 0 ? '-' + out : out;
}
