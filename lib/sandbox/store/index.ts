import type { SandboxStore } from "../store-types";
import { SqliteSandboxStore } from "./sqlite-store";

export { DeleteMarkerError } from "./delete-marker-error";
export { isValidBucketName } from "./bucket-names";
export { compareUtf8, MAX_KEY_BYTES } from "./keys";
export { DATABASE_FILE, MAX_KEYS_LIMIT, MIN_PART_BYTES, SqliteSandboxStore } from "./sqlite-store";

/** Opens (creating if needed) the store in `<dataDir>/sandbox.db`. */
export function createStore(dataDir: string): SandboxStore {
  return new SqliteSandboxStore(dataDir);
}
