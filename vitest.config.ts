import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const alias = { "@": root, "server-only": fileURLToPath(new URL("./scripts/testing/server-only-stub.ts", import.meta.url)) };
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NEXT_TELEMETRY_DISABLED: "1" };

// unit: in-process, real sandbox over real HTTP, real SQLite files; integration: the built app and
// awscli; browser: Chromium against the built app.
export default defineConfig({
  test: {
    reporters: ["default", "./scripts/testing/summary-reporter.ts"],
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "components/**/*.test.{ts,tsx}", "scripts/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/*.browser.test.ts", "node_modules/**"],
          env,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["node_modules/**", ".next/**"],
          env,
          globalSetup: ["scripts/testing/build-app.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "browser",
          include: ["**/*.browser.test.ts"],
          exclude: ["node_modules/**", ".next/**"],
          env,
          // A poll waits for a condition; its budget must hold on a loaded 2-core machine (the 1 s
          // default ran out while a page hydrated or a pass listed its three pages).
          expect: { poll: { timeout: 30_000, interval: 100 } },
          globalSetup: ["scripts/testing/build-app.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
