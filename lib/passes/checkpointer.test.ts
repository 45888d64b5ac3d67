import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startCheckpointer } from "./checkpointer";
import { PassStore } from "./store";
import { tempDir } from "./testing/harness";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("background checkpoints", () => {
  it("stop without an error when the store closes and its data directory is deleted at once", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const dir = tempDir("checkpointer");
    const fallback = vi.fn();
    // The worker is still starting when the directory goes: it must not open (or create) the file.
    const checkpointer = startCheckpointer(path.join(dir, "bucketscope.db"), fallback, 5);
    const closed = checkpointer.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await closed;
    expect(errors).not.toHaveBeenCalled();
    expect(fallback).not.toHaveBeenCalled();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("keep checkpointing a store until it closes", async () => {
    const dir = tempDir("checkpointer");
    const store = new PassStore(path.join(dir, "bucketscope.db"));
    store.db.exec("CREATE TABLE filler (x BLOB)");
    store.db.prepare("INSERT INTO filler VALUES (randomblob(100000))").run();
    const wal = path.join(dir, "bucketscope.db-wal");
    // Automatic checkpoints are off on the store's connection: only the worker moves the log into the file.
    await vi.waitFor(() => expect(fs.statSync(path.join(dir, "bucketscope.db")).size).toBeGreaterThan(100_000), { timeout: 30_000, interval: 50 });
    expect(fs.existsSync(wal)).toBe(true);
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
