import type { Metadata } from "next";
import type { ReactNode } from "react";
import { readRuntimeConfig } from "@/lib/runtime-config";
import { SessionProvider } from "@/ui/app/session-provider";
import "./globals.css";

// Rendered per request so CALL_SERVICE_URL / REALTIME_URL are read when the server runs,
// not when it was built.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Call center — live operations",
  description: "Supervisor dashboard of the call lifecycle platform",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  const config = readRuntimeConfig(process.env);
  return (
    <html lang="en">
      <body>
        <SessionProvider config={config}>{children}</SessionProvider>
      </body>
    </html>
  );
}
