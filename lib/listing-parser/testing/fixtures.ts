// Listing bodies as S3 and S3-compatible servers write them, for the differential test: each is
// read by the SDK's parser and by ours from the same bytes. They follow each server's documented or
// observed output: element order, namespaces, quoting, whitespace, missing and extra elements.

export interface Fixture {
  name: string;
  operation: "ListObjectsV2" | "ListObjectVersions";
  body: string;
  /** Expected: the fast parser takes it ("bucketscope") or hands it to the SDK ("sdk"). */
  parser: "bucketscope" | "sdk";
  /** For ListObjectVersions: the <Version>/<DeleteMarker> order, "v"/"d". */
  order?: string;
}

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const DECL = '<?xml version="1.0" encoding="UTF-8"?>';

/** AWS S3 with every optional element: FetchOwner, checksums, restore status, prefixes, echoes, url encoding. */
const awsEveryElement = `${DECL}
<ListBucketResult ${XMLNS}><Name>example-bucket</Name><Prefix>photos%2F2024%2F</Prefix><ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken><NextContinuationToken>1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==</NextContinuationToken><StartAfter>photos%2F2024%2F01%2Fa.jpg</StartAfter><KeyCount>5</KeyCount><MaxKeys>5</MaxKeys><Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Contents><Key>photos%2F2024%2F01%2Fb+c%2B%25%23%3F%3C%26%3E%22%27%F0%9F%98%80%0D%0A%09.jpg</Key><LastModified>2024-01-31T23:59:59.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>0</Size><Owner><DisplayName>owner-name</DisplayName><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>photos%2F2024%2F01%2Fglacier.tif</Key><LastModified>2024-01-15T08:00:00.000Z</LastModified><ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumAlgorithm>SHA256</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType><Size>9663676416</Size><Owner><DisplayName>owner-name</DisplayName><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner><StorageClass>GLACIER</StorageClass><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>2024-02-10T00:00:00.000Z</RestoreExpiryDate></RestoreStatus></Contents><Contents><Key>photos%2F2024%2F01%2Frestoring.tif</Key><LastModified>2024-01-16T08:00:00.000Z</LastModified><ETag>&quot;aa&quot;</ETag><Size>12</Size><StorageClass>DEEP_ARCHIVE</StorageClass><RestoreStatus><IsRestoreInProgress>true</IsRestoreInProgress></RestoreStatus></Contents><CommonPrefixes><Prefix>photos%2F2024%2F01%2Fraw%2F</Prefix></CommonPrefixes><CommonPrefixes><Prefix>photos%2F2024%2F01%2F%E6%97%A5%E6%9C%AC%2F</Prefix></CommonPrefixes></ListBucketResult>`;

/** AWS S3 without encoding-type: hostile keys escaped as XML, control characters as numeric references. */
const awsHostileRaw = `${DECL}
<ListBucketResult ${XMLNS}><Name>unicode</Name><Prefix></Prefix><KeyCount>9</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>&lt;&amp;&gt;.xml</Key><LastModified>2024-02-29T00:00:00.000Z</LastModified><ETag>&quot;1&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>quotes&apos;single&quot;double.txt</Key><LastModified>2024-02-29T01:00:00.000Z</LastModified><ETag>&quot;2&quot;</ETag><Size>2</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>carriage&#xD;return.txt</Key><LastModified>2024-02-29T02:00:00.000Z</LastModified><ETag>&quot;3&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>line&#10;break&#13;&#x0A;both.txt</Key><LastModified>2024-02-29T03:00:00.000Z</LastModified><ETag>&quot;4&quot;</ETag><Size>4</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>tab	here&#9;and&#x1;ctrl.txt</Key><LastModified>2024-02-29T04:00:00.000Z</LastModified><ETag>&quot;5&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>emoji-\u{1F600}-caf\u00E9-cafe\u0301-\uFF21.txt</Key><LastModified>2024-02-29T05:00:00.000Z</LastModified><ETag>&quot;6&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>with space+plus%percent#hash?q=1&amp;r</Key><LastModified>2024-02-29T06:00:00.000Z</LastModified><ETag>&quot;7&quot;</ETag><Size>7</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>&#xE9;&#233;&#x20AC;&#8364;&#xfffd;&amp;amp;&#0;</Key><LastModified>2024-02-29T07:00:00.000Z</LastModified><ETag>&quot;8&quot;</ETag><Size>8</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>${"k".repeat(1000)}-&#x1F;${"x".repeat(19)}</Key><LastModified>2024-02-29T08:00:00.000Z</LastModified><ETag>&quot;9&quot;</ETag><Size>9</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>`;

