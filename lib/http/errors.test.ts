import { describe, expect, it } from "vitest";
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

  it("never sends an internal message to the client", async () => {
    const res = errorResponse(new Error("SQLITE_CORRUPT at /secret/path"));
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain("secret");
  });
});
