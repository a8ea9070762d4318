/** Test bench for the XSI phone service: a fake phone, an auth server, a content server and a push client. */

import { createServer, type IncomingHttpHeaders, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { XsiPhoneService } from "../../../src/sim/xsi/service.js";
import type { XsiPhoneServiceOptions, XsiPhoneState } from "../../../src/sim/xsi/types.js";

/** Folder of test/fixtures/xsi (CallBack.raw = 2400 bytes = 300 ms). */
export const FIXTURES = fileURLToPath(new URL("../../fixtures/xsi/", import.meta.url));

/** A phone whose state the test sets directly. */
export class FakePhone implements XsiPhoneState {
    model = "CP-7960G";
    deviceName = "SEP00112233AABB";
    locale: string | undefined = "English_United_States";
    idle = true;
    ringing = false;
    readonly dialed: string[] = [];
    readonly keys: string[] = [];
    isIdle(): boolean {
        return this.idle;
    }
    isRinging(): boolean {
        return this.ringing;
    }
    dial(number: string): void {
        this.dialed.push(number);
    }
    pressKey(name: string): void {
        this.keys.push(name);
    }
}

let nextHost = 0;
/** A fresh loopback address per phone, as the simulator gives each phone its own 127.0.1.N. */
export function phoneHost(): string {
    nextHost = (nextHost % 50) + 1;
    return `127.0.1.${200 + nextHost}`;
}

/** A request seen by a test server. */
export interface SeenRequest {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
    remoteAddress: string;
}

/** A loopback HTTP server whose handler is a function of the request. */
export interface TestServer {
    url: string;
    seen: SeenRequest[];
    close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 answering with `handler`. */
export async function startServer(
    handler: (req: SeenRequest, res: ServerResponse) => void | Promise<void>,
): Promise<TestServer> {
    const seen: SeenRequest[] = [];
    const server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const r: SeenRequest = {
                method: req.method ?? "",
                url: req.url ?? "",
                headers: req.headers,
                body: Buffer.concat(chunks).toString("latin1"),
                remoteAddress: req.socket.remoteAddress ?? "",
            };
            seen.push(r);
            void handler(r, res);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** Authentication server: AUTHORIZED for `user`/`secret`, UN-AUTHORIZED otherwise. */
export function startAuthServer(answer?: (form: URLSearchParams) => string): Promise<TestServer> {
    return startServer((req, res) => {
        const form = new URLSearchParams(req.body);
        const body =
            answer?.(form) ??
            (form.get("UserID") === "user" && form.get("Password") === "secret" ? "AUTHORIZED" : "UN-AUTHORIZED");
        res.writeHead(200, { "Content-Type": "text/plain" }).end(body);
    });
}

/** Serves XML pages by path (text/xml; charset=ISO-8859-1); 404 otherwise. */
export function startPages(pages: Record<string, string | ((req: SeenRequest) => string)>): Promise<TestServer> {
    return startServer((req, res) => {
        const path = req.url.split("?")[0] ?? "";
        const page = pages[path];
        if (page === undefined) {
            res.writeHead(404).end("not found");
            return;
        }
        const body = typeof page === "string" ? page : page(req);
        res.writeHead(200, { "Content-Type": "text/xml; charset=ISO-8859-1" }).end(Buffer.from(body, "latin1"));
    });
}

/** What a push got back. */
export interface PushAnswer {
    status: number;
    contentType: string;
    body: string;
    elapsedMs: number;
}

/** Options of a push; defaults: form field XML, user/secret, Content-Length. */
export interface PushOptions {
    field?: string;
    user?: string;
    password?: string;
    noAuth?: boolean;
    rawBody?: string;
    headers?: Record<string, string>;
    chunked?: boolean;
    method?: string;
    path?: string;
    timeoutMs?: number;
}

/** Form body `XML=<url-encoded xml>` as pushers send it. */
export function formBody(xml: string, field = "XML"): string {
    return new URLSearchParams({ [field]: xml }).toString();
}

/** POSTs to the phone's /CGI/Execute; rejects with the network error code. */
export function push(svc: XsiPhoneService, xml: string, opts: PushOptions = {}): Promise<PushAnswer> {
    const body = opts.rawBody ?? formBody(xml, opts.field);
    const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", ...opts.headers };
    if (opts.noAuth !== true && headers.Authorization === undefined)
        headers.Authorization = `Basic ${Buffer.from(`${opts.user ?? "user"}:${opts.password ?? "secret"}`).toString("base64")}`;
    if (opts.chunked !== true) headers["Content-Length"] = String(Buffer.byteLength(body));
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = request(
            {
                host: svc.address.host,
                port: svc.address.port,
                method: opts.method ?? "POST",
                path: opts.path ?? "/CGI/Execute",
                headers,
                agent: false,
                timeout: opts.timeoutMs ?? 10_000,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        contentType: String(res.headers["content-type"] ?? ""),
                        body: Buffer.concat(chunks).toString("utf8"),
                        elapsedMs: Date.now() - started,
                    }),
                );
            },
        );
        req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
        req.on("error", (e: NodeJS.ErrnoException) => reject(e));
        if (opts.chunked === true) {
            req.write(body.slice(0, 5));
            req.end(body.slice(5));
        } else {
            req.end(body);
        }
    });
}

/** Execute object with the given items (attributes as given). */
export function executeXml(...items: Array<{ url: string; priority?: number | string }>): string {
    const lines = items.map(
        (i) =>
            `<ExecuteItem${i.priority === undefined ? "" : ` Priority="${i.priority}"`} URL="${i.url.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"/>`,
    );
    return `<CiscoIPPhoneExecute>${lines.join("")}</CiscoIPPhoneExecute>`;
}

/** A phone + service + auth server, started; `close()` stops all. */
export interface Bench {
    phone: FakePhone;
    svc: XsiPhoneService;
    auth: TestServer;
    close(): Promise<void>;
}

/** Starts a phone service (auth via a local auth server) with options merged over defaults. */
export async function startBench(opts: Partial<XsiPhoneServiceOptions> = {}): Promise<Bench> {
    const phone = new FakePhone();
    const auth = await startAuthServer();
    const svc = new XsiPhoneService({
        host: phoneHost(),
        port: 0,
        phone,
        auth: { url: `${auth.url}/ccmcip/authenticate.jsp` },
        audio: { dir: FIXTURES },
        fetchTimeoutMs: 2000,
        statePollMs: 20,
        ...opts,
    });
    await svc.start();
    return {
        phone,
        svc,
        auth,
        close: async () => {
            await svc.stop();
            await auth.close();
        },
    };
}

/** Text of attribute `name` in the first element `el` of `xml` (tests only: simple regex). */
export function attr(xml: string, el: string, name: string): string | undefined {
    const m = new RegExp(`<${el}\\b[^>]*\\b${name}="([^"]*)"`).exec(xml);
    return m?.[1];
}

/** All ResponseItem URLs in answer order. */
export function responseUrls(xml: string): string[] {
    return [...xml.matchAll(/<ResponseItem\b[^>]*\bURL="([^"]*)"/g)].map((m) => m[1] ?? "");
}

/** Resolves after `ms`. */
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
