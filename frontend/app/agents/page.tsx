import { AgentsTable } from "@/ui/agents/agents-table";

export default function AgentsPage() {
  return <AgentsTable />;
}
