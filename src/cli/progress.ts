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

/** Writes progress: a bar redrawn in place on a terminal, else a plain line every `intervalMs`. */
export class Progress {
  readonly #io: Io;
  readonly #label: string;
  readonly #totalBytes: number;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  readonly #started = Date.now();
  #state: ProgressState = { done: 0, failed: 0, skipped: 0, offset: 0 };
  #timer: NodeJS.Timeout | undefined;
  #lastDraw = 0;
  #drawn = false;

  constructor(io: Io, options: { label: string; totalBytes: number; tty?: boolean; intervalMs?: number; enabled?: boolean }) {
    this.#io = io;
    this.#label = options.label;
    this.#totalBytes = options.totalBytes;
    this.#tty = options.enabled === false ? false : (options.tty ?? io.errIsTTY);
    this.#intervalMs = options.intervalMs ?? 2000;
    if (options.enabled !== false && !this.#tty) {
      this.#timer = setInterval(() => this.#io.err(this.line() + '\n'), this.#intervalMs);
      this.#timer.unref();
    }
  }

  /** The percentage of the file taken so far, 0 to 100. */
  percent(): number {
    if (this.#totalBytes === 0) return 100;
    return Math.min(100, Math.floor((this.#state.offset / this.#totalBytes) * 100));
  }

  /** The plain progress line. */
  line(): string {
    const s = this.#state;
    const seconds = (Date.now() - this.#started) / 1000;
    const rate = seconds > 0 ? Math.round((s.done + s.failed) / seconds) : 0;
    return `${this.#label}: ${this.percent()}% of the file, ${fmt(s.done)} done, ${fmt(s.failed)} failed, ${fmt(s.skipped)} skipped (${fmt(rate)}/s)`;
  }

  /** The bar drawn on a terminal. */
  bar(width = 24): string {
    const filled = Math.round((this.percent() / 100) * width);
    const s = this.#state;
    return `${this.#label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.percent()}% ${fmt(s.done)} done, ${fmt(s.failed)} failed, ${fmt(s.skipped)} skipped`;
  }

  /** Takes the new counts; on a terminal redraws the bar (at most ten times a second). */
  update(state: ProgressState): void {
    this.#state = { ...state };
    if (!this.#tty) return;
    const now = Date.now();
    if (now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#io.err(`\r\x1b[K${this.bar()}`);
  }

  /** Stops the timer and ends the bar's line. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty && this.#drawn) this.#io.err(`\r\x1b[K${this.bar()}\n`);
  }
}

/** A count with thousands separators: `100,000`. */
export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
