/**
 * The set of ids a bulk run has seen, for `dedupe`: exact (no false positives, unlike a Bloom
 * filter), and compact. A `Set<string>` costs about 64 bytes an id on the JS heap (the string and
 * its hash-table entry), 64 MB at a million ids, which the garbage collector also keeps walking.
 * Here each id is stored once as bytes in an arena (a length byte, then its ASCII characters: a
 * valid user id is 1 to 128 characters of A-Z a-z 0-9 @ _ - .), found through an open-addressing
 * table of arena offsets: its length + 1 bytes, plus 8 to 16 bytes of table, an id (about 25 MB at a
 * million ids of 12 characters), off the JS heap.
 */
export class IdSet {
  #arena = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  /** Arena offset + 1 of each entry; 0 is an empty slot. Length a power of two, at most half full. */
  #slots = new Int32Array(1 << 12);
  #size = 0;

  /** Ids held. */
  get size(): number {
    return this.#size;
  }

  /** Adds `id` (a valid user id); false where it was there already. */
  add(id: string): boolean {
    const mask = this.#slots.length - 1;
    for (let i = hash(id) & mask; ; i = (i + 1) & mask) {
      const slot = this.#slots[i]!;
      if (slot === 0) {
        this.#slots[i] = this.#store(id) + 1;
        if (++this.#size * 2 > this.#slots.length) this.#grow();
        return true;
      }
      if (this.#equals(slot - 1, id)) return false;
    }
  }

  has(id: string): boolean {
    const mask = this.#slots.length - 1;
    for (let i = hash(id) & mask; ; i = (i + 1) & mask) {
      const slot = this.#slots[i]!;
      if (slot === 0) return false;
      if (this.#equals(slot - 1, id)) return true;
    }
  }

  #store(id: string): number {
    const need = this.#used + 1 + id.length;
    if (need > this.#arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.#arena.length * 2));
      this.#arena.copy(bigger, 0, 0, this.#used);
      this.#arena = bigger;
    }
    const at = this.#used;
    this.#arena[at] = id.length;
    this.#arena.write(id, at + 1, 'latin1');
    this.#used = need;
    return at;
  }

  #equals(at: number, id: string): boolean {
    const arena = this.#arena;
    if (arena[at] !== id.length) return false;
    for (let k = 0; k < id.length; k++) if (arena[at + 1 + k] !== id.charCodeAt(k)) return false;
    return true;
  }

  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    const arena = this.#arena;
    for (const slot of this.#slots) {
      if (slot === 0) continue;
      const at = slot - 1;
      let i = hash(arena.toString('latin1', at + 1, at + 1 + arena[at]!)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = slot;
    }
    this.#slots = slots;
  }
}

/** FNV-1a over the characters (ids are ASCII), with a final mix so that the low bits spread. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
