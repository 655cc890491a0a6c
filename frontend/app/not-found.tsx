import Link from "next/link";

export default function NotFound() {
  return (
    <section className="page-status">
      <h1>Page not found</h1>
      <Link href="/">Back to the calls</Link>
    </section>
  );
}