/** MinIO (Go encoding/xml): &#34; quotes, empty elements written open/close, Owner before StorageClass. */
const minio = `${DECL}
<ListBucketResult ${XMLNS}><Name>minio-bucket</Name><Prefix></Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter></Delimiter><IsTruncated>false</IsTruncated><Contents><Key>a&#39;b&#34;c&#x9;d&#xA;e&#xD;f</Key><LastModified>2024-05-01T12:00:00.123Z</LastModified><ETag>&#34;d41d8cd98f00b204e9800998ecf8427e&#34;</ETag><Size>0</Size><Owner><ID>02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4</ID><DisplayName>minio</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>dir/obj.bin</Key><LastModified>2024-05-01T12:00:01.999Z</LastModified><ETag>&#34;5d41402abc4b2a76b9719d911017c592-2&#34;</ETag><Size>10485760</Size><Owner><ID>02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4</ID><DisplayName>minio</DisplayName></Owner><StorageClass>REDUCED_REDUNDANCY</StorageClass></Contents><Contents><Key>dir/zero</Key><LastModified>2024-05-01T12:00:02Z</LastModified><ETag>&#34;&#34;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents><ContinuationToken></ContinuationToken><NextContinuationToken></NextContinuationToken><StartAfter></StartAfter></ListBucketResult>`;

/** Ceph RGW: an extra <Type> per object (not in the SDK's model), Owner after StorageClass, <Marker>. */
const cephRgw = `${DECL}<ListBucketResult ${XMLNS}><Name>ceph-bucket</Name><Prefix>logs/</Prefix><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><Marker></Marker><KeyCount>2</KeyCount><NextContinuationToken>MXxsb2dzLzIwMjQtMDEtMDIubG9n</NextContinuationToken><Contents><Key>logs/2024-01-01.log</Key><LastModified>2024-01-01T23:59:59.456Z</LastModified><ETag>&quot;098f6bcd4621d373cade4e832627b4f6&quot;</ETag><Size>4</Size><StorageClass>STANDARD</StorageClass><Owner><ID>tester</ID><DisplayName>Test User</DisplayName></Owner><Type>Normal</Type></Contents><Contents><Key>logs/2024-01-02.log</Key><LastModified>2024-01-02T23:59:59.456Z</LastModified><ETag>&quot;ad0234829205b9033196ba818f7a872b&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass><Owner><ID>tester</ID><DisplayName>Test User</DisplayName></Owner><Type>Appendable</Type></Contents></ListBucketResult>`;

/** Cloudflare R2: different element order, raw quotes in ETag, no Owner, no declaration. */
const r2 = `<ListBucketResult ${XMLNS}><Name>r2-bucket</Name><Contents><Key>assets/app.js</Key><Size>2048</Size><LastModified>2024-03-03T03:03:03.333Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>assets/style.css</Key><Size>512</Size><LastModified>2024-03-03T03:03:04.000Z</LastModified><ETag>"2e0c6d3a7b0f5a54c1d3c2c5a3d2e1f0"</ETag><StorageClass>STANDARD</StorageClass></Contents><IsTruncated>false</IsTruncated><Prefix>assets/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType></ListBucketResult>`;

/** GCS XML API (S3 interoperability): single-quoted declaration and namespace, Generation/MetaGeneration, microseconds. */
const gcsInterop = `<?xml version='1.0' encoding='UTF-8'?><ListBucketResult xmlns='http://doc.s3.amazonaws.com/2006-03-01'><Name>gcs-bucket</Name><Prefix/><Marker/><NextContinuationToken>Cg5kYXRhL2ZpbGUyLmNzdg==</NextContinuationToken><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>data/file1.csv</Key><Generation>1714564800123456</Generation><MetaGeneration>1</MetaGeneration><LastModified>2024-05-01T12:00:00.123456Z</LastModified><ETag>"a1b2c3"</ETag><Size>100</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>data/file2.csv</Key><Generation>1714564800999999</Generation><MetaGeneration>3</MetaGeneration><LastModified>2024-05-01T12:00:00.9999Z</LastModified><ETag>"d4e5f6"</ETag><Size>200</Size><StorageClass>NEARLINE</StorageClass></Contents></ListBucketResult>`;

