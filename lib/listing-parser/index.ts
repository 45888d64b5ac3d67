import "server-only";

export { listingParser, listingParseOf, versionOrderOf, type ListingParse } from "./middleware";
export { parseListObjectsV2, parseListObjectVersions, rfc3339Utc, PARSER_MODEL, Refusal, type ParsedBody, type ModelMember } from "./parse";
