import { createHash, type Hash } from "node:crypto";
import zlib from "node:zlib";
import type { ChecksumAlgorithm } from "./store-types";

// S3 "additional checksums": base64 of the big-endian digest. CRC32 comes from zlib (Node >= 20.15);
// CRC32C and CRC64NVME are table-driven here because Node has neither.

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** Decoded digest size in bytes, used to reject malformed header values before hashing. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export interface IncrementalChecksum {
  update(data: Buffer): void;
  /** Base64 of the big-endian digest, as S3 sends it in x-amz-checksum-*. */
  digestBase64(): string;
}

export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function checksumAlgorithmFromName(name: string): ChecksumAlgorithm | undefined {
  const upper = name.trim().toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === upper);
}

/** True when `value` is canonical base64 of exactly the algorithm's digest size. */
export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return false;
  const bytes = Buffer.from(value, "base64");
  return bytes.length === DIGEST_BYTES[algorithm] && bytes.toString("base64") === value;
}

function uint32Base64(value: number): string {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out.toString("base64");
}

class Crc32 implements IncrementalChecksum {
  private crc = 0;
  update(data: Buffer): void {
    this.crc = zlib.crc32(data, this.crc);
  }
  digestBase64(): string {
    return uint32Base64(this.crc);
  }
}

// Castagnoli polynomial, reflected (RFC 3720 §B.4).
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

class Crc32c implements IncrementalChecksum {
  private crc = 0xffffffff;
  update(data: Buffer): void {
    let c = this.crc;
    const table = CRC32C_TABLE;
    for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    this.crc = c >>> 0;
  }
  digestBase64(): string {
    return uint32Base64(~this.crc);
  }
}

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones. The 64-bit state is
// kept as two uint32 halves so the inner loop stays in small-integer arithmetic.
const CRC64_TABLE_HI = new Uint32Array(256);
const CRC64_TABLE_LO = new Uint32Array(256);
{
  const polyHi = 0x9a6c9329;
  const polyLo = 0xac4bc9b5;
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let k = 0; k < 8; k++) {
      const lsb = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (lsb) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    CRC64_TABLE_HI[i] = hi;
    CRC64_TABLE_LO[i] = lo;
  }
}

class Crc64Nvme implements IncrementalChecksum {
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(data: Buffer): void {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
      const idx = (lo ^ data[i]!) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_TABLE_LO[idx]!) >>> 0;
      hi = ((hi >>> 8) ^ CRC64_TABLE_HI[idx]!) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
  }
  digestBase64(): string {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out.toString("base64");
  }
}

class NodeHash implements IncrementalChecksum {
  private readonly hash: Hash;
  constructor(algorithm: "sha1" | "sha256" | "md5") {
    this.hash = createHash(algorithm);
  }
  update(data: Buffer): void {
    this.hash.update(data);
  }
  digestBase64(): string {
    return this.hash.digest("base64");
  }
}

export function createChecksum(algorithm: ChecksumAlgorithm): IncrementalChecksum {
  switch (algorithm) {
    case "CRC32":
      return new Crc32();
    case "CRC32C":
      return new Crc32c();
    case "CRC64NVME":
      return new Crc64Nvme();
    case "SHA1":
      return new NodeHash("sha1");
    case "SHA256":
      return new NodeHash("sha256");
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const c = createChecksum(algorithm);
  c.update(data);
  return c.digestBase64();
}

export function md5Base64(data: Buffer): string {
  return createHash("md5").update(data).digest("base64");
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
