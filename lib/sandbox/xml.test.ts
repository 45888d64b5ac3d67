import { parseXML } from "@aws-sdk/xml-builder";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { S3Error } from "./errors";
import { escapeXml, isoSeconds, s3UrlEncode } from "./xml";
import { parseCompleteMultipartUpload, parseCreateBucketConfiguration, parseDeleteRequest, parseVersioningConfiguration } from "./xml-requests";

const HOSTILE = ["a&b<c>d\"e'f", "ctrl\u0001\u001f", "cr\rlf\ncrlf\r\n", "tab\there", " lead and trail ", "é😀\uFFFD", "]]>", "&amp;"];

function document(value: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<R><Key>${escapeXml(value)}</Key></R>`;
}

/** The AWS SDK v3's own response parser (@aws-sdk/xml-builder, used by @aws-sdk/core). */
function sdkRoundTrip(value: string): unknown {
  return (parseXML(document(value)) as { R: { Key: unknown } }).R.Key;
}

/** How botocore reads encoding-type=url values: form decoding, "+" is a space. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err.code;
    throw err;
  }
  return "no error";
}

describe("response text", () => {
  it("escapes markup and control characters so keys survive an XML parser byte for byte", () => {
    for (const key of HOSTILE) expect(sdkRoundTrip(key), JSON.stringify(key)).toBe(key);
    // Other parsers at least get a well-formed document (CR and controls as character references).
    for (const key of HOSTILE) expect(XMLValidator.validate(document(key)), JSON.stringify(key)).toBe(true);
    expect(escapeXml("plain/key.txt")).toBe("plain/key.txt");
    expect(escapeXml("a\u0001\rb")).toBe("a&#x1;&#xD;b");
  });

  it("url-encodes in S3's form style: space as +, / and * kept, ~ encoded", () => {
    expect(s3UrlEncode("dir/a b+c~*.txt")).toBe("dir/a+b%2Bc%7E*.txt");
    expect(s3UrlEncode("é\r\n%")).toBe("%C3%A9%0D%0A%25");
    for (const key of HOSTILE) expect(formDecode(s3UrlEncode(key))).toBe(key);
  });

  it("renders listing times at whole seconds", () => {
    expect(isoSeconds(new Date("2026-11-26T05:00:17.987Z"))).toBe("2026-11-26T05:00:17.000Z");
  });
});

describe("request bodies", () => {
  const sdkDelete =
    '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a.txt</Key></Object><Object><Key>dir/b c+d.txt</Key></Object><Quiet>false</Quiet></Delete>';

  it("parses DeleteObjects bodies from the SDK (with declaration) and awscli (without)", () => {
    const fromSdk = parseDeleteRequest(Buffer.from(sdkDelete));
    expect(fromSdk).toEqual({ objects: [{ key: "a.txt", versionId: undefined }, { key: "dir/b c+d.txt", versionId: undefined }], quiet: false });
    const fromCli = parseDeleteRequest(Buffer.from(sdkDelete.replace('<?xml version="1.0" encoding="UTF-8"?>', "")));
    expect(fromCli).toEqual(fromSdk);
  });

  it("keeps keys exact: spaces, escaped CR/LF (SDK escaping), entities, versions, quiet", () => {
    const body = `<Delete>\r\n  <Object><Key> x&#x0D;&#x0A;y&amp;&lt;&quot; </Key><VersionId>v1</VersionId></Object>\r\n  <Quiet>true</Quiet>\r\n</Delete>`;
    expect(parseDeleteRequest(Buffer.from(body))).toEqual({ objects: [{ key: " x\r\ny&<\" ", versionId: "v1" }], quiet: true });
  });

  it("parses CompleteMultipartUpload with &quot;-escaped (SDK) or raw (awscli) ETag quotes", () => {
    const sdk =
      '<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&quot;79b281060d337b9b2b84ccf390adcf74&quot;</ETag><ChecksumCRC32>r/zBbw==</ChecksumCRC32><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>';
    const cli =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"49b2666e23255fa87ebaecf53f29cfff"</ETag><PartNumber>1</PartNumber></Part><Part><ETag>abc</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>';
    expect(parseCompleteMultipartUpload(Buffer.from(sdk))).toEqual([{ partNumber: 1, etag: '"79b281060d337b9b2b84ccf390adcf74"' }]);
    expect(parseCompleteMultipartUpload(Buffer.from(cli))).toEqual([
      { partNumber: 1, etag: '"49b2666e23255fa87ebaecf53f29cfff"' },
      { partNumber: 2, etag: '"abc"' },
    ]);
  });

  it("parses versioning and bucket configuration bodies", () => {
    const versioning = '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>';
    expect(parseVersioningConfiguration(Buffer.from(versioning))).toBe("Enabled");
    expect(parseCreateBucketConfiguration(Buffer.alloc(0))).toBe("");
    expect(
      parseCreateBucketConfiguration(Buffer.from("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>")),
    ).toBe("eu-west-1");
  });

  it("answers MalformedXML for anything else", () => {
    expect(code(() => parseDeleteRequest(Buffer.from("<Delete><Object><Key>a</Key></Delete>")))).toBe("MalformedXML");
    expect(code(() => parseDeleteRequest(Buffer.from("")))).toBe("MalformedXML");
    expect(code(() => parseDeleteRequest(Buffer.from("<Delete></Delete>")))).toBe("MalformedXML");
    expect(code(() => parseDeleteRequest(Buffer.from("<Delete><Object><Key><b>x</b></Key></Object></Delete>")))).toBe("MalformedXML");
    const tooMany = `<Delete>${"<Object><Key>k</Key></Object>".repeat(1001)}</Delete>`;
    expect(code(() => parseDeleteRequest(Buffer.from(tooMany)))).toBe("MalformedXML");
    expect(code(() => parseCompleteMultipartUpload(Buffer.from("<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>")))).toBe(
      "MalformedXML",
    );
    expect(code(() => parseVersioningConfiguration(Buffer.from("<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")))).toBe(
      "MalformedXML",
    );
  });
});
