import { createHash } from "node:crypto";
import fs from "node:fs/promises";

/** A data file being written to disk, with the size and MD5 (hex) a manifest lists for it. */
export class FileSink {
  private readonly md5 = createHash("md5");
  private size = 0;

  private constructor(
    readonly path: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async create(path: string): Promise<FileSink> {
    return new FileSink(path, await fs.open(path, "w"));
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.md5.update(bytes);
    this.size += bytes.length;
    let written = 0;
    while (written < bytes.length) written += (await this.handle.write(bytes, written)).bytesWritten;
  }

  async close(): Promise<{ size: number; md5: string }> {
    await this.handle.close();
    return { size: this.size, md5: this.md5.digest("hex") };
  }

  /** Closes without a result (a failed write): the caller removes the file. */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
