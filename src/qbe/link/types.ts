/**
 * The CTI link observer's public shapes: options, session states, the events it reports and the answer
 * to a session query. The facade (`../link.ts`) re-exports them.
 */

/** Options (service parameters as plain numbers, plus bounds). */
export interface CtiLinkOptions {
    /** Heartbeat interval assumed when none was negotiated (cti.heartbeatIntervalS, default 30). */
    heartbeatIntervalS?: number;
    /** Provider Open Call Time Out (cti.providerOpenTimeoutMs, default 30000). */
    providerOpenTimeoutMs?: number;
    /** Sessions tracked at once (default 1024). */
    maxSessions?: number;
    /** Devices, lines, call legs and pending requests tracked per session, each (default 4096). */
    maxEntriesPerSession?: number;
}

/** Lifecycle of a CTI session. */
export type CtiLinkState = "connecting" | "opening" | "up" | "down" | "failed" | "closed";

/** A (callManagerID, id) handle. */
export interface CtiHandle {
    callManagerID: number;
    id: number;
}

interface EventBase {
    /** Capture time, ms. */
    t: number;
    /** Session key ("client>server"). */
    session: string;
}

/** Events reported by the observer. */
export type CtiEvent =
    | (EventBase & { type: "ProviderOpening"; seq: number; login: string | null; applicationID: string | null })
    | (EventBase & {
          type: "LinkUp";
          clientHeartbeatS: number;
          serverHeartbeatS: number;
          providerId: number | null;
          /** True when the open was not seen (joined mid-session, or traffic resumed after a LinkDown). */
          inferred: boolean;
      })
    | (EventBase & {
          type: "LinkDown";
          reason: "heartbeat-timeout" | "provider-closed" | "connection-closed";
          /** For a heartbeat timeout: the side that went silent. */
          silent?: "client" | "server";
      })
    | (EventBase & {
          type: "ProviderOpenFailed";
          reason: "timeout" | "rejected" | "connection-closed";
          /** CTIFAILURE code for "rejected", and its name. */
          code?: number;
          codeName?: string;
          description?: string;
      })
    | (EventBase & { type: "ProviderClosed"; reason: number; reasonName?: string })
    | (EventBase & { type: "DeviceOpened"; device: CtiHandle; deviceName: string })
    | (EventBase & { type: "DeviceClosed"; device: CtiHandle; deviceName: string | null; reason?: number })
    | (EventBase & {
          type: "LineOpened";
          line: CtiHandle;
          deviceName: string;
          lineName: string;
          partition: string | null;
      })
    | (EventBase & { type: "LineClosed"; line: CtiHandle; lineName: string | null; reason?: number })
    | (EventBase & {
          type: "DeviceRegistered" | "DeviceUnregistered";
          deviceName: string;
          reason: number | null;
          /** The message it came from (e.g. "DeviceRegisteredEvent", "DeviceLineInfoEvent"). */
          source: string;
      })
    | (EventBase & {
          type: "DeviceInService" | "DeviceOutOfService";
          device: CtiHandle;
          deviceName: string | null;
          reason: number | null;
      })
    | (EventBase & {
          type: "LineInService" | "LineOutOfService";
          line: CtiHandle;
          lineName: string | null;
          reason: number | null;
      })
    | (EventBase & { type: "DeviceStateChanged"; device: CtiHandle; deviceName: string | null; deviceState: string })
    | (EventBase & {
          type: "CallStateChanged";
          line: CtiHandle;
          lineName: string | null;
          deviceName: string | null;
          call: CtiHandle;
          state: number;
          /** CALLSTATE name, e.g. "CONNECTED". */
          stateName: string;
          cause: number | null;
          callingParty: string | null;
          calledParty: string | null;
          source: string;
      })
    | (EventBase & {
          type: "CallClosed";
          line: CtiHandle;
          lineName: string | null;
          call: CtiHandle;
          reason: number | null;
      });

/** Receives observer events. */
export type CtiEventSink = (event: CtiEvent) => void;

/** Query result for one session. */
export interface CtiSessionInfo {
    key: string;
    client: string;
    server: string;
    state: CtiLinkState;
    /** When the current state began (ms). */
    since: number;
    /** True when the link was taken as up without seeing the open. */
    inferred: boolean;
    login: string | null;
    applicationID: string | null;
    providerId: number | null;
    /** Negotiated intervals (null until seen) and the ones liveness uses. */
    clientHeartbeatS: number | null;
    serverHeartbeatS: number | null;
    effectiveHeartbeatS: [client: number, server: number];
    /** Last message from the client and from the server (ms, -1 = none). */
    lastRx: [client: number, server: number];
    heartbeats: [client: number, server: number];
    messages: [client: number, server: number];
    /** Pending ProviderOpenRequest deadline (ms) while opening. */
    openDeadline: number | null;
    devices: { device: CtiHandle; name: string }[];
    lines: { line: CtiHandle; deviceName: string; lineName: string; partition: string | null }[];
    calls: {
        line: CtiHandle;
        call: CtiHandle;
        state: number;
        stateName: string;
        callingParty: string | null;
        calledParty: string | null;
    }[];
}
