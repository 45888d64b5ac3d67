import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { S3Error } from "./errors";

// AWS Signature Version 4 as S3 checks it: header-signed requests ("Signature Calculations for the
// Authorization Header") and presigned URLs ("Authenticating Requests: Using Query Parameters").
// Canonicalization follows docs/s3-wire-captures.md §2, which was verified against 52 real signatures.

export const ALGORITHM = "AWS4-HMAC-SHA256";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** S3 rejects header-signed requests whose x-amz-date is more than 15 minutes off. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs live at most 7 days (X-Amz-Expires <= 604800). */
const MAX_PRESIGN_EXPIRES_S = 604800;

export interface SigV4Request {
  method: string;
  /** Path exactly as received on the request line, still percent-encoded. */
  rawPath: string;
  /** Query string as received, without the leading "?". */
  rawQuery: string;
  /** Node's rawHeaders: [name, value, name, value, …] with original casing and duplicates. */
  rawHeaders: readonly string[];
}

export interface SigV4Settings {
  /** Returns the secret for a key id, or undefined if the key is unknown. */
  secretFor(accessKeyId: string): string | undefined;
  region: string;
  now(): number;
}

/** What the rest of the request pipeline needs from a verified signature. */
export interface VerifiedRequest {
  accessKeyId: string;
  presigned: boolean;
  /** The canonical request's payload line: 64 hex, UNSIGNED-PAYLOAD, or a STREAMING-… mode. */
  payloadHash: string;
  /** Needed to verify aws-chunked chunk and trailer signatures. */
  chunkSigning: ChunkSigningContext;
}

export interface ChunkSigningContext {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

// ---------------------------------------------------------------------------------------------
// Encoding and canonical forms

const UNRESERVED = (() => {
  const t = new Uint8Array(128);
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~") t[c.charCodeAt(0)] = 1;
  return t;
})();
const HEX_UPPER = "0123456789ABCDEF";

/** RFC 3986 percent-encoding of the UTF-8 bytes, as SigV4 requires (space is %20). */
export function uriEncode(value: string, encodeSlash = true): string {
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  const bytes = Buffer.from(value, "utf8");
  let out = "";
  for (const b of bytes) {
    if ((b < 128 && UNRESERVED[b] === 1) || (b === 0x2f && !encodeSlash)) out += String.fromCharCode(b);
    else out += "%" + HEX_UPPER[b >> 4]! + HEX_UPPER[b & 15]!;
  }
  return out;
}

/** decodeURIComponent that keeps the input when it is not valid percent-encoding. */
export function safeDecode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Each path segment is decoded, then encoded once (S3 does not normalize "." or "//"). */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "") return "/";
  return rawPath
    .split("/")
    .map((segment) => uriEncode(safeDecode(segment)))
    .join("/");
}

/** Raw query pairs in wire order; a key without "=" gets an empty value. */
export function splitQuery(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  if (rawQuery === "") return pairs;
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    if (eq === -1) pairs.push([piece, ""]);
    else pairs.push([piece.slice(0, eq), piece.slice(eq + 1)]);
  }
  return pairs;
}

export function canonicalQuery(rawQuery: string, omitSignature: boolean): string {
  const encoded: [string, string][] = [];
  for (const [k, v] of splitQuery(rawQuery)) {
    const key = uriEncode(safeDecode(k));
    if (omitSignature && key === "X-Amz-Signature") continue;
    encoded.push([key, uriEncode(safeDecode(v))]);
  }
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Values of the signed headers: duplicates joined with ",", trimmed, inner whitespace collapsed. */
export function canonicalHeaders(rawHeaders: readonly string[], signedHeaders: readonly string[]): string {
  const wanted = new Map<string, string[]>();
  for (const name of signedHeaders) wanted.set(name, []);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const values = wanted.get(rawHeaders[i]!.toLowerCase());
    if (values) values.push(rawHeaders[i + 1]!.trim().replace(/\s+/g, " "));
  }
  let out = "";
  for (const name of signedHeaders) out += `${name}:${(wanted.get(name) ?? []).join(",")}\n`;
  return out;
}

