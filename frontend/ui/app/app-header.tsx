"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { AlertBadge } from "@/ui/alerts/alert-badge";
import { AlertToast } from "@/ui/alerts/alert-toast";
import { ConnectionIndicator } from "./connection-indicator";
import { useSession } from "./session-context";

const LINKS = [
  { href: "/", label: "Calls" },
  { href: "/alerts", label: "Alerts" },
  { href: "/queues", label: "Queues" },
  { href: "/agents", label: "Agents" },
  { href: "/ops", label: "Operations" },
] as const;

export function AppHeader() {
  const pathname = usePathname();
  const { signOut } = useSession();
  const isCurrent = (href: string) => (href === "/" ? pathname === "/" || pathname.startsWith("/calls") : pathname.startsWith(href));
  return (
    <header className="app-header">
      <span className="brand">Call center</span>
      <nav aria-label="Main">
        <ul>
          {LINKS.map((link) => (
            <li key={link.href}>
              <Link href={link.href} aria-current={isCurrent(link.href) ? "page" : undefined}>
                {link.label}
              </Link>
              {link.href === "/alerts" ? <AlertBadge /> : null}
            </li>
          ))}
        </ul>
      </nav>
      <div className="header-end">
        <ConnectionIndicator />
        <button type="button" className="link-button" onClick={signOut}>
          Sign out
        </button>
      </div>
      <AlertToast />
    </header>
  );
}
