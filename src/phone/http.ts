import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CallbackdError } from "../errors.js";
import type { LocaleSet, ScreenKind, SoftKeyId } from "./dictionary.js";
import { chooseLocale } from "./locale.js";
import type { PhoneTime } from "./phoneTime.js";
import { type RenderedScreen, renderScreen, type ScreenParams, serializeScreen } from "./screens.js";
import { actionUrl, checkPublicUrl, normalizeBase, screenUrl } from "./urls.js";
import { contentType } from "./xsi.js";

/**
 * The phone-facing HTTP service: phones fetch the screens the box pushed them a link to, and press the
 * box's softkeys (Cancel, OK), which come back here. Each screen is a ticket with an unguessable token,
 * bound to the phone it was issued for: a request from another address, with an unknown or expired token,
 * or for an action the screen does not offer gets a clear error screen and changes nothing.
 */

/** Actions that come back to the box (Exit and Dial are handled by the phone itself). */
export type BoxAction = Extract<SoftKeyId, "cancel" | "ok">;

/** What a ticket shows. */
export interface ScreenSpec {
    kind: ScreenKind;
    params?: Omit<ScreenParams, "urls">;
    /** The caller phone's clock at the moment the screen is about (the notification time). */
    phoneTime?: PhoneTime;
}

export interface TicketRequest extends ScreenSpec {
    /** Device the screen is for (device name or model key). */
    device: string;
    /** The phone's address as observed on the wire: only it may use the ticket. */
    phoneIp: string;
    /** Actions the screen's softkeys send back (Cancel, OK). */
    actions?: readonly BoxAction[];
    /** Locale from the static directory, and the phone model (Shift_JIS capability). */
    directoryLocale?: string;
    model?: string;
    /** What the action handler needs to find the request (e.g. the engine's request id). */
    ref?: string;
}

export interface Ticket extends TicketRequest {
    token: string;
    issuedAt: number;
    expiresAt: number;
}

/**
 * The answer to an action: the screen the phone shows next. When it offers box actions itself (e.g.
 * "activated" with Cancel after OK), a new ticket is issued for it, for the same phone.
 */
export interface NextScreen extends ScreenSpec {
    actions?: readonly BoxAction[];
    ref?: string;
}

export type ActionHandler = (ticket: Ticket, action: BoxAction) => NextScreen | Promise<NextScreen>;

export class PhoneHttpError extends CallbackdError {}

export interface PhoneHttpOptions {
    /** Where to listen (config http.listen). */
    host: string;
    port: number;
    /** Base URL phones use to reach the service (config http.publicUrl); default from the listen address. */
    publicUrl?: string;
    locales: LocaleSet;
    defaultLocale: string;
    onAction: ActionHandler;
    /** How long a ticket stays usable (default 2 h: a notification can be looked at later). */
    ticketTtlMs?: number;
    /** Most tickets kept; the oldest give way (default 20,000). */
    maxTickets?: number;
    now?: () => number;
    /** Observes every request (method, path, status, source) for logs and tests; never sees tokens. */
    onRequest?: (info: { path: string; status: number; source: string; reason?: string }) => void;
    /** Time a client has to send the request headers (default 10 s), and the whole request (default 15 s). */
    headersTimeoutMs?: number;
    requestTimeoutMs?: number;
}

export interface PhoneHttpStats {
    tickets: number;
    served: number;
    actions: number;
    refused: number;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{22}$/;

/** "::ffff:127.0.1.5" → "127.0.1.5". */
function plainAddress(addr: string | undefined): string {
    if (addr === undefined) return "";
    return addr.startsWith("::ffff:") && addr.includes(".") ? addr.slice(7) : addr;
}

export class PhoneHttpService {
    readonly #opts: PhoneHttpOptions;
    readonly #tickets = new Map<string, Ticket>();
    readonly #now: () => number;
    readonly #ttl: number;
    readonly #max: number;
    #server: Server | null = null;
    #base = "";
    readonly stats: PhoneHttpStats = { tickets: 0, served: 0, actions: 0, refused: 0 };

    constructor(opts: PhoneHttpOptions) {
        this.#opts = opts;
        this.#now = opts.now ?? Date.now;
        this.#ttl = opts.ticketTtlMs ?? 2 * 3600_000;
        this.#max = opts.maxTickets ?? 20_000;
        checkPublicUrl(opts.publicUrl);
    }

    /** Base URL of the service (after start). */
    get baseUrl(): string {
        return this.#base;
    }

