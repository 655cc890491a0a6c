import Link from "next/link";

export default function CallNotFound() {
  return (
    <section className="page-status">
      <h1>No such call</h1>
      <p>The call service knows no call with this id (yet).</p>
      <Link href="/">Back to the calls</Link>
    </section>
  );
}