export function buildCanonicalRequest(
  req: SigV4Request,
  signedHeaders: readonly string[],
  payloadHash: string,
  presigned: boolean,
): string {
  return [
    req.method,
    canonicalUri(req.rawPath),
    canonicalQuery(req.rawQuery, presigned),
    canonicalHeaders(req.rawHeaders, signedHeaders),
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

export function buildStringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
}

// ---------------------------------------------------------------------------------------------
// Keys and signatures

const signingKeyCache = new Map<string, Buffer>();

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
  const cached = signingKeyCache.get(cacheKey);
  if (cached) return cached;
  const kDate = createHmac("sha256", `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac("sha256", kDate).update(region).digest();
  const kService = createHmac("sha256", kRegion).update(service).digest();
  const key = createHmac("sha256", kService).update("aws4_request").digest();
  if (signingKeyCache.size > 64) signingKeyCache.clear();
  signingKeyCache.set(cacheKey, key);
  return key;
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

/** "Transferring Payload in Multiple Chunks": each chunk signs the previous signature and its data hash. */
export function chunkStringToSign(ctx: Omit<ChunkSigningContext, "signingKey" | "seedSignature">, previousSignature: string, chunkSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${ctx.amzDate}\n${ctx.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

export function chunkSignature(ctx: ChunkSigningContext, previousSignature: string, chunkSha256Hex: string): string {
  return hmacHex(ctx.signingKey, chunkStringToSign(ctx, previousSignature, chunkSha256Hex));
}

/** "Signature calculations for trailing headers": trailer lines hashed with LF endings. */
export function trailerSignature(ctx: ChunkSigningContext, finalChunkSignature: string, canonicalTrailer: string): string {
  const hash = createHash("sha256").update(canonicalTrailer).digest("hex");
  return hmacHex(ctx.signingKey, `AWS4-HMAC-SHA256-TRAILER\n${ctx.amzDate}\n${ctx.scope}\n${finalChunkSignature}\n${hash}`);
}

export function signaturesEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"));
}

// ---------------------------------------------------------------------------------------------
// Request verification

interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminal: string;
  signedHeaders: string[];
  signature: string;
}

function parseCredential(credential: string, malformed: (msg: string) => S3Error): Omit<ParsedAuth, "signedHeaders" | "signature"> {
  const parts = credential.split("/");
  if (parts.length !== 5) throw malformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  const [accessKeyId, date, region, service, terminal] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminal };
}

function parseAuthorizationHeader(header: string): ParsedAuth {
  const malformed = (msg: string) => new S3Error("AuthorizationHeaderMalformed", `The authorization header is malformed; ${msg}`);
  const space = header.indexOf(" ");
  const algorithm = space === -1 ? header : header.slice(0, space);
  if (algorithm === "AWS4-ECDSA-P256-SHA256") {
    throw new S3Error("NotImplemented", "SigV4a (AWS4-ECDSA-P256-SHA256) is not supported by the bucketscope sandbox.");
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error("InvalidArgument", "Unsupported Authorization Type", {
      ArgumentName: "Authorization",
      ArgumentValue: header,
    });
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(",")) {
    const trimmed = part.trim();
    const eq = trimmed.indexOf("=");
    if (eq > 0) fields.set(trimmed.slice(0, eq), trimmed.slice(eq + 1));
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (credential === undefined) throw malformed("missing Credential.");
  if (signedHeaders === undefined) throw malformed("missing SignedHeaders.");
  if (signature === undefined) throw malformed("missing Signature.");
  return {
    ...parseCredential(credential, malformed),
    signedHeaders: signedHeaders.split(";").map((h) => h.trim().toLowerCase()),
    signature,
  };
}

/** Parses "20261126T050017Z" into epoch milliseconds, or NaN. */
export function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function headerValue(rawHeaders: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === lowerName) return rawHeaders[i + 1];
  }
  return undefined;
}

function checkScope(auth: ParsedAuth, amzDate: string, settings: SigV4Settings, malformed: (msg: string) => S3Error): void {
  if (auth.terminal !== "aws4_request") throw malformed(`incorrect terminal "${auth.terminal}". This endpoint uses "aws4_request".`);
  if (auth.service !== "s3") throw malformed(`incorrect service "${auth.service}". This endpoint belongs to "s3".`);
  if (auth.region !== settings.region) {
    // The SDKs read <Region> to redirect; S3 sends it with this exact message shape.
    const err = malformed(`the region '${auth.region}' is wrong; expecting '${settings.region}'`);
    throw new S3Error(err.code, err.message, { Region: settings.region });
  }
  if (!amzDate.startsWith(auth.date)) {
    throw malformed(`Invalid credential date "${auth.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
}

function verifySignature(
  req: SigV4Request,
  auth: ParsedAuth,
  secret: string,
  amzDate: string,
  payloadHash: string,
  presigned: boolean,
): ChunkSigningContext {
  const scope = `${auth.date}/${auth.region}/${auth.service}/${auth.terminal}`;
  const canonicalRequest = buildCanonicalRequest(req, auth.signedHeaders, payloadHash, presigned);
  const stringToSign = buildStringToSign(amzDate, scope, canonicalRequest);
  const signingKey = deriveSigningKey(secret, auth.date, auth.region, auth.service);
  const expected = hmacHex(signingKey, stringToSign);
  if (!signaturesEqual(expected, auth.signature.toLowerCase())) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      { AWSAccessKeyId: auth.accessKeyId, StringToSign: stringToSign, SignatureProvided: auth.signature, CanonicalRequest: canonicalRequest },
    );
  }
  return { signingKey, amzDate, scope, seedSignature: expected };
}