    async start(): Promise<void> {
        const headersTimeout = this.#opts.headersTimeoutMs ?? 10_000;
        const requestTimeout = this.#opts.requestTimeoutMs ?? 15_000;
        const server = createServer(
            {
                headersTimeout,
                requestTimeout,
                // Node looks at the two timeouts only this often (default every 30 s, which made "10 s" up to
                // 40 s): a tenth of the header timeout keeps them what they say.
                connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 10))),
            },
            (req, res) => {
                this.#handle(req, res).catch(() => {
                    if (!res.headersSent) res.writeHead(500).end();
                });
            },
        );
        await new Promise<void>((resolve, reject) => {
            server.once("error", (err: NodeJS.ErrnoException) =>
                reject(
                    new PhoneHttpError(
                        "HTTP_LISTEN",
                        `cannot listen on ${this.#opts.host}:${this.#opts.port} (${err.code ?? err.message})`,
                        { host: this.#opts.host, port: this.#opts.port },
                    ),
                ),
            );
            try {
                server.listen(this.#opts.port, this.#opts.host, () => resolve());
            } catch (err) {
                // a port out of range throws at once (RangeError), not through "error"
                reject(
                    new PhoneHttpError(
                        "HTTP_LISTEN",
                        `cannot listen on ${this.#opts.host}:${this.#opts.port} (${(err as Error).message})`,
                        { host: this.#opts.host, port: this.#opts.port },
                    ),
                );
            }
        });
        this.#server = server;
        const addr = server.address() as AddressInfo;
        const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
        this.#base = normalizeBase(this.#opts.publicUrl ?? `http://${host}:${addr.port}`);
    }

    async stop(): Promise<void> {
        const server = this.#server;
        this.#server = null;
        if (server === null) return;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    /** Issues a ticket; the returned URL is what the push tells the phone to fetch. */
    issue(request: TicketRequest): { token: string; url: string } {
        this.#expire();
        while (this.#tickets.size >= this.#max) {
            const oldest = this.#tickets.keys().next().value;
            if (oldest === undefined) break;
            this.#tickets.delete(oldest);
        }
        const token = randomBytes(16).toString("base64url");
        const now = this.#now();
        this.#tickets.set(token, { ...request, token, issuedAt: now, expiresAt: now + this.#ttl });
        this.stats.tickets = this.#tickets.size;
        return { token, url: screenUrl(this.#base, token) };
    }

    /** Withdraws every ticket for a request (it ended: its Cancel/OK must no longer act). */
    revoke(ref: string): void {
        for (const [token, t] of this.#tickets) if (t.ref === ref) this.#tickets.delete(token);
        this.stats.tickets = this.#tickets.size;
    }

    #expire(): void {
        const now = this.#now();
        for (const [token, t] of this.#tickets) {
            // Insertion order is issue order, and every ticket has the same lifetime.
            if (t.expiresAt > now) break;
            this.#tickets.delete(token);
        }
    }

    async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const source = plainAddress(req.socket.remoteAddress);
        // A request target such as "//" or "http://[" is no URL at all: refused below as "no such page", not a 500.
        let pathname = "/";
        try {
            pathname = new URL(req.url ?? "/", "http://box").pathname;
        } catch {}
        const parts = pathname.split("/").filter((p) => p !== "");
        const log = (status: number, reason?: string) =>
            this.#opts.onRequest?.({
                path: logPath(parts),
                status,
                source,
                ...(reason ? { reason } : {}),
            });
        const refuse = (status: number, reason: string, ticket?: Ticket) => {
            this.stats.refused++;
            log(status, reason);
            this.#send(res, status, { kind: "requestInvalid" }, req, ticket);
        };
        if (req.method !== "GET" || parts[0] !== "cb" || (parts[1] !== "s" && parts[1] !== "a")) {
            refuse(404, "no such page");
            return;
        }
        const token = parts[2] ?? "";
        this.#expire();
        const ticket = TOKEN_RE.test(token) ? this.#tickets.get(token) : undefined;
        if (ticket === undefined) {
            refuse(404, "unknown or expired token");
            return;
        }
        if (source !== ticket.phoneIp) {
            refuse(403, "request from another address than the phone's");
            return;
        }
        if (parts[1] === "s" && parts.length === 3) {
            this.stats.served++;
            log(200);
            this.#send(res, 200, ticket, req, ticket);
            return;
        }
        const action = parts[3];
        if (
            parts.length !== 4 ||
            (action !== "cancel" && action !== "ok") ||
            !(ticket.actions ?? []).includes(action)
        ) {
            refuse(400, "action not offered by this screen", ticket);
            return;
        }
        this.stats.actions++;
        const next = await this.#opts.onAction(ticket, action);
        log(200);
        if (next.actions !== undefined && next.actions.length > 0) {
            const { token } = this.issue({
                device: ticket.device,
                phoneIp: ticket.phoneIp,
                directoryLocale: ticket.directoryLocale,
                model: ticket.model,
                ...next,
            });
            const issued = this.#tickets.get(token)!;
            this.#send(res, 200, issued, req, issued);
        } else this.#send(res, 200, next, req, ticket);
    }

    /** Renders a screen in the phone's locale and charset. */
    #send(res: ServerResponse, status: number, spec: ScreenSpec, req: IncomingMessage, ticket?: Ticket): void {
        const model = ticket?.model ?? header(req, "x-ciscoipphonemodelname");
        const localeName = chooseLocale({
            directoryLocale: ticket?.directoryLocale,
            acceptLanguage: header(req, "accept-language"),
            model,
            default: this.#opts.defaultLocale,
            available: this.#opts.locales.names(),
        });
        const locale = this.#opts.locales.getOrReference(localeName);
        const urls: Partial<Record<SoftKeyId, string>> = {};
        if (ticket !== undefined && spec === ticket) {
            for (const a of ticket.actions ?? []) urls[a] = actionUrl(this.#base, ticket.token, a);
        }
        let screen: RenderedScreen;
        try {
            screen = renderScreen(spec.kind, { ...spec.params, urls }, locale, spec.phoneTime);
        } catch {
            screen = renderScreen("serviceFailure", {}, locale);
        }
        const body = serializeScreen(screen);
        res.writeHead(status, {
            "Content-Type": contentType(screen.charset),
            "Content-Length": body.length,
            "Cache-Control": "no-store",
            Connection: "close",
        });
        res.end(body);
    }
}

/**
 * The path as logged: only the words of the service's own paths, anything else as "*". A token can sit
 * anywhere in a malformed request (`//cb/s/<token>` parses as host "cb" and path "/s/<token>"), and the
 * log must never hold one.
 */
function logPath(parts: readonly string[]): string {
    const known = new Set(["cb", "s", "a"]);
    return parts
        .slice(0, 2)
        .map((p) => (known.has(p) ? p : "*"))
        .join("/");
}

function header(req: IncomingMessage, name: string): string | undefined {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
}
