/**
 * The call service's REST API, called from the browser with the session's key. Every
 * failure becomes an ApiError carrying the RFC 9457 problem body when there is one; a
 * service that cannot be reached is status 0.
 */
import type {
  Agent,
  AgentList,
  Alert,
  AlertPage,
  Call,
  CallEventList,
  CallPage,
  OutboxStatus,
  Problem,
  QueueList,
  Stats,
  WebhookDeliveryPage,
  WebhookList,
} from "./contracts";
import type { CallFilters } from "./call-filters";

export interface ApiConnection {
  baseUrl: string;
  apiKey: string;
}

export type ApiErrorKind = "unauthorized" | "forbidden" | "not_found" | "unavailable" | "invalid" | "other";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get kind(): ApiErrorKind {
    if (this.status === 401) return "unauthorized";
    if (this.status === 403) return "forbidden";
    if (this.status === 404) return "not_found";
    if (this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504) return "unavailable";
    if (this.status === 409 || this.status === 422) return "invalid";
    return "other";
  }
}

export function parseProblem(body: unknown): Problem | null {
  if (typeof body !== "object" || body === null) return null;
  const candidate = body as Partial<Problem>;
  if (typeof candidate.title !== "string" || typeof candidate.status !== "number") return null;
  return {
    type: String(candidate.type ?? "about:blank"),
    title: candidate.title,
    status: candidate.status,
    detail: String(candidate.detail ?? ""),
    errors: candidate.errors ?? null,
  };
}

async function request<T>(conn: ApiConnection, path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(conn.baseUrl + path, {
      ...init,
      cache: "no-store",
      headers: { Accept: "application/json", "X-API-Key": conn.apiKey, ...(init.headers ?? {}) },
    });
  } catch (cause) {
    throw new ApiError(0, null, `The call service at ${conn.baseUrl} cannot be reached`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const problem = parseProblem(body);
    const message = problem
      ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`
      : `HTTP ${response.status} from the call service`;
    throw new ApiError(response.status, problem, message);
  }
  return body as T;
}

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

const enc = encodeURIComponent;

export function fetchCalls(
  conn: ApiConnection,
  filters: CallFilters,
  options: { cursor?: string | null; limit?: number } = {},
): Promise<CallPage> {
  return request(
    conn,
    `/api/calls${query({ status: filters.status, queue_id: filters.queueId, cursor: options.cursor, limit: options.limit ?? 100 })}`,
  );
}

export const fetchCall = (conn: ApiConnection, callId: string): Promise<Call> =>
  request(conn, `/api/calls/${enc(callId)}`);

export const fetchCallEvents = (conn: ApiConnection, callId: string): Promise<CallEventList> =>
  request(conn, `/api/calls/${enc(callId)}/events`);

export function fetchAlerts(
  conn: ApiConnection,
  options: { acknowledged?: boolean; cursor?: string | null; limit?: number } = {},
): Promise<AlertPage> {
  return request(
    conn,
    `/api/alerts${query({ acknowledged: options.acknowledged, cursor: options.cursor, limit: options.limit ?? 100 })}`,
  );
}

export const ackAlert = (conn: ApiConnection, alertId: string): Promise<Alert> =>
  request(conn, `/api/alerts/${enc(alertId)}/ack`, { method: "POST" });

export const fetchQueues = (conn: ApiConnection): Promise<QueueList> => request(conn, "/api/queues");

export const fetchStats = (conn: ApiConnection, window: "15m" | "1h" | "24h" = "1h"): Promise<Stats> =>
  request(conn, `/api/stats${query({ window })}`);

export const fetchAgents = (conn: ApiConnection): Promise<AgentList> => request(conn, "/api/agents");

export const fetchAgent = (conn: ApiConnection, agentId: string): Promise<Agent> =>
  request(conn, `/api/agents/${enc(agentId)}`);

export const fetchOutbox = (conn: ApiConnection): Promise<OutboxStatus> => request(conn, "/api/ops/outbox");

export const fetchWebhooks = (conn: ApiConnection): Promise<WebhookList> => request(conn, "/api/webhooks");

export function fetchDeliveries(
  conn: ApiConnection,
  webhookId: string,
  options: { status?: "pending" | "in_flight" | "delivered" | "dead"; cursor?: string | null; limit?: number } = {},
): Promise<WebhookDeliveryPage> {
  return request(
    conn,
    `/api/webhooks/${enc(webhookId)}/deliveries${query({ status: options.status, cursor: options.cursor, limit: options.limit })}`,
  );
}

export const redeliver = (conn: ApiConnection, webhookId: string, deliveryId: string): Promise<unknown> =>
  request(conn, `/api/webhooks/${enc(webhookId)}/deliveries/${enc(deliveryId)}/redeliver`, { method: "POST" });

/** A sentence for a person, naming what to do. */
export function describeError(error: unknown, what = "the call service"): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  switch (error.kind) {
    case "unauthorized":
      return "The API key was refused (401): it is wrong or no longer configured. Sign out and enter another key.";
    case "forbidden":
      return `This API key lacks the scope needed here (403)${error.problem?.detail ? `: ${error.problem.detail}` : ""}.`;
    case "unavailable":
      return error.status === 0
        ? `${error.message}: is it running?`
        : `${what} is unavailable right now (${error.status}); retrying.`;
    default:
      return error.message;
  }
}
