import { DeadLettersPanel } from "@/ui/ops/dead-letters";
import { OutboxPanel } from "@/ui/ops/outbox-panel";

export default function OpsPage() {
  return (
    <section aria-labelledby="ops-title" className="ops-page">
      <h1 id="ops-title">Operations</h1>
      <OutboxPanel />
      <DeadLettersPanel />
    </section>
  );
}
