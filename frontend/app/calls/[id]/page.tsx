import { CallDetailView } from "@/ui/call-detail/call-detail-view";

export default async function CallPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CallDetailView callId={decodeURIComponent(id)} />;
}
