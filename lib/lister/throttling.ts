import "server-only";
import type { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describeS3Error, type ErrorContext } from "@/lib/connections";

/**
 * Reports every throttling answer of one command to `onThrottled`, including those the SDK retries
 * by itself: a parallel pass halves its cursors on each (S3 asks to slow down per request; the SDK
 * only backs off the one request). The middleware sits in the deserialize step, inside the retry
 * loop, so it sees each attempt.
 */
export function watchThrottling(command: ListObjectsV2Command, onThrottled: (() => void) | undefined, ctx: ErrorContext): ListObjectsV2Command {
  if (onThrottled === undefined) return command;
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (describeS3Error(err, ctx).code === "throttled") onThrottled();
        throw err;
      }
    },
    { step: "deserialize", priority: "high", name: "bucketscopeThrottleWatch" },
  );
  return command;
}