/** Pretty-printed with CRLF line ends and indentation (older gateways, Swift s3api behind some proxies). */
const prettyCrlf = [
  DECL,
  `<ListBucketResult ${XMLNS}>`,
  "  <Name>pretty</Name>",
  "  <Prefix></Prefix>",
  "  <KeyCount>2</KeyCount>",
  "  <MaxKeys>1000</MaxKeys>",
  "  <IsTruncated>false</IsTruncated>",
  "  <Contents>",
  "    <Key>one.txt</Key>",
  "    <LastModified>2024-06-01T00:00:00Z</LastModified>",
  "    <ETag>&quot;x&quot;</ETag>",
  "    <Size>1</Size>",
  "    <StorageClass>STANDARD</StorageClass>",
  "  </Contents>",
  "\t<Contents>",
  "\t\t<Key>two&#13;\r\n.txt</Key>",
  "\t\t<LastModified>2024-06-01T00:00:00.5Z</LastModified>",
  "\t\t<ETag>&quot;y&quot;</ETag>",
  "\t\t<Size>2</Size>",
  "\t</Contents>",
  "  <CommonPrefixes>",
  "    <Prefix>sub/</Prefix>",
  "  </CommonPrefixes>",
  "</ListBucketResult>",
  "",
].join("\r\n");

/** What the SDK reads in ways worth pinning: CDATA, empty and whitespace-only texts, self-closing members, odd values. */
const sdkCorners = `${DECL}<ListBucketResult ${XMLNS}><Name><![CDATA[cdata-<name>&]]></Name><Prefix/><Delimiter>
</Delimiter><MaxKeys> 007 </MaxKeys><KeyCount></KeyCount><IsTruncated>TRUE</IsTruncated><StartAfter> </StartAfter><Contents><Key>a<![CDATA[ <b>&amp; ]]>c&amp;d<![CDATA[]]></Key><LastModified>0099-12-31T23:59:60.0005Z</LastModified><ETag/><Size>1e3</Size><StorageClass>  </StorageClass><Owner/></Contents><Contents><Key>&#10;</Key><LastModified>2024-02-29T12:00:00.000000001Z</LastModified><Size>-0</Size><Owner></Owner><RestoreStatus><IsRestoreInProgress>False</IsRestoreInProgress></RestoreStatus></Contents><Contents/><Contents>
</Contents><Contents><Key>x</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><Size>0x10</Size><ChecksumAlgorithm/><unknown-leaf>ignored &amp; skipped</unknown-leaf><s3:Key>prefixed: not the SDK's Key</s3:Key><Empty/></Contents><CommonPrefixes/></ListBucketResult>
`;

