import "server-only";
import { errorResponse } from "./errors";

// Route handlers wrap their body in `handle` so every thrown error takes the one error shape.
export function handle<Args extends unknown[]>(
  fn: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args: Args) => {
    try {
      return await fn(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
