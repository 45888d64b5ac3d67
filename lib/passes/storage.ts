import "server-only";

// What went wrong with the database, in words a person can act on (no paths, no SQL). Used for the
// reason a pass or an experiment stopped when one of its writes failed.

const WORDS: readonly [prefix: string, words: string][] = [
  ["SQLITE_BUSY", "the database is locked by another connection"],
  ["SQLITE_LOCKED", "the database is locked by another connection"],
  ["SQLITE_FULL", "the disk is full"],
  ["SQLITE_IOERR", "the disk failed to read or write"],
  ["SQLITE_READONLY", "the database is read-only"],
  ["SQLITE_CANTOPEN", "the database file cannot be opened"],
  ["SQLITE_CORRUPT", "the database file is damaged"],
  ["SQLITE_NOTADB", "the database file is damaged"],
];

/** The problem in words when `err` is a SQLite error, else null. */
export function storageProblem(err: unknown): string | null {
  if (typeof err !== "object" || err === null || !("code" in err) || typeof err.code !== "string" || !err.code.startsWith("SQLITE_")) return null;
  const code = err.code;
  return WORDS.find(([prefix]) => code.startsWith(prefix))?.[1] ?? `the database refused the write (${code})`;
}

/**
 * Final states that could not be written yet: kept in memory, shown in place of the stored row, and
 * written again every few seconds until the database takes them. `write` returns normally once the
 * state is stored (or there is no longer anything to store).
 */
export class PendingEnds<T> {
  private readonly pending = new Map<string, T>();
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (id: string, end: T) => void,
    private readonly label: string,
    private readonly retryMs = 2000,
  ) {}

  get(id: string): T | undefined {
    return this.pending.get(id);
  }

  add(id: string, end: T): void {
    this.pending.set(id, end);
    this.timer ??= setInterval(() => this.flushAll(), this.retryMs);
    this.timer.unref();
  }

  /** Writes one pending end now; true when nothing is pending for `id` any more. */
  flush(id: string): boolean {
    const end = this.pending.get(id);
    if (end === undefined) return true;
    try {
      this.write(id, end);
    } catch (err) {
      if (!this.reported.has(id)) console.error(`[bucketscope] the end of ${this.label} ${id} cannot be recorded yet; retrying`, err);
      this.reported.add(id);
      return false;
    }
    this.pending.delete(id);
    this.reported.delete(id);
    if (this.pending.size === 0) this.stop();
    return true;
  }

  flushAll(): void {
    for (const id of [...this.pending.keys()]) this.flush(id);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
