import { describe, expect, it } from "vitest";
import { connectSources, contentSecurityPolicy, newNonce } from "@/middleware";
import { readRuntimeConfig } from "@/lib/runtime-config";

const directives = (policy: string) =>
  Object.fromEntries(
    policy.split(";").map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values];
    }),
  );

describe("content security policy", () => {
  it("lets the browser reach the services it was started with, socket.io's WebSocket included", () => {
    const config = readRuntimeConfig({
      CALL_SERVICE_URL: "https://calls.example.test/api-root/",
      REALTIME_URL: "https://live.example.test:8443",
    });
    expect(connectSources(config)).toEqual([
      "https://calls.example.test",
      "https://live.example.test:8443",
      "wss://live.example.test:8443",
    ]);
    expect(connectSources(readRuntimeConfig({}))).toEqual([
      "http://127.0.0.1:8000",
      "http://127.0.0.1:8001",
      "ws://127.0.0.1:8001",
    ]);
  });

  it("adds nothing for a service on the dashboard's own origin or a URL that is not http(s)", () => {
    expect(connectSources({ callServiceUrl: "/call-service", realtimeUrl: "javascript:alert(1)" })).toEqual([]);
  });

  it("forbids framing, plugins and foreign or inline scripts without the nonce", () => {
    const parsed = directives(contentSecurityPolicy(readRuntimeConfig({}), "abc123=="));
    expect(parsed["frame-ancestors"]).toEqual(["'none'"]);
    expect(parsed["default-src"]).toEqual(["'self'"]);
    expect(parsed["object-src"]).toEqual(["'none'"]);
    expect(parsed["base-uri"]).toEqual(["'none'"]);
    expect(parsed["script-src"]).toEqual(["'self'", "'nonce-abc123=='"]);
    expect(parsed["connect-src"]).toEqual([
      "'self'",
      "http://127.0.0.1:8000",
      "http://127.0.0.1:8001",
      "ws://127.0.0.1:8001",
    ]);
  });

  it("allows eval only for the development server", () => {
    const dev = directives(contentSecurityPolicy(readRuntimeConfig({}), "n", { dev: true }));
    expect(dev["script-src"]).toContain("'unsafe-eval'");
  });

  it("draws a new nonce each time", () => {
    const nonces = new Set(Array.from({ length: 20 }, newNonce));
    expect(nonces.size).toBe(20);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
