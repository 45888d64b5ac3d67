import { describe, expect, it, vi } from "vitest";
import type * as errors from "./errors";
import { AppError, errorResponse } from "./errors";

describe("the one error shape", () => {
  it("answers an AppError thrown by another copy of the class (another route bundle) with its own status", async () => {
    // A query string makes the module loader evaluate the module a second time, as a second route bundle would.
    const specifier = "./errors?bundle=2";
    const other = (await import(/* @vite-ignore */ specifier)) as typeof errors;
    const OtherBundleAppError = other.AppError;
    expect(OtherBundleAppError).not.toBe(AppError);
    const err = new OtherBundleAppError("unknown_connection", 'There is no connection named "nope".');
    expect(err instanceof AppError).toBe(true);
    const res = errorResponse(err);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "unknown_connection", message: 'There is no connection named "nope".' } });
  });

  it("never sends an internal message to the client: internal_error with an id the server log carries", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      for (const err of [new Error("SQLITE_CORRUPT at /secret/path"), new AppError("internal_error", "invariant broken at /secret/path")]) {
        log.mockClear();
        const res = errorResponse(err);
        expect(res.status).toBe(500);
        const body = (await res.json()) as { error: { code: string; message: string; id: string } };
        expect(JSON.stringify(body)).not.toContain("secret");
        expect(body.error.code).toBe("internal_error");
        expect(body.error.id).toMatch(/^[0-9a-f]{12}$/);
        expect(body.error.message).toContain(`(id ${body.error.id})`);
        const logged = log.mock.calls.map((c) => c.map(String).join(" ")).join("\n");
        expect(logged).toContain(body.error.id);
        expect(logged).toContain("/secret/path");
      }
    } finally {
      log.mockRestore();
    }
  });

  it("answers each limit with its status: 429 for running work, 409 for too many watches, 413 for a large body", () => {
    expect(errorResponse(new AppError("too_many_passes", "x")).status).toBe(429);
    expect(errorResponse(new AppError("too_many_experiments", "x")).status).toBe(429);
    expect(errorResponse(new AppError("too_many_watches", "x")).status).toBe(409);
    expect(errorResponse(new AppError("payload_too_large", "x")).status).toBe(413);
  });
});
