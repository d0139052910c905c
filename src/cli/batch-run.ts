import { randomUUID } from 'node:crypto';
import { type IdLine, readIdChunks } from './id-lines';
import { LineSet } from './line-set';
import type { Counts, Progress } from './progress';
import type { ItemRecord, ReportState, ReportWriter } from './report';

/** One id of a run, with its line in the ids file. */
export interface RunItem {
  line: number;
  id: string;
  /** The record of the line, for commands that send more than the id (users import). */
  data?: Record<string, unknown> | undefined;
}

/** The outcome of one item, as the work reports it. */
export interface ItemOutcome {
  /** `skipped`: not applied on purpose (an unknown user with --missing skip); not retried on resume. */
  status: 'done' | 'failed' | 'skipped';
  /** Why it failed or was skipped (the summary counts these by code). */
  error?: { code: number | string; message: string } | undefined;
  /** Done, and how: `created` where --missing create made the user first (counted in the summary). */
  note?: 'created' | undefined;
  /** Written to the report (issue: when the token expires). */
  expires_at?: number | undefined;
  /** A line for the output (issue: the token line); written before the item is reported done. */
  output?: string | undefined;
}

/** What a command does with one batch. */
export interface BatchWork {
  /**
   * Applies a batch with its Idempotency-Key; resolves to one outcome per item, in order.
   * Rejects only where no item can succeed (credentials refused, platform unreachable): the
   * run stops, and the batch stays open in the report for a resumed run. `checked`: the batch's
   * ids are valid user ids, each once (lines this run read and took, not a batch of a report).
   */
  apply(items: RunItem[], key: string, checked?: boolean): Promise<ItemOutcome[]>;
  /**
   * For an open batch older than the platform's replay window: which items an earlier run
   * applied already (revoke and restore can read that back; issuance cannot).
   */
  alreadyApplied?(items: RunItem[]): Promise<boolean[]>;
  /** For --dry-run: what applying would do to each item, read from the platform; writes nothing. */
  preview?(items: RunItem[]): Promise<Array<'change' | 'same' | 'unknown'>>;
}

/** How a run is set up. */
export interface RunSetup {
  idsFile: string;
  report: ReportWriter | undefined;
  resume: ReportState | undefined;
  batchSize: number;
  concurrency: number;
  progress: Progress;
  work: BatchWork;
  /** Writes output lines (issue); resolves once they are written. Where it rejects (stdout closed), the run stops and the batch stays open. */
  output?: ((lines: string[]) => Promise<void>) | undefined;
  /** Gets the ids that failed (--failed-out). */
  failedOut?: ((ids: string[]) => void) | undefined;
  /** Reads the lines of the file, a chunk at a time (default: one id a line); a command whose lines are records gives its own. */
  readLines?: ((path: string) => AsyncIterable<IdLine[]>) | undefined;
  /** Set to stop: no new batch starts, the batches in flight finish. */
  stop: { requested: boolean };
  /** How long the platform replays an answer to the same key (10 minutes, less a margin). */
  replayWindowMs?: number | undefined;
  now?: () => number;
}

/** How many items of this run ended with one status and code (16: unknown users, ...). */
export interface ReasonCount {
  status: 'done' | 'failed' | 'skipped';
  code: number | string;
  count: number;
}

/** How a run ended. */
export interface RunSummary extends Counts {
  /** Lines done in earlier runs of a resumed report (counted in `skipped`). */
  doneBefore: number;
  /** This run's failed and skipped items by code, and the users it created, most frequent first. */
  reasons: ReasonCount[];
  interrupted: boolean;
  /** The error that stopped the run, where one did. */
  fatal?: unknown;
}

/** The platform replays an answer for 10 minutes; a batch older than 9 is checked, not re-sent. */
export const REPLAY_WINDOW_MS = 9 * 60 * 1000;

/**
 * Runs a command over an ids file in batches, with a write-ahead report: before a batch is sent,
 * its Idempotency-Key and items are in the report; after, one line per item. A resumed run skips
 * the lines done, re-sends each open batch with its own key (the platform replays what it applied),
 * then goes on with the lines no batch has taken yet.
 */
