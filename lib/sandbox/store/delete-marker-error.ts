import { S3Error } from "../errors";

/**
 * A read that hit a delete marker. Besides the error S3 sends x-amz-delete-marker: true and the
 * marker's x-amz-version-id: NoSuchKey for the latest version, MethodNotAllowed when the marker was
 * named by versionId.
 */
export class DeleteMarkerError extends S3Error {
  readonly deleteMarkerVersionId: string;

  constructor(kind: "latest" | "named", key: string, versionId: string) {
    const headers = { "x-amz-delete-marker": "true", "x-amz-version-id": versionId };
    if (kind === "latest") super("NoSuchKey", "The specified key does not exist.", { Key: key }, headers);
    else {
      super(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        { Method: "GET", ResourceType: "DeleteMarker" },
        headers,
      );
    }
    this.deleteMarkerVersionId = versionId;
  }
}
