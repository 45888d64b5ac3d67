// S3 error codes and statuses as S3 returns them; the protocol layer renders these as
// <Error><Code/><Message/><RequestId/>…</Error> XML.
export const s3ErrorStatus = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidLocationConstraint: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
} as const satisfies Record<string, number>;

export type S3ErrorCode = keyof typeof s3ErrorStatus;

export class S3Error extends Error {
  readonly code: S3ErrorCode;
  /** Extra elements rendered inside <Error>, e.g. BucketName, Key, ArgumentName. */
  readonly details: Readonly<Record<string, string>>;
  /** Extra response headers, e.g. x-amz-delete-marker on a 405 for a delete marker. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: S3ErrorCode, message: string, details: Record<string, string> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.name = "S3Error";
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return s3ErrorStatus[this.code];
  }
}
