/**
 * One Socket.io connection to the realtime service for the whole dashboard.
 *
 * - Authenticates with `auth: {apiKey}`; a refused key ends the connection for good
 *   (state "disconnected" with an error) — a service that is down is retried forever.
 * - Rooms are reference-counted: `join(room)` subscribes (with an ack) when the first
 *   user arrives and unsubscribes when the last one leaves.
 * - The server forgets rooms when a connection drops, so after every (re)connect each
 *   joined room is subscribed again, and each joiner's `onSubscribed` runs once its ack
 *   arrives: that is where pages refetch from the API (the resync-on-reconnect pattern:
 *   subscribe first, then read, so nothing falls in between).
 * - A `call:<id>` joiner that holds events can pass `resumeFrom` (its highest seq): the
 *   subscribe then carries `since_seq`, the server replays what was missed before the
 *   ack, and `onSubscribed(true)` tells the page it need not refetch. When the resume is
 *   refused (no database, too far behind …) the room is subscribed plainly and
 *   `onSubscribed(false)` asks for the REST resync as usual.
 */
import { io, type Socket } from "socket.io-client";
import type { Ack, AlertMessage, CallEventMessage, SubscribeRequest } from "./contracts";

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface ConnectionStatus {
  state: ConnectionState;
  error: string | null;
}

/** `resumed`: the server replayed every missed event; false: refetch to resync. */
export type OnSubscribed = (resumed: boolean) => void;

/** The highest seq a joiner holds, or null to subscribe without resuming. */
export type ResumeFrom = () => number | null;

interface Joiner {
  onSubscribed?: OnSubscribed;
  resumeFrom?: ResumeFrom;
}

type Listener<T> = (value: T) => void;

const ACK_TIMEOUT_MS = 5000;

export class Realtime {
  private readonly socket: Socket;
  private status: ConnectionStatus = { state: "connecting", error: null };
  private readonly rooms = new Map<string, Set<Joiner>>();
  private readonly statusListeners = new Set<Listener<ConnectionStatus>>();
  private readonly callListeners = new Set<Listener<CallEventMessage>>();
  private readonly alertListeners = new Set<Listener<AlertMessage>>();

  constructor(url: string, apiKey: string) {
    this.socket = io(url, {
      path: "/socket.io/",
      transports: ["websocket"],
      auth: { apiKey },
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 5000,
    });
    this.socket.on("connect", () => {
      this.setStatus({ state: "connected", error: null });
      for (const room of this.rooms.keys()) void this.subscribe(room);
    });
    this.socket.on("disconnect", (reason) => {
      this.setStatus({ state: "disconnected", error: `connection lost (${reason}); reconnecting` });
    });
    this.socket.on("connect_error", (error: Error) => {
      const refused = !this.socket.active;
      this.setStatus({
        state: "disconnected",
        error: refused
          ? `the realtime service refused the key (${error.message})`
          : `the realtime service at ${url} cannot be reached; retrying`,
      });
    });
    this.socket.on("call_event", (message: CallEventMessage) => {
      for (const listener of this.callListeners) listener(message);
    });
    this.socket.on("alert", (message: AlertMessage) => {
      for (const listener of this.alertListeners) listener(message);
    });
  }

  get connection(): ConnectionStatus {
    return this.status;
  }

  onStatus(listener: Listener<ConnectionStatus>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onCallEvent(listener: Listener<CallEventMessage>): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  onAlert(listener: Listener<AlertMessage>): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  /** Join a room; `onSubscribed` runs after each successful (re)subscription. Returns leave. */
  join(room: string, onSubscribed?: OnSubscribed, resumeFrom?: ResumeFrom): () => void {
    const joiner: Joiner = { onSubscribed, resumeFrom };
    let joiners = this.rooms.get(room);
    const first = joiners === undefined;
    if (!joiners) {
      joiners = new Set();
      this.rooms.set(room, joiners);
    }
    joiners.add(joiner);
    if (this.socket.connected) {
      if (first) void this.subscribe(room);
      else queueMicrotask(() => joiner.onSubscribed?.(false));
    }
    return () => {
      const current = this.rooms.get(room);
      if (!current) return;
      current.delete(joiner);
      if (current.size === 0) {
        this.rooms.delete(room);
        if (this.socket.connected) void this.emitAck("unsubscribe", room);
      }
    };
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.statusListeners.clear();
  }

  private async subscribe(room: string): Promise<void> {
    const since = resumePoint(this.rooms.get(room));
    if (since !== null && (await this.emitAck("subscribe", room, since)).ok) {
      for (const joiner of this.rooms.get(room) ?? []) joiner.onSubscribed?.(true);
      return;
    }
    const ack = await this.emitAck("subscribe", room);
    if (!ack.ok) {
      this.setStatus({ ...this.status, error: `cannot follow ${room}: ${ack.error ?? "refused"}` });
      return;
    }
    for (const joiner of this.rooms.get(room) ?? []) joiner.onSubscribed?.(false);
  }

  private async emitAck(event: "subscribe" | "unsubscribe", room: string, since?: number): Promise<Ack> {
    const request: SubscribeRequest = since === undefined ? { room } : { room, since_seq: since };
    try {
      return (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, request)) as Ack;
    } catch {
      return { ok: false, error: "no answer from the realtime service" };
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

/** Where a room's subscription can resume: the lowest point of its joiners, or null when
 * any of them holds nothing (or cannot resume), so that one gets a full REST resync. */
export function resumePoint(joiners: Iterable<{ resumeFrom?: ResumeFrom }> | undefined): number | null {
  let point: number | null = null;
  for (const joiner of joiners ?? []) {
    const since = joiner.resumeFrom?.() ?? null;
    if (since === null) return null;
    point = point === null ? since : Math.min(point, since);
  }
  return point;
}
