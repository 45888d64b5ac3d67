import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { S3Error } from "../errors";

/** What a token is valid for: a token is only accepted by the listing that issued it. */
export interface TokenScope {
  bucket: string;
  /** Never reused: distinguishes a re-created bucket of the same name. */
  bucketId: number;
  prefix: string;
  delimiter: string;
}

const FORMAT = 0x10;
const MAC_BYTES = 32;
const HEADER_BYTES = 1 + MAC_BYTES;
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function invalidContinuationToken(): S3Error {
  return new S3Error("InvalidArgument", "The continuation token provided is incorrect", {
    ArgumentName: "continuation-token",
  });
}

function lengthPrefixed(parts: readonly (string | Buffer)[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = typeof part === "string" ? Buffer.from(part, "utf8") : part;
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length, 0);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * Tokens carry a position (the last key or common prefix returned), never a snapshot. They are
 * base64 in the standard alphabet like S3's, so clients must percent-encode `+ / =`; the position is
 * encrypted (S3's tokens are "obfuscated, not a real key") and the whole is bound to its listing by
 * an HMAC, SIV style: the MAC doubles as the cipher's IV, so equal inputs give equal tokens.
 */
export class ContinuationTokens {
  private readonly macKey: Buffer;
  private readonly encryptionKey: Buffer;

  constructor(secret: Buffer) {
    this.macKey = createHmac("sha256", secret).update("continuation-token mac").digest();
    this.encryptionKey = createHmac("sha256", secret).update("continuation-token encryption").digest();
  }

  issue(scope: TokenScope, position: string): string {
    const positionBytes = Buffer.from(position, "utf8");
    const mac = this.mac(scope, positionBytes);
    const cipher = createCipheriv("aes-256-ctr", this.encryptionKey, mac.subarray(0, 16));
    const encrypted = Buffer.concat([cipher.update(positionBytes), cipher.final()]);
    // Pad so the base64 always ends in "==": every token then exercises the client's encoding.
    const filler = (((1 - ((HEADER_BYTES + encrypted.length) % 3)) % 3) + 3) % 3;
    const token = Buffer.alloc(HEADER_BYTES + encrypted.length + filler);
    token[0] = FORMAT | filler;
    mac.copy(token, 1);
    encrypted.copy(token, HEADER_BYTES);
    return token.toString("base64");
  }

  /** The position the token resumes after; throws InvalidArgument for anything not issued for `scope`. */
  open(scope: TokenScope, token: string): string {
    if (token.length % 4 !== 0 || !STANDARD_BASE64.test(token)) throw invalidContinuationToken();
    const bytes = Buffer.from(token, "base64");
    if (bytes.toString("base64") !== token || bytes.length < HEADER_BYTES) throw invalidContinuationToken();
    const header = bytes[0] ?? 0;
    const filler = header & 0x0f;
    if ((header & 0xf0) !== FORMAT || filler > 2 || bytes.length - filler < HEADER_BYTES) {
      throw invalidContinuationToken();
    }
    if (bytes.subarray(bytes.length - filler).some((b) => b !== 0)) throw invalidContinuationToken();
    const mac = bytes.subarray(1, HEADER_BYTES);
    const encrypted = bytes.subarray(HEADER_BYTES, bytes.length - filler);
    const decipher = createDecipheriv("aes-256-ctr", this.encryptionKey, mac.subarray(0, 16));
    const positionBytes = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    if (!timingSafeEqual(mac, this.mac(scope, positionBytes))) throw invalidContinuationToken();
    return positionBytes.toString("utf8");
  }

  private mac(scope: TokenScope, positionBytes: Buffer): Buffer {
    return createHmac("sha256", this.macKey)
      .update(
        lengthPrefixed([
          scope.bucket,
          String(scope.bucketId),
          scope.prefix,
          scope.delimiter,
          positionBytes,
        ]),
      )
      .digest();
  }
}