export async function runBatches(setup: RunSetup): Promise<RunSummary> {
  const now = setup.now ?? Date.now;
  const counts: Counts = { done: 0, failed: 0, skipped: 0 };
  const doneBefore = setup.resume?.done ?? new LineSet();
  const covered = setup.resume?.covered ?? new LineSet();
  let seq = setup.resume?.lastSeq ?? 0;
  let offset = 0;
  let fatal: unknown;
  const inFlight = new Set<Promise<void>>();
  const report = (records: ItemRecord[]) => setup.report?.write(records);
  // While the file is read, the item records of a finished batch wait for the record of the batch
  // sent next (one write a batch, not two). That is safe: the batch's own record is in the file
  // already, so a kill before the write leaves the batch open, and a resumed run re-sends it with
  // its key (the platform replays what it applied). They wait a moment: the next batch is read
  // and written as soon as the finished one frees its slot. Once the file is read (or the run
  // stops), every record is written at once.
  let holdItems = false;
  const update = () => setup.progress.update({ ...counts, offset });
  const stopping = () => setup.stop.requested || fatal !== undefined;
  const reasons = new Map<string, ReasonCount>();
  const because = (status: ReasonCount['status'], code: number | string | undefined): void => {
    if (code === undefined) return;
    const k = `${status} ${code}`;
    const r = reasons.get(k);
    if (r) r.count += 1;
    else reasons.set(k, { status, code, count: 1 });
  };
  const read = setup.readLines ?? readIdChunks;

  async function finish(batchSeq: number, items: RunItem[], outcomes: ItemOutcome[], skip?: ReadonlySet<number>): Promise<void> {
    // The items reported, and their outcomes (two lists: no object an item).
    let picked = items;
    let pickedOutcomes = outcomes;
    if (skip !== undefined || outcomes.length < items.length) {
      picked = [];
      pickedOutcomes = [];
      items.forEach((item, i) => {
        if (skip?.has(item.line)) return;
        picked.push(item);
        pickedOutcomes.push(outcomes[i] ?? { status: 'failed', error: { code: 'ERR_NO_OUTCOME', message: 'no outcome for this item' } });
      });
    }
    // The output first: a token line written and not yet reported is issued again (the same token,
    // replayed) on resume; a token reported and never written would be lost. Where the output
    // cannot be written (stdout closed), nothing of the batch is reported: it stays open, and a
    // resumed run gets its tokens back from the platform's replay.
    if (setup.output) {
      const output: string[] = [];
      for (const o of pickedOutcomes) if (o.output !== undefined) output.push(o.output);
      if (output.length > 0) {
        try {
          await setup.output(output);
        } catch (err) {
          fatal ??= err;
          return;
        }
      }
    }
    setup.report?.items(batchSeq, picked, pickedOutcomes, holdItems);
    let failedIds: string[] | undefined;
    for (let i = 0; i < picked.length; i++) {
      const o = pickedOutcomes[i]!;
      counts[o.status] += 1;
      because(o.status, o.note ?? o.error?.code);
      if (o.status === 'failed') (failedIds ??= []).push(picked[i]!.id);
    }
    if (failedIds !== undefined) setup.failedOut?.(failedIds);
    update();
  }

  async function send(batchSeq: number, key: string, items: RunItem[], skip?: ReadonlySet<number>, checked = false): Promise<void> {
    let outcomes: ItemOutcome[];
    try {
      outcomes = await setup.work.apply(items, key, checked);
    } catch (err) {
      fatal ??= err;
      return; // the batch stays open in the report
    }
    await finish(batchSeq, items, outcomes, skip);
  }

  async function launch(task: () => Promise<void>): Promise<void> {
    const p: Promise<void> = task().finally(() => inFlight.delete(p));
    inFlight.add(p);
    while (inFlight.size >= setup.concurrency) await Promise.race(inFlight);
  }

  function writeAhead(items: RunItem[], key = randomUUID()): { seq: number; key: string } {
    seq += 1;
    setup.report?.writeBatch(seq, key, new Date(now()).toISOString(), items);
    return { seq, key };
  }

  // 1. The batches an earlier run left open (with their records re-read, where the work needs them).
  const openBatches = setup.resume?.openBatches ?? [];
  let dataByLine: Map<number, Record<string, unknown>> | undefined;
  if (setup.readLines && openBatches.length > 0) {
    dataByLine = new Map();
    for await (const lines of read(setup.idsFile)) for (const l of lines) if (covered.has(l.line) && l.data) dataByLine.set(l.line, l.data);
  }
  for (const open of openBatches) {
    if (stopping()) break;
    const items: RunItem[] = open.record.items.map(([line, id]) => ({ line, id, data: dataByLine?.get(line) }));
    const age = now() - Date.parse(open.record.sent_at);
    if (age < (setup.replayWindowMs ?? REPLAY_WINDOW_MS) || !setup.work.alreadyApplied) {
      // Same key, same body: what the platform applied is replayed, the rest applied now.
      const { seq: batchSeq, key } = open.record;
      await launch(() => send(batchSeq, key, items, open.done));
      continue;
    }
    const pending = items.filter((i) => !open.done.has(i.line));
    await launch(async () => {
      let applied: boolean[];
      try {
        applied = await setup.work.alreadyApplied!(pending);
      } catch (err) {
        fatal ??= err;
        return;
      }
      const verified = pending.filter((_, i) => applied[i]);
      if (verified.length > 0) await finish(open.record.seq, verified, verified.map(() => ({ status: 'done' })));
      const rest = pending.filter((_, i) => !applied[i]);
      if (rest.length > 0 && !stopping()) {
        const b = writeAhead(rest);
        await send(b.seq, b.key, rest);
      }
    });
  }

  // 2. The lines of the file no batch has taken yet.
  let batch: RunItem[] = [];
  let inBatch = new Map<string, number>();
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    inBatch = new Map();
    const b = writeAhead(items);
    // Each line valid (the reader checked it) and taken once into its batch (take).
    await launch(() => send(b.seq, b.key, items, undefined, true));
  };
  /**
   * Takes the lines of a chunk from `from` into the batch, until the batch is full or the chunk
   * ends; answers where it stopped. Synchronous: nothing can ask the run to stop meanwhile (a
   * signal or a failed batch is seen between awaits).
   */
  const take = (lines: readonly IdLine[], from: number): number => {
    let i = from;
    while (i < lines.length) {
      const l = lines[i++]!;
      offset = l.offset;
      if (doneBefore.has(l.line)) {
        counts.skipped += 1;
        continue;
      }
      if (covered.has(l.line)) continue;
      if (l.error !== undefined) {
        report([{ type: 'item', line: l.line, status: 'failed', error: { code: 'ERR_INVALID_LINE', message: l.error } }]);
        counts.failed += 1;
        because('failed', 'ERR_INVALID_LINE');
        update();
        continue;
      }
      const first = inBatch.get(l.id);
      if (first !== undefined) {
        // The platform refuses a batch that names a user twice; the second line adds nothing.
        report([{ type: 'item', line: l.line, id: l.id, status: 'skipped', error: { code: 'DUPLICATE', message: `same id as line ${first}` } }]);
        counts.skipped += 1;
        because('skipped', 'DUPLICATE');
        continue;
      }
      inBatch.set(l.id, l.line);
      // The line is the item (its line, id and data are all a batch reads of it).
      batch.push(l);
      if (batch.length >= setup.batchSize) break;
    }
    return i;
  };
  holdItems = true;
  try {
    read: for await (const lines of read(setup.idsFile)) {
      for (let i = 0; i < lines.length; ) {
        if (stopping()) break read;
        i = take(lines, i);
        if (batch.length >= setup.batchSize) await flush();
      }
    }
    if (!stopping()) await flush();
  } finally {
    holdItems = false;
    setup.report?.flush();
  }
  await Promise.all(inFlight);
  update();
  const interrupted = setup.stop.requested;
  const byCount = [...reasons.values()].sort((a, b) => b.count - a.count);
  return { ...counts, doneBefore: doneBefore.size, reasons: byCount, interrupted, ...(fatal !== undefined ? { fatal } : {}) };
}
