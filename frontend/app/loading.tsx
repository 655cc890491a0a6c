export default function Loading() {
  return <p className="page-status">Loading…</p>;
}
