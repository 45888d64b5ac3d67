import { ListObjectsV2Output$, ListObjectVersionsOutput$ } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { PARSER_MODEL, type ModelMember } from "@/lib/listing-parser";

// The parser skips elements it does not know, as the SDK ignores elements outside its model. That is
// only right while the parser knows every member of the SDK's model: a member added by an SDK
// upgrade would otherwise be dropped silently instead of read. This reads the SDK's own schemas.

type Schema = unknown;
type Traits = Record<string, unknown>;

const TYPES: Record<number, string> = { 0: "string", 1: "number", 2: "boolean", 4: "timestamp" };

function deref(s: Schema): Schema {
  return typeof s === "function" ? deref((s as () => Schema)()) : s;
}

/** [schema, traits] member wrappers and bare schemas alike. */
function unwrap(s: Schema): { schema: Schema; traits: Traits } {
  const d = deref(s);
  if (Array.isArray(d) && d.length === 2 && (typeof d[1] === "object" || d[1] === 0)) {
    return { schema: deref(d[0]), traits: (typeof d[1] === "object" && d[1] !== null ? d[1] : {}) as Traits };
  }
  return { schema: d, traits: {} };
}

function describeStruct(s: Schema): ModelMember[] {
  const struct = deref(s) as [number, string, string, unknown, string[], Schema[]];
  expect(struct[0]).toBe(3);
  const out: ModelMember[] = [];
  struct[4].forEach((prop, i) => {
    const { schema, traits } = unwrap(struct[5][i]);
    if (traits.httpHeader !== undefined) return; // read from headers by the SDK itself
    const element = typeof traits.xmlName === "string" ? traits.xmlName : prop;
    if (typeof schema === "number") {
      if (schema === 64) {
        expect(traits.xmlFlattened).toBe(1);
        out.push({ element, prop, kind: "list", type: "string" });
      } else {
        expect(TYPES[schema], `${prop}: scalar type ${schema}`).toBeDefined();
        out.push({ element, prop, kind: "scalar", type: TYPES[schema] as ModelMember["type"] });
      }
    } else if (Array.isArray(schema) && schema[0] === 1) {
      expect(traits.xmlFlattened, `${prop} is a flattened list`).toBe(1);
      out.push({ element, prop, kind: "struct-list", members: describeStruct(unwrap(schema[4]).schema) });
    } else if (Array.isArray(schema) && schema[0] === 3) {
      out.push({ element, prop, kind: "struct", members: describeStruct(schema) });
    } else {
      throw new Error(`${prop}: a schema this test does not know: ${JSON.stringify(schema)}`);
    }
  });
  return out;
}

describe("the listing parser's model", () => {
  it("is the SDK's model of ListObjectsV2 and ListObjectVersions output, member for member (names, elements, types, lists)", () => {
    expect(PARSER_MODEL.ListBucketResult).toEqual(describeStruct(ListObjectsV2Output$));
    expect(PARSER_MODEL.ListVersionsResult).toEqual(describeStruct(ListObjectVersionsOutput$));
    // The roots' element names, which the parser checks.
    expect((deref(ListObjectsV2Output$) as [number, string, string, Traits])[3].xmlName).toBe("ListBucketResult");
    expect((deref(ListObjectVersionsOutput$) as [number, string, string, Traits])[3].xmlName).toBe("ListVersionsResult");
  });
});