/** No Contents, no optional elements: an empty listing. */
const awsEmpty = `${DECL}\n<ListBucketResult ${XMLNS}><Name>empty</Name><Prefix>nothing/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;

/** ListObjectVersions from AWS: versions and delete markers interleaved within keys, url encoding, owners. */
const awsVersions = `${DECL}
<ListVersionsResult ${XMLNS}><Name>versioned</Name><Prefix></Prefix><KeyMarker>a.txt</KeyMarker><VersionIdMarker>3HL4kqCxf3vjVBH40Nrjfkd</VersionIdMarker><NextKeyMarker>c%2Fd+e%2Bf.txt</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker><MaxKeys>6</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Version><Key>a.txt</Key><VersionId>QUpfdndhfd8438MNFDN93jdnJFkdmqnh893</VersionId><IsLatest>false</IsLatest><LastModified>2024-01-01T01:00:00.000Z</LastModified><ETag>&quot;a1&quot;</ETag><Size>2</Size><Owner><DisplayName>me</DisplayName><ID>abc</ID></Owner><StorageClass>STANDARD</StorageClass></Version><DeleteMarker><Key>b.txt</Key><VersionId>DelMark1</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-01T04:00:00.000Z</LastModified><Owner><DisplayName>me</DisplayName><ID>abc</ID></Owner></DeleteMarker><Version><Key>b.txt</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest><LastModified>2024-01-01T04:00:00.000Z</LastModified><ETag>&quot;b2&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>3</Size><StorageClass>STANDARD</StorageClass></Version><DeleteMarker><Key>b.txt</Key><VersionId>DelMark0</VersionId><IsLatest>false</IsLatest><LastModified>2024-01-01T02:30:00.000Z</LastModified></DeleteMarker><Version><Key>b.txt</Key><VersionId>null</VersionId><IsLatest>false</IsLatest><LastModified>2023-12-31T00:00:00.000Z</LastModified><ETag>&quot;b0&quot;</ETag><Size>1</Size><StorageClass>GLACIER</StorageClass><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>2024-03-01T00:00:00.000Z</RestoreExpiryDate></RestoreStatus></Version><Version><Key>c%2Fd+e%2Bf.txt</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-01T02:15:00.000Z</LastModified><ETag>&quot;c1&quot;</ETag><Size>7</Size><StorageClass>STANDARD</StorageClass></Version><CommonPrefixes><Prefix>dir%2F</Prefix></CommonPrefixes></ListVersionsResult>`;

/** MinIO's ListObjectVersions: Go escaping, a delete marker first. */
const minioVersions = `${DECL}
<ListVersionsResult ${XMLNS}><Name>minio-versioned</Name><Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><Delimiter></Delimiter><IsTruncated>false</IsTruncated><DeleteMarker><Key>gone&#39;.txt</Key><LastModified>2024-05-02T00:00:00.000Z</LastModified><Owner><ID>02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4</ID><DisplayName>minio</DisplayName></Owner><VersionId>5b2f9e5c-6b1b-4f5a-9d7e-1c1c1c1c1c1c</VersionId><IsLatest>true</IsLatest></DeleteMarker><Version><Key>gone&#39;.txt</Key><LastModified>2024-05-01T00:00:00.000Z</LastModified><ETag>&#34;e1&#34;</ETag><Size>1</Size><Owner><ID>02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4</ID><DisplayName>minio</DisplayName></Owner><StorageClass>STANDARD</StorageClass><VersionId>0c7e1d2a-0000-4000-8000-000000000001</VersionId><IsLatest>false</IsLatest></Version></ListVersionsResult>`;

/** Ceph RGW's ListObjectVersions, pretty-printed with LF only. */
const cephVersions = `${DECL}
<ListVersionsResult ${XMLNS}>
  <Name>ceph-versioned</Name>
  <Prefix/>
  <KeyMarker/>
  <VersionIdMarker/>
  <MaxKeys>1000</MaxKeys>
  <IsTruncated>false</IsTruncated>
  <Version>
    <Key>k</Key>
    <VersionId>2</VersionId>
    <IsLatest>true</IsLatest>
    <LastModified>2024-07-07T07:07:07.777Z</LastModified>
    <ETag>"ee"</ETag>
    <Size>3</Size>
    <StorageClass>STANDARD</StorageClass>
    <Owner>
      <ID>tester</ID>
      <DisplayName>Test User</DisplayName>
    </Owner>
    <Type>Normal</Type>
  </Version>
  <DeleteMarker>
    <Key>k</Key>
    <VersionId>1</VersionId>
    <IsLatest>false</IsLatest>
    <LastModified>2024-07-07T07:07:07.777Z</LastModified>
  </DeleteMarker>
  <Version>
    <Key>k</Key>
    <VersionId>0</VersionId>
    <IsLatest>false</IsLatest>
    <LastModified>2024-07-07T07:07:07.000Z</LastModified>
    <ETag>"dd"</ETag>
    <Size>2</Size>
    <StorageClass>STANDARD</StorageClass>
  </Version>
</ListVersionsResult>
`;

// Bodies the fast parser refuses: the SDK reads them (or fails on them) itself.
const simple = (inner: string, head = `${DECL}<ListBucketResult ${XMLNS}>`) =>
  `${head}<Name>b</Name><IsTruncated>false</IsTruncated>${inner}</ListBucketResult>`;
const entry = (key: string) => `<Contents><Key>${key}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;e&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>`;

