import { S3Error } from "./errors";

// Request validation S3 does before touching any data.

/** General purpose bucket naming rules (S3 User Guide, "Bucket naming rules"). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "Bucket names must be between 3 and 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return "Bucket names may contain only lowercase letters, numbers, dots and hyphens, and must begin and end with a letter or number";
  }
  if (name.includes("..")) return "Bucket names must not contain two adjacent periods";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "Bucket names must not be formatted as an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return "Bucket names must not start with a reserved prefix";
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return "Bucket names must not end with a reserved suffix";
  return undefined;
}

export function assertValidBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem !== undefined) throw new S3Error("InvalidBucketName", "The specified bucket is not valid.", { BucketName: name });
}

export const MAX_KEY_BYTES = 1024;

export function assertValidKey(key: string): void {
  const size = Buffer.byteLength(key, "utf8");
  if (size > MAX_KEY_BYTES) {
    throw new S3Error("KeyTooLongError", "Your key is too long", { Size: String(size), MaxSizeAllowed: String(MAX_KEY_BYTES) });
  }
}

const INT32_MAX = 2147483647;

/** max-keys / max-uploads: an integer in [0, 2^31-1]; absent → 1000. */
export function parseMaxKeys(value: string | undefined, argumentName = "max-keys"): number {
  if (value === undefined) return 1000;
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) {
    throw new S3Error("InvalidArgument", "Provided max-keys not an integer or within integer range", {
      ArgumentName: argumentName,
      ArgumentValue: value,
    });
  }
  const n = Number(trimmed);
  if (n < 0 || n > INT32_MAX) {
    throw new S3Error("InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647", {
      ArgumentName: argumentName === "max-keys" ? "maxKeys" : argumentName,
      ArgumentValue: value,
    });
  }
  return n;
}

/** encoding-type: only "url" exists. */
export function parseEncodingType(value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  if (value.toLowerCase() !== "url") {
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", {
      ArgumentName: "encoding-type",
      ArgumentValue: value,
    });
  }
  return true;
}

export function parsePartNumber(value: string | undefined): number {
  const n = value !== undefined && /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 10000)) {
    throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", {
      ArgumentName: "partNumber",
      ArgumentValue: value ?? "",
    });
  }
  return n;
}

const STORAGE_CLASSES = new Set([
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "OUTPOSTS",
  "SNOW",
  "EXPRESS_ONEZONE",
]);

export function parseStorageClass(value: string | undefined): string {
  if (value === undefined || value === "") return "STANDARD";
  if (!STORAGE_CLASSES.has(value)) {
    throw new S3Error("InvalidArgument", "The storage class you specified is not valid", {
      ArgumentName: "x-amz-storage-class",
      ArgumentValue: value,
    });
  }
  return value;
}
