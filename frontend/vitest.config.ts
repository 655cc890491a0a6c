import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests of the pure modules in lib/ and of middleware.ts (node environment, no DOM).
// Browser end-to-end tests live in tests/browser/ and are run separately.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    environment: "node",
    include: ["tests/unit/**/*.test.ts"],
    exclude: ["node_modules", ".next", "tests/browser/**"],
  },
});
