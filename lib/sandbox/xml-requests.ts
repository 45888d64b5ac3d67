import { XMLParser, XMLValidator } from "fast-xml-parser";
import { S3Error } from "./errors";

// Request bodies: Delete, CompleteMultipartUpload, VersioningConfiguration, CreateBucketConfiguration.
// Clients differ (wire captures §4, §5): with or without the XML declaration, ETag quotes raw or as
// &quot;, control characters as numeric references (&#x0D;). Anything unparseable is MalformedXML.

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  parseTagValue: false,
  // Keys may begin or end with spaces; never trim element text.
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => name === "Object" || name === "Part",
});

function malformed(): S3Error {
  return new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
}

type XmlNode = Record<string, unknown>;

function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseDocument(body: Buffer, root: string): XmlNode {
  // An XML processor turns CR and CRLF into LF before anything else (XML 1.0 §2.11); escaped &#xD;
  // survives because entities are decoded afterwards.
  const text = body.toString("utf8").replace(/\r\n?/g, "\n");
  if (text.trim() === "" || XMLValidator.validate(text) !== true) throw malformed();
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    throw malformed();
  }
  if (!isNode(doc)) throw malformed();
  const node = doc[root];
  if (node === "") return {};
  if (!isNode(node)) throw malformed();
  return node;
}

/** Element text, or undefined when absent; an element with children is malformed. */
function text(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw malformed();
  return value;
}

function nodes(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw malformed();
  return value.map((v) => {
    if (v === "") return {};
    if (!isNode(v)) throw malformed();
    return v;
  });
}

export interface DeleteRequest {
  objects: { key: string; versionId: string | undefined }[];
  quiet: boolean;
}

/** S3 accepts at most 1000 keys per DeleteObjects request. */
export const MAX_DELETE_KEYS = 1000;

export function parseDeleteRequest(body: Buffer): DeleteRequest {
  const root = parseDocument(body, "Delete");
  const objects = nodes(root, "Object").map((o) => {
    const key = text(o, "Key");
    if (key === undefined) throw malformed();
    return { key, versionId: text(o, "VersionId") };
  });
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw malformed();
  const quiet = text(root, "Quiet")?.trim().toLowerCase();
  if (quiet !== undefined && quiet !== "true" && quiet !== "false") throw malformed();
  return { objects, quiet: quiet === "true" };
}

export interface CompletedPart {
  partNumber: number;
  /** Normalized to S3's quoted form: "\"<hex>\"". */
  etag: string;
}

export function parseCompleteMultipartUpload(body: Buffer): CompletedPart[] {
  const root = parseDocument(body, "CompleteMultipartUpload");
  const parts = nodes(root, "Part").map((p) => {
    const partNumber = text(p, "PartNumber")?.trim();
    const etag = text(p, "ETag")?.trim();
    if (partNumber === undefined || etag === undefined || !/^\d{1,5}$/.test(partNumber)) throw malformed();
    return { partNumber: Number(partNumber), etag: `"${etag.replace(/^"+|"+$/g, "")}"` };
  });
  if (parts.length === 0) throw malformed();
  return parts;
}

export function parseVersioningConfiguration(body: Buffer): "Enabled" | "Suspended" | undefined {
  const root = parseDocument(body, "VersioningConfiguration");
  const status = text(root, "Status")?.trim();
  if (status === undefined) return undefined;
  if (status !== "Enabled" && status !== "Suspended") throw malformed();
  return status;
}

/** The LocationConstraint of an optional CreateBucketConfiguration body ("" when absent). */
export function parseCreateBucketConfiguration(body: Buffer): string {
  if (body.length === 0 || body.toString("utf8").trim() === "") return "";
  const root = parseDocument(body, "CreateBucketConfiguration");
  return text(root, "LocationConstraint")?.trim() ?? "";
}
