/**
 * A cutoff at most this far ahead of an issuer's clock, in ms, counts as "now" for its next
 * issuance: tokens it stamps afterwards are later than the cutoff (see {@link MintClock.observeCutoff}).
 * It covers the lead of another issuer's stamps and small clock differences.
 */
export const MAX_LEAD_MS = 1000;
/** Stamps this far ahead of the clock mean the clock was set back: the issuer starts again from it. */
const RESET_LEAD_MS = 2 * MAX_LEAD_MS;

/**
 * An issuer's clock: the times it stamps on tokens (`iat`) and the revocation cutoffs it picks or
 * passes on. The SDK's `ServerClient` keeps one for the tokens it mints; the emulator keeps one for
 * the tokens it issues and the cutoffs it sets (docs/platform-api.md, "The revocation rule").
 *
 * The rule is inclusive, to the millisecond: a token is revoked iff `iat_ms <= cutoff_ms`. Two
 * events often fall in one millisecond, so the issuer keeps its own events in order:
 *
 * - a cutoff it picks ("now") is no earlier than every token it stamped, and later than every
 *   cutoff it knows: every token issued before the call is refused, by this issuer or by one that
 *   follows the same rule;
 * - a token it stamps is later than every cutoff it knows (that is not in the future): "revoke, then
 *   mint" is accepted at once, however fast the calls are;
 * - a cutoff given as a date that falls in or after the millisecond of its last token is raised to
 *   that token's stamp: `new Date()` right after a mint revokes it, even where the stamp ran ahead.
 *
 * Stamps run ahead of the clock by at most a millisecond per revocation made in the same
 * millisecond (and by the lead of a cutoff it noted); more than 2 s ahead, the clock is taken to
 * have been set back and the issuer starts again from it.
 */
export class MintClock {
  #lastStampMs = 0;
  /** The clock's reading when the last token was stamped (its stamp may be later). */
  #lastStampClockMs = Number.POSITIVE_INFINITY;
  #lastCutoffMs = 0;
  readonly #now: () => number;

  // Read the clock at each call (not captured once), so that fake clocks in tests apply.
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  #read(): number {
    const now = this.#now();
    if (Math.max(this.#lastStampMs, this.#lastCutoffMs) - now > RESET_LEAD_MS) this.reset();
    return now;
  }

  /** Forgets every stamp and cutoff (the emulator's `reset`). */
  reset(): void {
    this.#lastStampMs = 0;
    this.#lastStampClockMs = Number.POSITIVE_INFINITY;
    this.#lastCutoffMs = 0;
  }

  /** The time to stamp a token with (`iat`), in ms: later than every cutoff known. */
  mintNow(): number {
    const now = this.#read();
    const ms = this.#lastCutoffMs > 0 ? Math.max(now, this.#lastCutoffMs + 1) : now;
    this.#lastStampMs = Math.max(this.#lastStampMs, ms);
    this.#lastStampClockMs = now;
    return ms;
  }

  /** A revocation cutoff "now", in ms: no earlier than every token stamped, later than every cutoff known. */
  cutoffNow(): number {
    const now = this.#read();
    let ms = Math.max(now, this.#lastStampMs);
    if (this.#lastCutoffMs > 0) ms = Math.max(ms, this.#lastCutoffMs + 1);
    this.#lastCutoffMs = ms;
    return ms;
  }

  /**
   * A cutoff given as a date (by a caller, or received by the platform), in ms: raised to the last
   * stamp where it falls in or after the millisecond in which that token was stamped (so it revokes
   * every token issued before it was given), else unchanged. Then noted as by {@link observeCutoff}.
   */
  givenCutoff(ms: number): number {
    const raised = ms >= this.#lastStampClockMs && ms < this.#lastStampMs ? this.#lastStampMs : ms;
    this.observeCutoff(raised);
    return raised;
  }

  /**
   * Notes a cutoff set elsewhere (answered by the platform): tokens stamped afterwards are later
   * than it. A cutoff more than {@link MAX_LEAD_MS} ahead of the clock is in the future: tokens
   * issued until then are refused, as asked, and it is not noted.
   */
  observeCutoff(ms: number): void {
    const now = this.#read();
    if (ms <= now + MAX_LEAD_MS) this.#lastCutoffMs = Math.max(this.#lastCutoffMs, ms);
  }
}
