/** How the console renders: tables, key/value lines, times, events. */
import type { DeviceView } from "../cluster/types.js";
import { redactDeep } from "../logging/redact.js";
import type { ConsoleEvent, DebugChannel } from "./context.js";

/** Left-aligned columns. */
export function table(headers: string[], rows: string[][]): string[] {
    const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]) =>
        r
            .map((c, i) => c.padEnd(w[i] ?? 0))
            .join("  ")
            .trimEnd();
    return [line(headers), line(w.map((n) => "-".repeat(n))), ...rows.map(line)];
}

export function iso(ms: number | null | undefined): string {
    return ms === null || ms === undefined || !Number.isFinite(ms) ? "-" : new Date(ms).toISOString().slice(0, 19);
}

/** Time of day (UTC) of an instant, or "-". */
export function hms(ms: number): string {
    return Number.isFinite(ms) ? iso(ms).slice(11) : "-";
}

export function duration(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${d > 0 ? `${d}d ` : ""}${h}h ${m}m ${s % 60}s`;
}

/** One value on a line: lists joined, objects (also inside lists) as JSON, never "[object Object]". */
function text(v: unknown): string {
    if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.map(text).join(", ");
    if (v !== null && typeof v === "object") return Object.keys(v).length === 0 ? "(none)" : JSON.stringify(v);
    return String(v);
}

/** `key: value` lines of a flat or nested object, secrets redacted. */
export function keyValues(obj: unknown, prefix = ""): string[] {
    const out: string[] = [];
    const safe = redactDeep(obj);
    const walk = (v: unknown, path: string): void => {
        if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
            for (const [k, x] of Object.entries(v)) walk(x, path === "" ? k : `${path}.${k}`);
            return;
        }
        out.push(`${prefix}${path}: ${text(v)}`);
    };
    walk(safe, "");
    return out;
}

export function phoneName(d: DeviceView): string {
    return d.name ?? d.key;
}

/** One line describing an event for `debug` output and `show log`, or null when it is not on `channel`. */
export function eventChannel(e: ConsoleEvent): DebugChannel {
    switch (e.type) {
        case "CtiLinkChanged":
            return "qbe";
        case "ShowScreen":
        case "Notify":
        case "RevokeTickets":
            return "xsi";
        case "DeviceRegistered":
        case "DeviceUnregistered":
        case "LineStateChanged":
        case "CallBackPressed":
        case "SoftKeyPressed":
        case "ForwardingChanged":
        case "CallManagerLinkChanged":
            return "sccp";
        default:
            return "callback";
    }
}

/** The phone an event is about (for `debug … device <name>`), or null. */
export function eventDevice(e: ConsoleEvent): string | null {
    if ("device" in e && typeof e.device === "string") return e.device;
    if ("request" in e) return e.request.caller.device;
    return null;
}

/** A short one-line rendering of an event (secrets redacted, bulky fields left out). */
export function formatEvent(e: ConsoleEvent, now: number): string {
    const { type, ...rest } = e as unknown as { type: string } & Record<string, unknown>;
    const parts: string[] = [];
    for (const [k, v] of Object.entries(redactDeep(rest) as Record<string, unknown>)) {
        if (
            v === null ||
            v === undefined ||
            k === "t" ||
            k === "request" ||
            k === "params" ||
            k === "actions" ||
            k === "phoneTime"
        )
            continue;
        parts.push(`${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
    }
    return `${iso(now).slice(11)} ${eventChannel(e).toUpperCase()} ${type} ${parts.join(" ")}`.slice(0, 400);
}
