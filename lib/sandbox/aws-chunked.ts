import { createHash, type Hash } from "node:crypto";
import { S3Error } from "./errors";
import { chunkSignature, signaturesEqual, trailerSignature, type ChunkSigningContext } from "./sigv4";

// Incremental decoder for the aws-chunked content encoding (wire captures §3.1, §3.3, §3.4):
//   <hex size>[;chunk-signature=<sig>]\r\n <data>\r\n … 0[;chunk-signature=<sig>]\r\n [trailers\r\n] \r\n
// Node delivers the body in pieces whose boundaries have nothing to do with the chunk boundaries,
// so every state survives being cut anywhere, including between \r and \n.

/** Longest size or trailer line accepted; real ones are under 100 bytes. */
const MAX_LINE_BYTES = 8192;
const MAX_TRAILER_LINES = 32;
const TRAILER_SIGNATURE = "x-amz-trailer-signature";

export interface AwsChunkedOptions {
  /** Verify chunk signatures chained from this seed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
  signing?: ChunkSigningContext;
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the trailer carries x-amz-trailer-signature. */
  signedTrailer?: boolean;
  /** Stop early once more decoded bytes than this arrive. */
  maxDecodedBytes?: number;
}

export interface AwsChunkedResult {
  body: Buffer;
  /** Trailer headers, names lower-cased, values trimmed (the trailer signature excluded). */
  trailers: Map<string, string>;
}

type State = "size" | "data" | "dataEnd" | "trailer" | "done";

function incomplete(message = "The request body terminated unexpectedly"): S3Error {
  return new S3Error("IncompleteBody", message);
}

function badEncoding(message: string): S3Error {
  return new S3Error("InvalidRequest", `Invalid aws-chunked body: ${message}`);
}

export class AwsChunkedDecoder {
  private state: State = "size";
  private readonly parts: Buffer[] = [];
  private decodedBytes = 0;
  private lineParts: Buffer[] = [];
  private lineBytes = 0;
  private remaining = 0;
  private dataEndSeen = 0;
  private declaredSignature = "";
  private previousSignature: string;
  private chunkHash: Hash | undefined;
  private readonly trailers = new Map<string, string>();
  private readonly trailerLines: string[] = [];
  private trailerSignatureValue: string | undefined;

  constructor(private readonly options: AwsChunkedOptions = {}) {
    this.previousSignature = options.signing?.seedSignature ?? "";
  }

