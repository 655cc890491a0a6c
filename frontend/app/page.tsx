import { Suspense } from "react";
import { LiveCalls } from "@/ui/calls/live-calls";

export default function CallsPage() {
  return (
    <Suspense fallback={<p className="page-status">Loading calls…</p>}>
      <LiveCalls />
    </Suspense>
  );
}