function unknownKey(accessKeyId: string): S3Error {
  return new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
    AWSAccessKeyId: accessKeyId,
  });
}

function verifyHeaderSigned(req: SigV4Request, authorization: string, settings: SigV4Settings): VerifiedRequest {
  const auth = parseAuthorizationHeader(authorization);
  const malformed = (msg: string) => new S3Error("AuthorizationHeaderMalformed", `The authorization header is malformed; ${msg}`);
  const secret = settings.secretFor(auth.accessKeyId);
  if (secret === undefined) throw unknownKey(auth.accessKeyId);

  const amzDateHeader = headerValue(req.rawHeaders, "x-amz-date");
  let amzDate: string;
  let requestTime: number;
  if (amzDateHeader !== undefined) {
    amzDate = amzDateHeader.trim();
    requestTime = parseAmzDate(amzDate);
  } else {
    const date = headerValue(req.rawHeaders, "date");
    requestTime = date === undefined ? NaN : Date.parse(date);
    amzDate = Number.isNaN(requestTime) ? "" : formatAmzDate(requestTime);
  }
  if (Number.isNaN(requestTime)) {
    throw new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  }
  checkScope(auth, amzDate, settings, malformed);
  if (!auth.signedHeaders.includes("host")) throw malformed("the host header must be signed.");

  const now = settings.now();
  if (Math.abs(now - requestTime) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", {
      RequestTime: amzDate,
      ServerTime: new Date(now).toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_CLOCK_SKEW_MS),
    });
  }

  const payloadHash = headerValue(req.rawHeaders, "x-amz-content-sha256")?.trim();
  if (payloadHash === undefined) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  if (!isKnownPayloadHash(payloadHash)) {
    throw new S3Error(
      "InvalidArgument",
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
      { ArgumentName: "x-amz-content-sha256", ArgumentValue: payloadHash },
    );
  }
  const chunkSigning = verifySignature(req, auth, secret, amzDate, payloadHash, false);
  return { accessKeyId: auth.accessKeyId, presigned: false, payloadHash, chunkSigning };
}