  push(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      switch (this.state) {
        case "size":
        case "trailer":
        case "done": {
          const line = this.takeLine(data, offset);
          if (line === undefined) return;
          offset = line.next;
          if (this.state === "size") this.onSizeLine(line.text);
          else if (this.state === "trailer") this.onTrailerLine(line.text);
          else if (line.text !== "") throw badEncoding("data after the end of the body");
          break;
        }
        case "data": {
          const take = Math.min(this.remaining, data.length - offset);
          const slice = data.subarray(offset, offset + take);
          this.parts.push(slice);
          this.chunkHash?.update(slice);
          this.remaining -= take;
          offset += take;
          if (this.remaining === 0) this.onChunkData();
          break;
        }
        case "dataEnd": {
          // Exactly "\r\n" after the chunk data; it may be split across pushes.
          const expected = this.dataEndSeen === 0 ? 0x0d : 0x0a;
          if (data[offset] !== expected) throw badEncoding("chunk data is not followed by CRLF");
          offset++;
          if (++this.dataEndSeen === 2) {
            this.dataEndSeen = 0;
            this.state = "size";
          }
          break;
        }
      }
    }
  }

  /** Call once the request stream has ended. */
  finish(): AwsChunkedResult {
    if (this.lineBytes > 0) {
      // A final line without CRLF: only acceptable as the last trailer line.
      const text = this.flushLine();
      if (this.state === "trailer") this.onTrailerLine(text);
      else throw incomplete();
    }
    if (this.state !== "trailer" && this.state !== "done") throw incomplete();
    if (this.options.signedTrailer) this.verifyTrailerSignature();
    return { body: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.decodedBytes), trailers: this.trailers };
  }

  private takeLine(data: Buffer, offset: number): { text: string; next: number } | undefined {
    const lf = data.indexOf(0x0a, offset);
    const end = lf === -1 ? data.length : lf;
    if (end > offset) {
      this.lineParts.push(data.subarray(offset, end));
      this.lineBytes += end - offset;
    }
    if (this.lineBytes > MAX_LINE_BYTES) throw badEncoding("line too long");
    if (lf === -1) return undefined;
    return { text: this.flushLine(), next: lf + 1 };
  }

  private flushLine(): string {
    const buf = this.lineParts.length === 1 ? this.lineParts[0]! : Buffer.concat(this.lineParts);
    this.lineParts = [];
    this.lineBytes = 0;
    let text = buf.toString("latin1");
    if (text.endsWith("\r")) text = text.slice(0, -1);
    return text;
  }

  private onSizeLine(line: string): void {
    const semi = line.indexOf(";");
    const sizeText = (semi === -1 ? line : line.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) throw badEncoding(`bad chunk size line "${line.slice(0, 80)}"`);
    const size = parseInt(sizeText, 16);
    if (this.options.signing) {
      const m = /;\s*chunk-signature=([0-9a-fA-F]{64})\s*$/.exec(line);
      if (!m) throw new S3Error("IncompleteBody", "Each chunk of a signed aws-chunked body must carry chunk-signature=<64 hex>.");
      this.declaredSignature = m[1]!.toLowerCase();
      this.chunkHash = createHash("sha256");
    }
    if (this.options.maxDecodedBytes !== undefined && this.decodedBytes + size > this.options.maxDecodedBytes) {
      throw new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
        MaxSizeAllowed: String(this.options.maxDecodedBytes),
      });
    }
    this.decodedBytes += size;
    this.remaining = size;
    if (size === 0) {
      this.onChunkData();
      this.state = "trailer";
    } else {
      this.state = "data";
    }
  }

  private onChunkData(): void {
    if (this.options.signing && this.chunkHash) {
      const expected = chunkSignature(this.options.signing, this.previousSignature, this.chunkHash.digest("hex"));
      if (!signaturesEqual(expected, this.declaredSignature)) {
        throw new S3Error(
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
          { SignatureProvided: this.declaredSignature },
        );
      }
      this.previousSignature = expected;
      this.chunkHash = undefined;
    }
    if (this.remaining === 0 && this.state === "data") this.state = "dataEnd";
  }

  private onTrailerLine(line: string): void {
    if (line === "") {
      // One blank line may precede the trailers (clients disagree); a blank line after them ends the body.
      if (this.trailerLines.length > 0 || this.trailerSignatureValue !== undefined) this.state = "done";
      return;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw badEncoding(`bad trailer line "${line.slice(0, 80)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) {
      this.trailerSignatureValue = value.toLowerCase();
      return;
    }
    if (this.trailerLines.length >= MAX_TRAILER_LINES) throw badEncoding("too many trailer lines");
    // Canonical trailer form for the signature: lower-case name, ':', trimmed value.
    this.trailerLines.push(`${name}:${value}`);
    this.trailers.set(name, value);
  }

  private verifyTrailerSignature(): void {
    const signing = this.options.signing;
    if (!signing) return;
    if (this.trailerSignatureValue === undefined) {
      throw new S3Error("IncompleteBody", "The trailer of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER body must carry x-amz-trailer-signature.");
    }
    const canonical = this.trailerLines.map((l) => `${l}\n`).join("");
    const expected = trailerSignature(signing, this.previousSignature, canonical);
    if (!signaturesEqual(expected, this.trailerSignatureValue)) {
      throw new S3Error(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        { SignatureProvided: this.trailerSignatureValue },
      );
    }
  }
}
