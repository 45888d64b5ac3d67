import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

// A session cookie is `<issued-at ms>.<session id>.<HMAC of both, keyed by the access token>`: it never
// holds the token, it stops working when the token changes, when it is older than the session max age
// and when its id is revoked by a sign-out.

export const SESSION_COOKIE = "bucketscope_session";
const SESSION_ID = /^[A-Za-z0-9_-]{16}$/;
/** Our own clock may step back a little (NTP); a cookie from further in the future is not ours. */
const FUTURE_SKEW_MS = 5 * 60_000;

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function mac(token: string, issuedAt: number, id: string): string {
  return createHmac("sha256", token).update(`bucketscope-session-v2.${issuedAt}.${id}`).digest("base64url");
}

export function issueSession(token: string, now: number, id: string = randomBytes(12).toString("base64url")): string {
  return `${now}.${id}.${mac(token, now, id)}`;
}

export interface Session {
  id: string;
  issuedAt: number;
  expiresAt: number;
}

/** The session a cookie value carries, or null when it is forged, expired or revoked. */
export function verifySession(
  token: string,
  value: string,
  opts: { now: number; maxAgeMs: number; revoked?: { has(id: string): boolean } },
): Session | null {
  const [issued, id, signature, extra] = value.split(".");
  if (issued === undefined || id === undefined || signature === undefined || extra !== undefined) return null;
  if (!/^\d{1,15}$/.test(issued) || !SESSION_ID.test(id)) return null;
  const issuedAt = Number(issued);
  if (!safeEqual(signature, mac(token, issuedAt, id))) return null;
  const expiresAt = issuedAt + opts.maxAgeMs;
  if (opts.now >= expiresAt || issuedAt > opts.now + FUTURE_SKEW_MS) return null;
  if (opts.revoked?.has(id)) return null;
  return { id, issuedAt, expiresAt };
}

/**
 * Sessions ended by a sign-out, kept until they would have expired anyway. On disk (in the data
 * directory) so a restart does not bring a signed-out cookie back.
 */
export class RevokedSessions {
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly file: string | null,
    private readonly now: () => number = Date.now,
  ) {
    if (file === null) return;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
      for (const [id, expiresAt] of Object.entries(parsed)) {
        if (SESSION_ID.test(id) && typeof expiresAt === "number") this.ids.set(id, expiresAt);
      }
    } catch (err) {
      console.error(`bucketscope: ignoring unreadable ${file} (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  has(id: string): boolean {
    const expiresAt = this.ids.get(id);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  revoke(session: Session): void {
    const now = this.now();
    for (const [id, expiresAt] of this.ids) if (expiresAt <= now) this.ids.delete(id);
    this.ids.set(session.id, session.expiresAt);
    if (this.file === null) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.ids)));
    renameSync(tmp, this.file);
  }
}
