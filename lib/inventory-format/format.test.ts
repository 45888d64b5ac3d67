import { describe, expect, it } from "vitest";
import { UNICODE_DEMO_KEYS } from "@/lib/sandbox/seed";
import { csvLine, CsvRecords, decodeKey, encodeKey } from "./csv";
import { fileSchemaColumns, parquetFileSchema } from "./fields";
import { hiveDate, parseManifest, parseManifestKey, reportLayout, reportTimestamp } from "./manifest";
import { mapColumns, rowFromCsv } from "./rows";

function records(chunks: string[]): string[][] {
  const parser = new CsvRecords();
  const out: string[][] = [];
  for (const c of chunks) out.push(...parser.push(c));
  out.push(...parser.end());
  return out;
}

describe("CSV records", () => {
  const text = '"b","a,b","say ""hi""",""\r\n"b","line\nbreak",plain,\n\n"b","x","y","z"';
  const expected = [
    ["b", "a,b", 'say "hi"', ""],
    ["b", "line\nbreak", "plain", ""],
    ["b", "x", "y", "z"],
  ];

  it("reads quoted commas, doubled quotes, line breaks in values, CRLF and skips empty lines", () => {
    expect(records([text])).toEqual(expected);
  });

  it("reads the same records whatever the chunk boundaries", () => {
    for (let i = 1; i < text.length; i++) expect(records([text.slice(0, i), text.slice(i)])).toEqual(expected);
    expect(records(text.split(""))).toEqual(expected);
  });

  it("refuses a file that ends inside a quoted value", () => {
    expect(() => records(['"b","unterminated'])).toThrow(/ends inside a quoted value/);
  });
});

describe("keys in CSV data files", () => {
  it("are form-encoded as S3 does (space as +, + as %2B, / kept) and every hostile key comes back", () => {
    expect(encodeKey("dir/a b+c%d~é")).toBe("dir/a+b%2Bc%25d%7E%C3%A9");
    for (const key of UNICODE_DEMO_KEYS) expect(decodeKey(encodeKey(key))).toBe(key);
  });

  it("a row of a fileSchema maps by column name, whatever the order", () => {
    const map = mapColumns(fileSchemaColumns("Size, Bucket, Key, LastModifiedDate, ETag, StorageClass"));
    const line = csvLine({ Bucket: "b", Key: "a b", Size: 3, LastModifiedDate: Date.UTC(2024, 0, 2, 3, 4, 5), ETag: "abc", StorageClass: "STANDARD" }, ["Size", "Bucket", "Key", "LastModifiedDate", "ETag", "StorageClass"]);
    expect(line).toBe('"3","b","a+b","2024-01-02T03:04:05.000Z","abc","STANDARD"\n');
    const [record] = records([line]);
    expect(rowFromCsv(record ?? [], map, () => "row 1")).toEqual({
      bucket: "b",
      key: "a b",
      versionId: null,
      isLatest: null,
      isDeleteMarker: null,
      size: 3,
      lastModified: "2024-01-02T03:04:05.000Z",
      etag: "abc",
      storageClass: "STANDARD",
    });
    expect(() => rowFromCsv(["b", "k"], map, () => "row 7 of f")).toThrow("row 7 of f has 2 values, but the fileSchema names 6 columns");
    expect(() => rowFromCsv(["x", "b", "k", "", "", ""], map, () => "row 2")).toThrow('row 2: Size "x" is not a byte count');
    expect(() => mapColumns(["Bucket", "Size"])).toThrow(/no Key column/);
  });
});

describe("schemas and layout", () => {
  it("reads column names from CSV, Parquet and ORC fileSchemas", () => {
    expect(fileSchemaColumns("Bucket, Key, Size")).toEqual(["Bucket", "Key", "Size"]);
    expect(fileSchemaColumns(parquetFileSchema(["Bucket", "Key", "Size", "LastModifiedDate", "IsLatest"]))).toEqual(["bucket", "key", "size", "last_modified_date", "is_latest"]);
    expect(parquetFileSchema(["Bucket", "Key", "Size", "LastModifiedDate"])).toBe(
      "message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); optional int64 size; optional int64 last_modified_date (TIMESTAMP_MILLIS); }",
    );
    expect(fileSchemaColumns("struct<bucket:string,key:string,size:bigint>")).toEqual(["bucket", "key", "size"]);
  });

  it("lays a report out as S3 does", () => {
    const at = Date.UTC(2016, 10, 6, 21, 32, 59);
    expect([reportTimestamp(at), hiveDate(at)]).toEqual(["2016-11-06T21-32Z", "2016-11-06-21-32"]);
    expect(reportLayout("inv/", "src", "cfg", at)).toEqual({
      manifestKey: "inv/src/cfg/2016-11-06T21-32Z/manifest.json",
      checksumKey: "inv/src/cfg/2016-11-06T21-32Z/manifest.checksum",
      symlinkKey: "inv/src/cfg/hive/dt=2016-11-06-21-32/symlink.txt",
      dataPrefix: "inv/src/cfg/data/",
    });
    expect(reportLayout("", "src", "cfg", at).manifestKey).toBe("src/cfg/2016-11-06T21-32Z/manifest.json");
    expect(parseManifestKey("a/b/src/cfg/2016-11-06T21-32Z/manifest.json")).toEqual({ prefix: "a/b", sourceBucket: "src", configId: "cfg", timestamp: "2016-11-06T21-32Z" });
  });

  it("parses AWS's own example manifest and refuses one that is not", () => {
    // From the S3 user guide, "Locating your inventory list".
    const example = Buffer.from(
      JSON.stringify({
        sourceBucket: "example-source-bucket",
        destinationBucket: "arn:aws:s3:::example-inventory-destination-bucket",
        version: "2016-11-30",
        creationTimestamp: "1514944800000",
        fileFormat: "CSV",
        fileSchema: "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass",
        files: [{ key: "Inventory/example-source-bucket/2016-11-06T21-32Z/files/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz", size: 2147483647, MD5checksum: "f11166069f1990abeb9c97ace9cdfabc" }],
      }),
    );
    expect(parseManifest(example, null)).toMatchObject({ destinationBucket: "example-inventory-destination-bucket", createdAt: 1514944800000, files: [{ size: 2147483647, md5: "f11166069f1990abeb9c97ace9cdfabc" }] });
    expect(() => parseManifest(example, "00000000000000000000000000000000")).toThrow(/does not match manifest.checksum/);
    expect(() => parseManifest(Buffer.from('{"sourceBucket":"x"}'), null)).toThrow(/not an S3 Inventory manifest/);
  });
});
