import { AlertsList } from "@/ui/alerts/alerts-list";

export default function AlertsPage() {
  return <AlertsList />;
}