function verifyPresigned(req: SigV4Request, query: ReadonlyMap<string, string>, settings: SigV4Settings): VerifiedRequest {
  const param = (name: string) => query.get(name);
  const queryError = (msg: string) => new S3Error("AuthorizationQueryParametersError", msg);
  const algorithm = param("X-Amz-Algorithm");
  if (algorithm === "AWS4-ECDSA-P256-SHA256") {
    throw new S3Error("NotImplemented", "SigV4a (AWS4-ECDSA-P256-SHA256) is not supported by the bucketscope sandbox.");
  }
  if (algorithm !== ALGORITHM) throw queryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  const credential = param("X-Amz-Credential");
  const amzDate = param("X-Amz-Date");
  const expiresRaw = param("X-Amz-Expires");
  const signedHeaders = param("X-Amz-SignedHeaders");
  const signature = param("X-Amz-Signature");
  if (credential === undefined || amzDate === undefined || expiresRaw === undefined || signedHeaders === undefined || signature === undefined) {
    throw queryError(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  const auth: ParsedAuth = {
    ...parseCredential(credential, (msg) => queryError(`Error parsing the X-Amz-Credential parameter; ${msg}`)),
    signedHeaders: signedHeaders.split(";").map((h) => h.trim().toLowerCase()),
    signature,
  };
  const secret = settings.secretFor(auth.accessKeyId);
  if (secret === undefined) throw unknownKey(auth.accessKeyId);
  checkScope(auth, amzDate, settings, (msg) => queryError(`Error parsing the X-Amz-Credential parameter; ${msg}`));

  const requestTime = parseAmzDate(amzDate);
  if (Number.isNaN(requestTime)) throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  if (!/^\d+$/.test(expiresRaw)) throw queryError("X-Amz-Expires should be a number");
  const expires = Number(expiresRaw);
  if (expires > MAX_PRESIGN_EXPIRES_S) throw queryError("X-Amz-Expires must be less than a week (in seconds) that is 604800");
  const now = settings.now();
  if (requestTime - now > MAX_CLOCK_SKEW_MS) throw new S3Error("AccessDenied", "Request is not valid yet");
  if (now > requestTime + expires * 1000) {
    throw new S3Error("AccessDenied", "Request has expired", {
      "X-Amz-Expires": expiresRaw,
      Expires: new Date(requestTime + expires * 1000).toISOString(),
      ServerTime: new Date(now).toISOString(),
    });
  }
  const payloadHash = param("X-Amz-Content-Sha256") ?? UNSIGNED_PAYLOAD;
  const chunkSigning = verifySignature(req, auth, secret, amzDate, payloadHash, true);
  return { accessKeyId: auth.accessKeyId, presigned: true, payloadHash, chunkSigning };
}

export function isKnownPayloadHash(value: string): boolean {
  return (
    value === UNSIGNED_PAYLOAD ||
    value === "STREAMING-UNSIGNED-PAYLOAD-TRAILER" ||
    value === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" ||
    value === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" ||
    value === "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD" ||
    value === "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER" ||
    /^[0-9a-fA-F]{64}$/.test(value)
  );
}

/**
 * Verifies a request's SigV4 signature (header or presigned query). `query` holds the decoded query
 * parameters. Throws S3Error: AccessDenied (anonymous or expired), InvalidAccessKeyId,
 * SignatureDoesNotMatch, RequestTimeTooSkewed, AuthorizationHeaderMalformed, AuthorizationQueryParametersError.
 */
export function verifyRequest(req: SigV4Request, query: ReadonlyMap<string, string>, settings: SigV4Settings): VerifiedRequest {
  const authorization = headerValue(req.rawHeaders, "authorization");
  if (authorization !== undefined) {
    if (query.has("X-Amz-Algorithm")) {
      throw new S3Error("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified", {
        ArgumentName: "Authorization",
        ArgumentValue: authorization,
      });
    }
    return verifyHeaderSigned(req, authorization, settings);
  }
  if (query.has("X-Amz-Algorithm")) return verifyPresigned(req, query, settings);
  throw new S3Error("AccessDenied", "Access Denied");
}
