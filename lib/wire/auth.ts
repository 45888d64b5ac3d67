import { z } from "./zod";

// POST /signin and POST /signout, answered by the gate in scripts/start.ts.

export const signInRequestSchema = z.object({ token: z.string(), next: z.string().optional() });
export type SignInRequest = z.infer<typeof signInRequestSchema>;

/** `next`: where to go, already resolved on the server against our origin. */
export const signInResponseSchema = z.object({ next: z.string() });

export const signOutResponseSchema = z.object({ signedOut: z.literal(true) });
