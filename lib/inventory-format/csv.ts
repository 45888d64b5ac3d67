import { fieldNamed, type FieldName, type FieldSpec, type InventoryRow } from "./fields";

// CSV data files: gzip-compressed, no header row (the manifest's fileSchema names the columns),
// every value in double quotes, the key URL-encoded the way S3 encodes keys for encoding-type=url:
// as a form, a space is "+" and a "+" is "%2B" (cloud-custodian/cloud-custodian#1997 reads them
// with unquote_plus), while "/" stays as it is.

/** S3's form encoding of a key: what CSV data files hold in the Key column. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, "/")
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** The key a CSV data file's Key column holds, decoded as a form ("+" is a space). */
export function decodeKey(encoded: string): string {
  if (!encoded.includes("%") && !encoded.includes("+")) return encoded;
  return decodeURIComponent(encoded.replace(/\+/g, "%20"));
}

function csvValue(spec: FieldSpec, value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '""';
  let text: string;
  if (spec.type === "timestamp") text = new Date(value as string | number).toISOString();
  else if (spec.name === "Key") text = encodeKey(String(value));
  else text = String(value);
  return text.includes('"') ? `"${text.replace(/"/g, '""')}"` : `"${text}"`;
}

/** One CSV line (with its "\n") of a data file whose fileSchema is `fields`. */
export function csvLine(row: InventoryRow, fields: readonly FieldName[]): string {
  let line = "";
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i] as FieldName;
    line += (i === 0 ? "" : ",") + csvValue(fieldNamed(name) as FieldSpec, row[name]);
  }
  return `${line}\n`;
}

/**
 * RFC 4180 records from text that arrives in chunks: quoted fields may hold commas, quotes ("")
 * and line breaks; records end at LF or CRLF; empty lines (S3 ends files with extra newlines) are
 * skipped. Only the unfinished tail of a chunk is kept between calls.
 */
export class CsvRecords {
  private rest = "";

  /** The records completed by this chunk. */
  push(chunk: string): string[][] {
    const text = this.rest === "" ? chunk : this.rest + chunk;
    const out: string[][] = [];
    const consumed = parseRecords(text, false, out);
    this.rest = text.slice(consumed);
    return out;
  }

  /** The last record, when the text does not end with a line break. */
  end(): string[][] {
    const out: string[][] = [];
    if (this.rest !== "") {
      const consumed = parseRecords(this.rest, true, out);
      if (consumed < this.rest.length) throw new Error("the data file ends inside a quoted value");
    }
    this.rest = "";
    return out;
  }
}

/** Parses whole records from `text` into `out`; returns how many characters they used. */
function parseRecords(text: string, final: boolean, out: string[][]): number {
  const n = text.length;
  let start = 0;
  outer: while (start < n) {
    const c0 = text.charCodeAt(start);
    if (c0 === 10 || c0 === 13) {
      // An empty line, or the LF of a CRLF split from its CR.
      if (c0 === 13 && start + 1 >= n && !final) break;
      start += c0 === 13 && text.charCodeAt(start + 1) === 10 ? 2 : 1;
      continue;
    }
    const record: string[] = [];
    let i = start;
    for (;;) {
      let value!: string;
      if (text.charCodeAt(i) === 34) {
        let j = i + 1;
        let escaped = false;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q === -1) break outer;
          if (text.charCodeAt(q + 1) === 34) {
            escaped = true;
            j = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) break outer;
          value = text.slice(i + 1, q);
          if (escaped) value = value.replace(/""/g, '"');
          i = q + 1;
          break;
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j++;
        }
        if (j >= n && !final) break outer;
        value = text.slice(i, j);
        i = j;
      }
      record.push(value);
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (i >= n) {
        if (!final) break outer;
        out.push(record);
        return n;
      }
      if (c === 13) {
        if (i + 1 >= n && !final) break outer;
        i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
      } else if (c === 10) {
        i++;
      } else {
        throw new Error(`a quoted value is followed by ${JSON.stringify(text[i])} instead of a comma or a line break`);
      }
      out.push(record);
      start = i;
      continue outer;
    }
  }
  return start;
}
