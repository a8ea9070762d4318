/** The phone side of XSI push authentication (reference §1.5 item 2). */

import { httpRequest } from "./client.js";
import type { XsiAuthConfig } from "./types.js";

/** Outcome of a credentials check; `reason` says why it failed. */
export interface AuthOutcome {
    ok: boolean;
    reason?: string;
}

/** User and password from an `Authorization: Basic …` header, or undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
    const m = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
    if (m === null) return undefined;
    const decoded = Buffer.from(m[1]!, "base64").toString("latin1");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Checks credentials like a 79xx: POSTs `UserID`, `Password` and `devicename` (form-encoded) to the
 * authentication URL from the phone's own address; only an HTTP 200 whose body is exactly `AUTHORIZED`
 * (no whitespace, nothing else) authorises. `{ user, password }` checks locally, without a server.
 */
export async function checkCredentials(
    auth: XsiAuthConfig,
    user: string,
    password: string,
    deviceName: string,
    localAddress: string,
): Promise<AuthOutcome> {
    if (!("url" in auth)) {
        return auth.user === user && auth.password === password
            ? { ok: true }
            : { ok: false, reason: "credentials refused" };
    }
    const body = new URLSearchParams({ UserID: user, Password: password, devicename: deviceName }).toString();
    const r = await httpRequest({
        url: auth.url,
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body,
        localAddress,
        timeoutMs: auth.timeoutMs ?? 5000,
        maxBytes: 4096,
    });
    if (!r.ok) return { ok: false, reason: `authentication URL unreachable (${r.code})` };
    if (r.status !== 200) return { ok: false, reason: `authentication URL answered HTTP ${r.status}` };
    const answer = r.body.toString("latin1");
    if (answer === "AUTHORIZED") return { ok: true };
    return { ok: false, reason: `authentication URL answered ${JSON.stringify(answer.slice(0, 40))}` };
}
