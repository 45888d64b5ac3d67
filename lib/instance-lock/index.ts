import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

// One server per data directory. Two servers on one directory would each mark the other's running
// passes interrupted and clean up the other's running experiments at start. The claim is an exclusive
// SQLite lock (an fcntl lock the kernel drops when its process dies, however it dies), so a crashed
// server's claim is taken over without guessing from pids; who holds it is written beside it, for
// the refusal message.

export const LOCK_FILE = "bucketscope.lock";
export const OWNER_FILE = "bucketscope.owner.json";

export interface Owner {
  pid: number;
  port: number;
  host: string;
  startedAt: string;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: Owner | null,
  ) {
    const who = owner
      ? `another bucketscope server (pid ${owner.pid}, port ${owner.port}, started ${owner.startedAt})`
      : "another bucketscope server";
    super(
      `${who} is already using the data directory ${dataDir}. Stop it first, or give this one its own ` +
        `BUCKETSCOPE_DATA_DIR.`,
    );
    this.name = "DataDirInUseError";
  }
}

export interface DataDirClaim {
  /** Records the port the server really listens on (PORT=0 picks one). */
  update(port: number): void;
  release(): void;
}

function readOwner(file: string): Owner | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<Owner>;
    if (typeof parsed.pid === "number" && typeof parsed.port === "number") {
      return { pid: parsed.pid, port: parsed.port, host: String(parsed.host ?? ""), startedAt: String(parsed.startedAt ?? "") };
    }
  } catch {
    // Not written yet (the owner is starting) or from an older version.
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === "EPERM";
  }
}

function writeOwner(file: string, owner: Owner): void {
  const tmp = `${file}.${owner.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(owner)}\n`);
  renameSync(tmp, file);
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/** Claims `dataDir` for this process, or throws DataDirInUseError naming the server that holds it. */
export async function claimDataDir(dataDir: string, me: { port: number; host: string }): Promise<DataDirClaim> {
  mkdirSync(dataDir, { recursive: true });
  const ownerFile = path.join(dataDir, OWNER_FILE);
  const db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    // In EXCLUSIVE locking mode the lock a write takes is kept after COMMIT, until the connection closes.
    db.exec("BEGIN EXCLUSIVE");
    db.exec("CREATE TABLE IF NOT EXISTS claim (pid INTEGER NOT NULL, at TEXT NOT NULL)");
    db.exec("DELETE FROM claim");
    db.prepare("INSERT INTO claim (pid, at) VALUES (?, ?)").run(process.pid, new Date().toISOString());
    db.exec("COMMIT");
  } catch (err) {
    db.close();
    if (!isBusy(err)) throw err;
    // The holder writes its owner file right after taking the lock; until then the file is missing or
    // still names a dead predecessor.
    let owner = readOwner(ownerFile);
    for (let i = 0; i < 20 && (owner === null || !alive(owner.pid)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      owner = readOwner(ownerFile);
    }
    throw new DataDirInUseError(dataDir, owner !== null && alive(owner.pid) ? owner : null);
  }
  const owner: Owner = { pid: process.pid, port: me.port, host: me.host, startedAt: new Date().toISOString() };
  writeOwner(ownerFile, owner);
  let released = false;
  return {
    update(port) {
      owner.port = port;
      writeOwner(ownerFile, owner);
    },
    release() {
      if (released) return;
      released = true;
      if (readOwner(ownerFile)?.pid === process.pid) {
        try {
          unlinkSync(ownerFile);
        } catch {
          // already gone
        }
      }
      db.close();
    },
  };
}
