import { QueuesBoard } from "@/ui/queues/queues-board";

export default function QueuesPage() {
  return <QueuesBoard />;
}
