import "server-only";
import type Database from "better-sqlite3";
import type {
  ExperimentEvent,
  ExperimentParams,
  ExperimentResult,
  ExperimentStatus,
  ExperimentSummary,
  KeyVerdict,
  Scenario,
  TruthMethod,
} from "@/lib/wire";

// Experiments live in the bucketscope database next to the passes they record. Their events (pages,
// mutations, ground truth) are appended in the order they happened; the verdicts are written once.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS experiments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scenario TEXT NOT NULL,
  params TEXT NOT NULL,
  connection TEXT NOT NULL,
  bucket TEXT NOT NULL,
  prefix TEXT NOT NULL,
  page_size INTEGER NOT NULL,
  status TEXT NOT NULL,
  phase TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  ended_at INTEGER,
  pass_id TEXT,
  truth_method TEXT NOT NULL,
  truth_note TEXT,
  cleaned_up INTEGER,
  cleanup_note TEXT,
  result TEXT,
  verdicts TEXT,
  error TEXT
);
CREATE TABLE IF NOT EXISTS experiment_events (
  experiment INTEGER NOT NULL,
  n INTEGER NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (experiment, n)
) WITHOUT ROWID;
`;

interface ExperimentRow {
  seq: number;
  id: string;
  scenario: Scenario;
  params: string;
  connection: string;
  bucket: string;
  prefix: string;
  page_size: number;
  status: ExperimentStatus;
  phase: string;
  created_at: number;
  ended_at: number | null;
  pass_id: string | null;
  truth_method: TruthMethod;
  truth_note: string | null;
  cleaned_up: number | null;
  cleanup_note: string | null;
  result: string | null;
  verdicts: string | null;
  error: string | null;
}

export interface NewExperiment {
  id: string;
  params: ExperimentParams;
  prefix: string;
  pageSize: number;
  truthMethod: TruthMethod;
  truthNote?: string | null;
}

/** Events as stored: everything but the header and end lines, which come from the row. */
export type StoredEvent = Extract<ExperimentEvent, { type: "phase" | "setup" | "truth" | "page" | "mutation" }>;

function toSummary(r: ExperimentRow): ExperimentSummary {
  return {
    id: r.id,
    scenario: r.scenario,
    params: JSON.parse(r.params) as ExperimentParams,
    connection: r.connection,
    bucket: r.bucket,
    prefix: r.prefix,
    status: r.status,
    phase: r.phase,
    createdAt: new Date(r.created_at).toISOString(),
    endedAt: r.ended_at !== null ? new Date(r.ended_at).toISOString() : null,
    passId: r.pass_id,
    pageSize: r.page_size,
    truthMethod: r.truth_method,
    truthNote: r.truth_note,
    cleanedUp: r.cleaned_up === null ? null : r.cleaned_up === 1,
    cleanupNote: r.cleanup_note,
    result: r.result !== null ? (JSON.parse(r.result) as ExperimentResult) : null,
    error: r.error !== null ? (JSON.parse(r.error) as { code: string; message: string }) : null,
  };
}

export class ExperimentStore {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    // Databases from before these columns existed.
    const columns = new Set(db.prepare<[], { name: string }>(`PRAGMA table_info(experiments)`).all().map((c) => c.name));
    for (const c of ["truth_note", "cleanup_note"]) if (!columns.has(c)) db.exec(`ALTER TABLE experiments ADD COLUMN ${c} TEXT`);
    this.stmt = {
      insert: db.prepare<[{ id: string; scenario: string; params: string; connection: string; bucket: string; prefix: string; pageSize: number; truthMethod: string; truthNote: string | null; now: number }]>(
        `INSERT INTO experiments (id, scenario, params, connection, bucket, prefix, page_size, status, phase, created_at, truth_method, truth_note)
         VALUES (@id, @scenario, @params, @connection, @bucket, @prefix, @pageSize, 'running', 'starting', @now, @truthMethod, @truthNote)`,
      ),
      byId: db.prepare<[string], ExperimentRow>(`SELECT * FROM experiments WHERE id = ?`),
      list: db.prepare<[number], ExperimentRow>(`SELECT * FROM experiments ORDER BY seq DESC LIMIT ?`),
      phase: db.prepare<[string, string]>(`UPDATE experiments SET phase = ? WHERE id = ?`),
      pass: db.prepare<[string, string]>(`UPDATE experiments SET pass_id = ? WHERE id = ?`),
      cleaned: db.prepare<[number, string | null, string]>(`UPDATE experiments SET cleaned_up = ?, cleanup_note = ? WHERE id = ?`),
      verdicts: db.prepare<[string, string, string]>(`UPDATE experiments SET result = ?, verdicts = ? WHERE id = ?`),
      end: db.prepare<[{ id: string; status: ExperimentStatus; error: string | null; cleaned: number | null; note: string | null; now: number }]>(
        `UPDATE experiments SET status = @status, error = @error, ended_at = @now, phase = 'finished', cleaned_up = @cleaned, cleanup_note = @note
         WHERE id = @id AND status = 'running'`,
      ),
      leftovers: db.prepare<[], ExperimentRow>(`SELECT * FROM experiments WHERE status = 'interrupted' AND cleaned_up IS NULL ORDER BY seq`),
      interruptAll: db.prepare<[number]>(
        `UPDATE experiments SET status = 'interrupted', phase = 'interrupted', ended_at = ? WHERE status = 'running'`,
      ),
      nextEvent: db.prepare<[number], number>(`SELECT coalesce(max(n), -1) + 1 FROM experiment_events WHERE experiment = ?`).pluck(),
      insertEvent: db.prepare<[number, number, string]>(`INSERT INTO experiment_events (experiment, n, event) VALUES (?, ?, ?)`),
      event: db.prepare<[number, number], string>(`SELECT event FROM experiment_events WHERE experiment = ? AND n = ?`).pluck(),
      events: db.prepare<[number], string>(`SELECT event FROM experiment_events WHERE experiment = ? ORDER BY n`).pluck(),
    };
  }

  /** Experiments a previous process left running were cut off: their pass and mutations stopped. */
  interruptOrphans(): number {
    return this.stmt.interruptAll.run(Date.now()).changes;
  }

  /** Interrupted experiments whose prefix has not been emptied (nor kept on purpose). */
  leftovers(): ExperimentSummary[] {
    return this.stmt.leftovers.all().map(toSummary);
  }

  create(e: NewExperiment): ExperimentSummary {
    this.stmt.insert.run({
      id: e.id,
      scenario: e.params.scenario,
      params: JSON.stringify(e.params),
      connection: e.params.connection,
      bucket: e.params.bucket,
      prefix: e.prefix,
      pageSize: e.pageSize,
      truthMethod: e.truthMethod,
      truthNote: e.truthNote ?? null,
      now: Date.now(),
    });
    return this.summary(e.id) as ExperimentSummary;
  }

  seqOf(id: string): number | null {
    return this.stmt.byId.get(id)?.seq ?? null;
  }

  summary(id: string): ExperimentSummary | null {
    const r = this.stmt.byId.get(id);
    return r !== undefined ? toSummary(r) : null;
  }

  verdicts(id: string): KeyVerdict[] {
    const v = this.stmt.byId.get(id)?.verdicts;
    return v !== undefined && v !== null ? (JSON.parse(v) as KeyVerdict[]) : [];
  }

  list(limit: number): ExperimentSummary[] {
    return this.stmt.list.all(limit).map(toSummary);
  }

  setPhase(id: string, phase: string): void {
    this.stmt.phase.run(phase, id);
  }

  setPass(id: string, passId: string): void {
    this.stmt.pass.run(passId, id);
  }

  setCleanedUp(id: string, cleaned: boolean, note: string | null = null): void {
    this.stmt.cleaned.run(cleaned ? 1 : 0, note, id);
  }

  setVerdicts(id: string, result: ExperimentResult, verdicts: readonly KeyVerdict[]): void {
    this.stmt.verdicts.run(JSON.stringify(result), JSON.stringify(verdicts), id);
  }

  /** The end of a run: its status, error and cleanup in one write. */
  end(id: string, e: { status: Exclude<ExperimentStatus, "running">; error: { code: string; message: string } | null; cleanedUp: boolean | null; cleanupNote: string | null; endedAt: number }): void {
    this.stmt.end.run({
      id,
      status: e.status,
      error: e.error !== null ? JSON.stringify(e.error) : null,
      cleaned: e.cleanedUp === null ? null : e.cleanedUp ? 1 : 0,
      note: e.cleanupNote,
      now: e.endedAt,
    });
  }

  append(seq: number, event: StoredEvent): void {
    const n = this.stmt.nextEvent.get(seq) as number;
    this.stmt.insertEvent.run(seq, n, JSON.stringify(event));
  }

  event(seq: number, n: number): StoredEvent | null {
    const e = this.stmt.event.get(seq, n);
    return e !== undefined ? (JSON.parse(e) as StoredEvent) : null;
  }

  events(seq: number): StoredEvent[] {
    return this.stmt.events.all(seq).map((e) => JSON.parse(e) as StoredEvent);
  }
}
