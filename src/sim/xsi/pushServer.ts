/**
 * The push side's HTTP server of a simulated XSI phone: listens on the phone's own address, answers like the
 * phone's embedded web server (RomPager headers, Connection: close), records every request with its answer,
 * plays the failure modes that act before a push is read (refused, reset, hang, slow, 500, garbage, error),
 * and hands a whole POST /CGI/Execute body to the service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { parseBasicAuth } from "./auth.js";
import { errorXml, type ResponseItem, responseXml, XsiError } from "./objects.js";
import type { PushRecord, XsiClock, XsiFailure } from "./types.js";

/** Bytes of an oversized body kept for the record; the rest is drained. */
const READ_CAP = 64 * 1024;

/** Whole-push refusal: CiscoIPPhoneError Number and the reason kept in the record. */
export class Refusal {
    constructor(
        readonly number: number,
        readonly reason: string,
    ) {}
}

/** A body that arrived whole; `total` counts every byte even past the read cap. */
export interface Body {
    buf: Buffer;
    total: number;
}

function readBody(req: IncomingMessage): Promise<Body | undefined> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let total = 0;
        req.on("data", (c: Buffer) => {
            if (total < READ_CAP) chunks.push(c);
            total += c.length;
        });
        req.on("end", () => resolve({ buf: Buffer.concat(chunks).subarray(0, READ_CAP), total }));
        req.on("error", () => resolve(undefined));
        req.on("close", () => resolve(undefined));
    });
}

/** What the server needs from its service. */
export interface PushServerHost {
    readonly clock: XsiClock;
    /** Where each request and its answer is recorded. */
    readonly pushes: PushRecord[];
    /** The failure mode switched on, if any. */
    failure(): XsiFailure | undefined;
    /** Checks and runs a whole pushed body. */
    handlePush(
        req: IncomingMessage,
        body: Body,
        creds: { user: string; password: string } | undefined,
        failure: XsiFailure | undefined,
    ): Promise<ResponseItem[] | Refusal>;
}

/** The HTTP server of one phone's push side; owned by XsiPhoneService. */
export class PushServer {
    readonly host: string;
    #port: number;
    #server: Server | undefined;
    readonly #sockets = new Set<Socket>();
    readonly #h: PushServerHost;

    constructor(host: string, port: number, h: PushServerHost) {
        this.host = host;
        this.#port = port;
        this.#h = h;
    }

    /** The port (the real one once listening on port 0). */
    get port(): number {
        return this.#port;
    }

    /** Listens (again). */
    async listen(): Promise<void> {
        const server = createServer();
        server.on("connection", (sock: Socket) => {
            if (this.#h.failure()?.kind === "reset") {
                sock.resetAndDestroy();
                return;
            }
            this.#sockets.add(sock);
            sock.on("close", () => this.#sockets.delete(sock));
        });
        server.on("request", (req: IncomingMessage, res: ServerResponse) => {
            void this.#onRequest(req, res);
        });
        server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
            this.#reply(req, res, 200, errorXml(XsiError.ExpectContinue), {
                errorNumber: XsiError.ExpectContinue,
                reason: "expect: Expect: 100-continue",
            });
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.#port, this.host, () => {
                server.off("error", reject);
                resolve();
            });
        });
        this.#port = (server.address() as AddressInfo).port;
        this.#server = server;
    }

    /** Stops listening and drops open connections. */
    async close(): Promise<void> {
        const server = this.#server;
        this.#server = undefined;
        if (server === undefined) return;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of this.#sockets) s.destroy();
        this.#sockets.clear();
        await closed;
    }

    #reply(
        req: IncomingMessage,
        res: ServerResponse,
        status: number,
        body: string,
        extra: { errorNumber?: number; reason?: string; user?: string },
        contentType = "text/xml",
    ): void {
        const rec: PushRecord = {
            at: this.#h.clock.now(),
            remoteAddress: req.socket.remoteAddress ?? "",
            httpStatus: status,
            answer: body,
            ...extra,
        };
        this.#h.pushes.push(rec);
        res.writeHead(status, {
            "Content-Type": contentType,
            "Content-Length": Buffer.byteLength(body),
            Connection: "close",
            Server: "Allegro-Software-RomPager/4.34",
        });
        res.end(body);
    }

    async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const failure = this.#h.failure();
        if (failure?.kind === "hang") {
            req.resume();
            return;
        }
        if (failure?.kind === "slow") await this.#h.clock.sleep(failure.delayMs);
        const path = (req.url ?? "").split("?")[0];
        const chunked = /chunked/i.test(String(req.headers["transfer-encoding"] ?? ""));
        if (req.method !== "POST" || path !== "/CGI/Execute" || chunked) {
            req.resume();
            const reason = chunked ? "framing: chunked body" : `not found: ${req.method} ${path}`;
            this.#reply(req, res, 404, "<html><body>404 Not Found</body></html>", { reason }, "text/html");
            return;
        }
        const body = await readBody(req);
        if (body === undefined) return;
        if (failure?.kind === "http500") {
            const html = "<html><body>500 Internal Server Error</body></html>";
            this.#reply(req, res, 500, html, { reason: "failure: http500" }, "text/html");
            return;
        }
        if (failure?.kind === "garbage") {
            this.#reply(req, res, 200, "\u0000\u0013<CiscoIPPhoneRes%%ponse><<garbage", { reason: "failure: garbage" });
            return;
        }
        if (failure?.kind === "error") {
            this.#reply(req, res, 200, errorXml(failure.number), {
                errorNumber: failure.number,
                reason: "failure: error",
            });
            return;
        }
        const creds = parseBasicAuth(req.headers.authorization);
        const user = creds === undefined ? {} : { user: creds.user };
        let outcome: ResponseItem[] | Refusal;
        try {
            outcome = await this.#h.handlePush(req, body, creds, failure);
        } catch (err) {
            outcome = new Refusal(XsiError.Framing, `internal: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (outcome instanceof Refusal) {
            this.#reply(req, res, 200, errorXml(outcome.number), {
                ...user,
                errorNumber: outcome.number,
                reason: outcome.reason,
            });
        } else {
            this.#reply(req, res, 200, responseXml(outcome), user);
        }
    }
}
