/** Test helper: a phone's /CGI/Execute on 127.0.0.1 that answers as a handler says and records every request. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One received push. */
export interface Received {
    readonly path: string;
    readonly headers: IncomingMessage["headers"];
    readonly body: string;
    readonly index: number;
}

/** What the handler decides for a request. */
export type Answer =
    | { status?: number; body: string; contentType?: string; delayMs?: number }
    | { hang: true }
    | { destroy: true };

/** A running fake phone. */
export interface FakePhone {
    readonly port: number;
    readonly received: Received[];
    /** Largest number of requests in flight at once (over all paths, and per path). */
    maxInflight: number;
    readonly maxInflightByPath: Map<string, number>;
    close(): Promise<void>;
}

/** CiscoIPPhoneResponse with one successful item per URL. */
export function okResponse(...urls: string[]): string {
    const items = urls.map((u) => `<ResponseItem Status="0" Data="Success" URL="${u}"/>`).join("");
    return `<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneResponse>${items}</CiscoIPPhoneResponse>`;
}

/** CiscoIPPhoneError n. */
export function errorResponse(n: number): string {
    return `<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneError Number="${n}"/>`;
}

/** Starts a fake phone on 127.0.0.1 (random port). */
export async function startFakePhone(handler: (r: Received) => Answer): Promise<FakePhone> {
    let inflight = 0;
    const byPath = new Map<string, number>();
    const maxByPath = new Map<string, number>();
    const received: Received[] = [];
    const sockets = new Set<import("node:net").Socket>();
    const phone = {
        port: 0,
        received,
        maxInflight: 0,
        maxInflightByPath: maxByPath,
        close: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const path = req.url ?? "";
        inflight++;
        phone.maxInflight = Math.max(phone.maxInflight, inflight);
        byPath.set(path, (byPath.get(path) ?? 0) + 1);
        maxByPath.set(path, Math.max(maxByPath.get(path) ?? 0, byPath.get(path)!));
        let left = false;
        const leave = () => {
            if (left) return;
            left = true;
            inflight--;
            byPath.set(path, byPath.get(path)! - 1);
        };
        res.on("close", leave);
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const r: Received = {
                path,
                headers: req.headers,
                body: Buffer.concat(chunks).toString("latin1"),
                index: received.length,
            };
            received.push(r);
            const a = handler(r);
            if ("hang" in a) return;
            if ("destroy" in a) {
                req.socket.destroy();
                return;
            }
            const send = () => {
                res.writeHead(a.status ?? 200, { "Content-Type": a.contentType ?? "text/xml" });
                res.end(a.body);
            };
            if (a.delayMs) setTimeout(send, a.delayMs);
            else send();
        });
    });
    server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    phone.port = (server.address() as AddressInfo).port;
    return phone;
}
