/**
 * The set of ids a bulk run has seen, for `dedupe`: exact (no false positives, unlike a Bloom
 * filter), and compact. A `Set<string>` costs about 64 bytes an id on the JS heap (the string and
 * its hash-table entry), 64 MB at a million ids, which the garbage collector also keeps walking.
 * Here each id is stored once as bytes (a length byte, then its ASCII characters: a valid user id
 * is 1 to 128 characters of A-Z a-z 0-9 @ _ - .) in an arena of fixed 1 MiB chunks, found through
 * an open-addressing table of arena offsets: its length + 1 bytes, plus 8 to 16 bytes of table, an
 * id (about 25 MB at a million ids of 12 characters), off the JS heap.
 *
 * The arena grows a chunk at a time and is never copied: a doubling buffer held its old copy
 * (half the size) until the garbage collector freed it, and up to twice what it used, which made
 * the peak RSS of a run of a million ids a third more than what the set holds. The table is
 * rehashed from the bytes, without making a string of each id.
 */
export class IdSet {
  #chunks: Buffer[] = [];
  /** Bytes used in the last chunk. */
  #used = CHUNK;
  /** Arena offset + 1 of each entry (chunk * CHUNK + position); 0 is an empty slot. Length a power of two, at most half full. */
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

  /** Stores the id's bytes; answers their arena offset. An id never straddles two chunks. */
  #store(id: string): number {
    if (this.#used + 1 + id.length > CHUNK) {
      this.#chunks.push(Buffer.allocUnsafe(CHUNK));
      this.#used = 0;
    }
    const chunk = this.#chunks[this.#chunks.length - 1]!;
    const at = this.#used;
    chunk[at] = id.length;
    chunk.write(id, at + 1, 'latin1');
    this.#used = at + 1 + id.length;
    return (this.#chunks.length - 1) * CHUNK + at;
  }

  #equals(offset: number, id: string): boolean {
    const chunk = this.#chunks[Math.floor(offset / CHUNK)]!;
    const at = offset % CHUNK;
    if (chunk[at] !== id.length) return false;
    for (let k = 0; k < id.length; k++) if (chunk[at + 1 + k] !== id.charCodeAt(k)) return false;
    return true;
  }

  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (const slot of this.#slots) {
      if (slot === 0) continue;
      const offset = slot - 1;
      const chunk = this.#chunks[Math.floor(offset / CHUNK)]!;
      const at = offset % CHUNK;
      let i = hashBytes(chunk, at + 1, chunk[at]!) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = slot;
    }
    this.#slots = slots;
  }
}

/** Bytes per arena chunk (a power of two: offsets stay below 2^31 up to 2048 chunks, 2 GiB of ids). */
const CHUNK = 1 << 20;

/** FNV-1a over the characters (ids are ASCII), with a final mix so that the low bits spread. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  return mix(h);
}

/** {@link hash} of an id stored as bytes (the same value: its characters are its bytes). */
function hashBytes(bytes: Buffer, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let k = start; k < start + length; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
