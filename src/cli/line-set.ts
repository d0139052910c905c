/**
 * A set of line numbers as a growable bitmap: a million lines take 125 KB, where a `Set` of
 * ids would take tens of megabytes. A resumed run keeps the lines already done in one.
 */
export class LineSet {
  #bits = new Uint8Array(1024);
  #size = 0;

  /** Adds a line number (1-based); returns whether it was new. */
  add(line: number): boolean {
    const byte = line >>> 3;
    if (byte >= this.#bits.length) {
      let length = this.#bits.length;
      while (length <= byte) length *= 2;
      const grown = new Uint8Array(length);
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const mask = 1 << (line & 7);
    const current = this.#bits[byte] ?? 0;
    const had = (current & mask) !== 0;
    if (!had) {
      this.#bits[byte] = current | mask;
      this.#size += 1;
    }
    return !had;
  }

  /** Whether the line is in the set. */
  has(line: number): boolean {
    const byte = line >>> 3;
    return byte < this.#bits.length && ((this.#bits[byte] ?? 0) & (1 << (line & 7))) !== 0;
  }

  /** How many lines are in the set. */
  get size(): number {
    return this.#size;
  }
}
