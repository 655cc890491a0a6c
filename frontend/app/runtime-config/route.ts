import { readRuntimeConfig } from "@/lib/runtime-config";

// Read at request time from the server's environment, never at build time.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(readRuntimeConfig(process.env), { headers: { "Cache-Control": "no-store" } });
}
