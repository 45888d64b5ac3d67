import { z } from "zod";

// Every wire module takes `z` from here, so this runs before any schema is built. Zod compiles object
// parsers with `new Function` unless `jitless`, and probes for it when a schema is built: in the
// browser our Content-Security-Policy has no 'unsafe-eval', and the probe alone reports a violation
// (caught, but logged). The server has no CSP and keeps the compiled parsers.
if (typeof window !== "undefined") z.config({ jitless: true });

export { z };