const refused: Fixture[] = [
  ["a comment between elements", simple(`<!-- written by a proxy -->${entry("a")}`)],
  ["a comment inside a key", simple(entry("a<!-- x -->b"))],
  ["a DOCTYPE", simple(entry("a"), `${DECL}<!DOCTYPE ListBucketResult><ListBucketResult ${XMLNS}>`)],
  ["a processing instruction inside", simple(`<?proxy note?>${entry("a")}`)],
  ["an attribute on a member", simple(`<Contents><Key type="text">a</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><Size>1</Size></Contents>`)],
  ["an attribute on the root other than xmlns", simple(entry("a"), `${DECL}<ListBucketResult ${XMLNS} xml:lang="en">`)],
  ["an entity the XML has not declared", simple(entry("a&nbsp;b&copy;"))],
  ["an astral numeric reference (the SDK cuts it to 16 bits)", simple(entry("emoji-&#x1F600;-&#128512;"))],
  ["a member repeated", `${DECL}<ListBucketResult ${XMLNS}><Name>b</Name><Name>c</Name><IsTruncated>false</IsTruncated></ListBucketResult>`],
  ["spaces but no line feed between elements", simple(` ${entry("a")} `)],
  ["text inside a struct", simple(`<Contents>stray<Key>a</Key></Contents>`)],
  ["an unknown element with children", simple(`<Contents><Key>a</Key><Meta><Color>red</Color></Meta></Contents>`)],
  ["a timestamp with an offset", simple(`<Contents><Key>a</Key><LastModified>2024-01-01T02:00:00+02:00</LastModified></Contents>`)],
  ["a lower-case timestamp", simple(`<Contents><Key>a</Key><LastModified>2024-01-01t00:00:00z</LastModified></Contents>`)],
  ["an <Error> after the result (a 200 that failed, which the SDK turns into an error)", `${simple(entry("a"))}<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>`],
  ["an <Error> document with status 200", `${DECL}<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>r</RequestId></Error>`],
  ["a byte-order mark", `\uFEFF${simple(entry("a"))}`],
  ["a truncated body", simple(entry("a")).slice(0, -40)],
  ["mismatched tags", simple(`<Contents><Key>a</Key><Size>1</Sizes></Contents>`)],
  ["an empty body", ""],
  ["a closing tag with a space", simple(`<Contents><Key>a</Key ></Contents>`)],
  ["a month out of range", simple(`<Contents><Key>a</Key><LastModified>2024-13-01T00:00:00Z</LastModified></Contents>`)],
  ["another root", `${DECL}<ListAllMyBucketsResult ${XMLNS}><Buckets/></ListAllMyBucketsResult>`],
].map(([name, body]) => ({ name: `refused: ${name}`, operation: "ListObjectsV2", body, parser: "sdk" }) as Fixture);

const refusedVersions: Fixture = {
  name: "refused versions: a comment, so the order comes from scanning the body",
  operation: "ListObjectVersions",
  body: awsVersions.replace("<Version>", "<!-- c --><Version>"),
  parser: "sdk",
  order: "vdvdvv",
};

export const FIXTURES: readonly Fixture[] = [
  { name: "AWS S3, every optional element, url encoding", operation: "ListObjectsV2", body: awsEveryElement, parser: "bucketscope" },
  { name: "AWS S3, hostile keys without encoding-type", operation: "ListObjectsV2", body: awsHostileRaw, parser: "bucketscope" },
  { name: "AWS S3, empty listing", operation: "ListObjectsV2", body: awsEmpty, parser: "bucketscope" },
  { name: "MinIO", operation: "ListObjectsV2", body: minio, parser: "bucketscope" },
  { name: "Ceph RGW", operation: "ListObjectsV2", body: cephRgw, parser: "bucketscope" },
  { name: "Cloudflare R2", operation: "ListObjectsV2", body: r2, parser: "bucketscope" },
  { name: "GCS XML API", operation: "ListObjectsV2", body: gcsInterop, parser: "bucketscope" },
  { name: "pretty-printed with CRLF", operation: "ListObjectsV2", body: prettyCrlf, parser: "bucketscope" },
  { name: "SDK corner cases: CDATA, empty and whitespace texts, odd numbers and dates", operation: "ListObjectsV2", body: sdkCorners, parser: "bucketscope" },
  { name: "AWS S3 ListObjectVersions", operation: "ListObjectVersions", body: awsVersions, parser: "bucketscope", order: "vdvdvv" },
  { name: "MinIO ListObjectVersions", operation: "ListObjectVersions", body: minioVersions, parser: "bucketscope", order: "dv" },
  { name: "Ceph RGW ListObjectVersions, pretty-printed", operation: "ListObjectVersions", body: cephVersions, parser: "bucketscope", order: "vdv" },
  ...refused,
  refusedVersions,
];
