import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CHECKSUM_ALGORITHMS, checksumOf, createChecksum, isWellFormedChecksum } from "./checksums";

const hex = (base64: string) => Buffer.from(base64, "base64").toString("hex");

describe("S3 additional checksums", () => {
  it("CRC32 matches the values real clients sent (wire captures §3.1, §5)", () => {
    expect(checksumOf("CRC32", Buffer.from("0123456789abcdefghij"))).toBe("Y4wNKQ==");
    expect(checksumOf("CRC32", Buffer.from("this is a small file\n"))).toBe("qbe0Rg==");
    expect(checksumOf("CRC32", Buffer.alloc(0))).toBe("AAAAAA==");
  });

  it("CRC32C and CRC64NVME match their standard check values and the AWS doc trailer", () => {
    const check = Buffer.from("123456789");
    expect(hex(checksumOf("CRC32C", check))).toBe("e3069283");
    expect(hex(checksumOf("CRC64NVME", check))).toBe("ae8b14860a799888");
    expect(checksumOf("CRC32C", Buffer.alloc(66560, "a"))).toBe("sOO8/Q==");
  });

  it("SHA1 and SHA256 are base64 digests", () => {
    const data = Buffer.from("bucketscope");
    expect(checksumOf("SHA1", data)).toBe(createHash("sha1").update(data).digest("base64"));
    expect(checksumOf("SHA256", data)).toBe(createHash("sha256").update(data).digest("base64"));
  });

  it("incremental updates equal one-shot digests for every algorithm", () => {
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31) & 0xff));
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const c = createChecksum(algorithm);
      for (let i = 0; i < data.length; i += 777) c.update(data.subarray(i, i + 777));
      expect(c.digestBase64(), algorithm).toBe(checksumOf(algorithm, data));
    }
  });

  it("accepts only canonical base64 of the right digest size", () => {
    expect(isWellFormedChecksum("CRC32", "Y4wNKQ==")).toBe(true);
    expect(isWellFormedChecksum("CRC32", "Y4wNKQ")).toBe(false);
    expect(isWellFormedChecksum("CRC32", "not base64!")).toBe(false);
    expect(isWellFormedChecksum("CRC64NVME", "Y4wNKQ==")).toBe(false);
    expect(isWellFormedChecksum("SHA256", createHash("sha256").digest("base64"))).toBe(true);
  });
});
