/**
 * The client's clock for minting and for the revocation cutoffs it picks itself.
 *
 * The rule is exact in milliseconds (revoked iff `iat_ms < cutoff_ms`, docs/platform-api.md), but
 * two events can fall in the same millisecond: a token minted in the millisecond of a later
 * cutoff would survive it, and a token minted in the millisecond of an earlier cutoff that was
 * bumped forward would be refused. So a cutoff this client picks is later than every token it
 * minted before, and a token it mints is no earlier than every cutoff it picked before: "revoke,
 * then mint" (rotateUserToken) then works at once and every time, however fast the calls are.
 * The bump is at most a millisecond per revocation in the same millisecond; a clock that jumps back
 * by more than a second resets it rather than stamping tokens in the past clock's future.
 */
export class MintClock {
  #lastMintMs = 0;
  #lastCutoffMs = 0;
  readonly #now: () => number;

  // Read Date.now at each call (not captured once), so that fake clocks in tests apply.
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  #read(): number {
    const now = this.#now();
    const last = Math.max(this.#lastMintMs, this.#lastCutoffMs);
    if (last - now > 1000) {
      this.#lastMintMs = 0;
      this.#lastCutoffMs = 0;
    }
    return now;
  }

  /** The time to stamp a token with (`iat`), in ms. */
  mintNow(): number {
    const ms = Math.max(this.#read(), this.#lastCutoffMs);
    this.#lastMintMs = Math.max(this.#lastMintMs, ms);
    return ms;
  }

  /** The time to use as a revocation cutoff "now", in ms: after every token minted so far. */
  cutoffNow(): number {
    const now = this.#read();
    const ms = this.#lastMintMs > 0 ? Math.max(now, this.#lastMintMs + 1) : now;
    this.#lastCutoffMs = Math.max(this.#lastCutoffMs, ms);
    return ms;
  }
}
