import "server-only";

export { AppError, errorResponse, errorStatus, errorBody, type ErrorCode } from "./errors";
export { ndjsonResponse, ndjsonLine, ndjsonChunks } from "./ndjson";
export { parse, readJson, searchParamsObject } from "./validate";
export { handle } from "./handle";
