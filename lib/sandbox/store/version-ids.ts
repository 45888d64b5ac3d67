import { createHmac } from "node:crypto";

export const NULL_VERSION_ID = "null";

const SEQUENCE_DIGITS = 11;
const TAG_LENGTH = 5;
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Version ids are url-safe and sort like the write sequence they encode (a per-database tag, then the
 * sequence in fixed-width base 36), so a version-id-marker still locates its place after that version
 * has been deleted, and a malformed id can be told apart from a well-formed but missing one.
 */
export class VersionIds {
  private readonly tag: string;
  private readonly pattern: RegExp;

  constructor(secret: Buffer) {
    const digest = createHmac("sha256", secret).update("version-id tag").digest();
    let tag = "";
    for (let i = 0; i < TAG_LENGTH; i++) tag += ALPHABET[(digest[i] ?? 0) % ALPHABET.length] ?? "0";
    this.tag = tag;
    this.pattern = new RegExp(`^${tag}[0-9a-z]{${SEQUENCE_DIGITS}}$`);
  }

  format(sequence: number): string {
    return this.tag + sequence.toString(36).padStart(SEQUENCE_DIGITS, "0");
  }

  /** The write sequence, or undefined when `id` was not issued by this store (or is "null"). */
  parse(id: string): number | undefined {
    if (!this.pattern.test(id)) return undefined;
    const sequence = Number.parseInt(id.slice(TAG_LENGTH), 36);
    return Number.isSafeInteger(sequence) && sequence > 0 ? sequence : undefined;
  }
}
