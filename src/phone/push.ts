/**
 * XSI push client: POSTs a CiscoIPPhoneExecute to a phone's /CGI/Execute (form field `XML`, HTTP Basic auth),
 * and turns whatever happens into a typed outcome with a stable code. It never throws for a phone's behaviour.
 *
 * - Timeout per attempt = Synchronous Request Time Out (a Play: item makes the phone answer only after playing).
 * - Unreachable / timeout / HTTP 5xx are retried with exponential backoff and jitter (injectable clock/random).
 * - CiscoIPPhoneError 4 (credentials) or HTTP 401/403: no retry, and that phone is left alone for a while
 *   (PUSH_AUTH_BACKOFF) so a wrong password never turns into hammering; callers raise an alarm.
 * - Pushes to one phone run one at a time in call order; a global bound caps simultaneous HTTP requests.
 * - The password lives only in a private Authorization header value: never logged, never in outcomes or errors.
 */
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import { checkPushUrlTemplate } from "../config/checks.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import { noopLogger } from "../logging/memory.js";
import { type Clock, monotonicClock, sleepOn } from "../util/clock.js";
import { encodeLossy } from "./charset.js";
import {
    type ExecuteDocument,
    formBody,
    MAX_REPLY_BYTES,
    type PhoneReply,
    PUSH_BODY_LIMIT,
    parsePhoneReply,
    type ResponseItem,
} from "./xsi.js";

/** Default push target (config `phones.pushUrl`). */
export const DEFAULT_PUSH_URL = "http://{ip}/CGI/Execute";

/** The phone to push to: its address as seen on the wire, and optionally device name and MAC. */
export interface PushTarget {
    readonly ip: string;
    readonly device?: string;
    readonly mac?: string;
}

/** Stable outcome codes. */
export type PushCode =
    | "PUSH_OK"
    | "PUSH_ITEM_FAILED"
    | "PUSH_AUTH_FAILED"
    | "PUSH_AUTH_BACKOFF"
    | "PUSH_PHONE_ERROR"
    | "PUSH_BAD_RESPONSE"
    | "PUSH_HTTP_STATUS"
    | "PUSH_TIMEOUT"
    | "PUSH_UNREACHABLE"
    | "PUSH_TOO_LARGE"
    | "PUSH_BAD_TARGET"
    | "PUSH_QUEUE_FULL"
    | "PUSH_CLOSED";

/** Result of one push (all attempts). Safe to log and publish: it never holds credentials or the body. */
export interface PushOutcome {
    readonly ok: boolean;
    readonly code: PushCode;
    /** Phone key (device name, else IP). */
    readonly phone: string;
    /** Target URL (undefined when none could be built). */
    readonly url?: string;
    /** HTTP requests made. */
    readonly attempts: number;
    /** From push() to the outcome, by the client's clock. */
    readonly elapsedMs: number;
    readonly message: string;
    /** CiscoIPPhoneResponse items (PUSH_OK, PUSH_ITEM_FAILED); echoed URLs without their query string. */
    readonly items?: readonly ResponseItem[];
    /** CiscoIPPhoneError Number (PUSH_AUTH_FAILED via error 4, PUSH_PHONE_ERROR). */
    readonly phoneError?: number;
    /** HTTP status of the last answer, when there was one. */
    readonly httpStatus?: number;
    /** Network error code of the last attempt (ECONNREFUSED …). */
    readonly cause?: string;
    /** PUSH_AUTH_BACKOFF: time left before this phone is tried again. */
    readonly retryAfterMs?: number;
}

/** Options of PushClient (user/password from `phones.pushUser` / `phones.pushPassword`). */
export interface PushClientOptions {
    readonly user: string;
    readonly password: string;
    /** Target template with {ip} {device} {mac} (default DEFAULT_PUSH_URL). */
    readonly urlTemplate?: string;
    /** Per-attempt timeout = Synchronous Request Time Out (default 20000 ms). */
    readonly timeoutMs?: number;
    /** Attempts for retryable failures, first included (default 3). */
    readonly maxAttempts?: number;
    /** Backoff before attempt n+1: min(max, base·2^(n-1)) scaled by jitter (defaults 1000 / 30000 ms). */
    readonly backoffBaseMs?: number;
    readonly backoffMaxMs?: number;
    /** Fraction of the delay that is random, 0..1 (default 0.5: delay in [½d, d]). */
    readonly jitter?: number;
    /** Simultaneous HTTP requests over all phones (default 16). */
    readonly concurrency?: number;
    /** How long a phone that refused the credentials is left alone (default 10 min). */
    readonly authBackoffMs?: number;
    /** Pushes waiting per phone before PUSH_QUEUE_FULL (default 32). */
    readonly maxQueuePerPhone?: number;
    /** Body limit (default 512 bytes). */
    readonly maxBodyBytes?: number;
    readonly random?: () => number;
    /** Back-offs and measurements (default monotonic: a wall-clock step neither ends nor stretches a back-off). */
    readonly clock?: Clock;
    readonly logger?: Logger;
}

/** Delay before the attempt after `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(
    attempt: number,
    opts: { baseMs: number; maxMs: number; jitter: number },
    random: () => number,
): number {
    const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
    const r = Math.min(1, Math.max(0, random()));
    return Math.round(exp * (1 - opts.jitter + opts.jitter * r));
}

/** The template check is the configuration's own (one validation for config --check and run). */
export { checkPushUrlTemplate } from "../config/checks.js";

/** Fills the template for a target; undefined when a needed value is missing or unsafe. */
export function pushUrl(template: string, target: PushTarget): string | undefined {
    let missing = false;
    const out = template.replace(/\{(ip|device|mac)\}/g, (_, name: string) => {
        if (name === "ip") {
            const v = isIP(target.ip);
            if (v === 0) missing = true;
            return v === 6 ? `[${target.ip}]` : target.ip;
        }
        if (name === "device") {
            if (target.device === undefined || !/^[A-Za-z0-9._-]{1,64}$/.test(target.device)) missing = true;
            return target.device ?? "";
        }
        const mac = (target.mac ?? "").replace(/[:.-]/g, "").toUpperCase();
        if (!/^[0-9A-F]{12}$/.test(mac)) missing = true;
        return mac;
    });
    return missing ? undefined : out;
}

/** One attempt's raw result. */
type AttemptResult =
    | { kind: "http"; status: number; body: Buffer; tooLarge: boolean }
    | { kind: "timeout" }
    | { kind: "network"; code: string }
    | { kind: "closed" };

/** A queued push. */
interface Job {
    readonly target: PushTarget;
    readonly key: string;
    readonly body: Buffer;
    readonly started: number;
    readonly resolve: (o: PushOutcome) => void;
}

/** Pushes of one phone, run in order. */
interface Lane {
    readonly jobs: Job[];
    running: boolean;
}

/** Classified attempt: a final outcome, or a retryable failure. */
type Verdict =
    | { final: true; outcome: Omit<PushOutcome, "attempts" | "elapsedMs"> }
    | { final: false; code: PushCode; message: string; httpStatus?: number; cause?: string };

/** The push client. One per service; safe to share. */
export class PushClient {
    readonly #authorization: string;
    readonly #template: string;
    readonly #timeoutMs: number;
    readonly #maxAttempts: number;
    readonly #backoff: { baseMs: number; maxMs: number; jitter: number };
    readonly #concurrency: number;
    readonly #authBackoffMs: number;
    readonly #maxQueue: number;
    readonly #maxBody: number;
    readonly #random: () => number;
    readonly #clock: Clock;
    readonly #log: Logger;
    readonly #lanes = new Map<string, Lane>();
    readonly #authBlocked = new Map<string, number>();
    readonly #waiters: (() => void)[] = [];
    readonly #inflight = new Set<http.ClientRequest>();
    #active = 0;
    #closed = false;

    constructor(options: PushClientOptions) {
        this.#template = options.urlTemplate ?? DEFAULT_PUSH_URL;
        checkPushUrlTemplate(this.#template);
        this.#authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`, "utf8").toString("base64")}`;
        this.#timeoutMs = positive(options.timeoutMs, 20_000, "timeoutMs");
        this.#maxAttempts = positive(options.maxAttempts, 3, "maxAttempts");
        this.#backoff = {
            baseMs: positive(options.backoffBaseMs, 1000, "backoffBaseMs"),
            maxMs: positive(options.backoffMaxMs, 30_000, "backoffMaxMs"),
            jitter: Math.min(1, Math.max(0, options.jitter ?? 0.5)),
        };
        this.#concurrency = positive(options.concurrency, 16, "concurrency");
        this.#authBackoffMs = positive(options.authBackoffMs, 600_000, "authBackoffMs");
        this.#maxQueue = positive(options.maxQueuePerPhone, 32, "maxQueuePerPhone");
        this.#maxBody = positive(options.maxBodyBytes, PUSH_BODY_LIMIT, "maxBodyBytes");
        this.#random = options.random ?? Math.random;
        this.#clock = options.clock ?? monotonicClock;
        this.#log = options.logger ?? noopLogger;
    }

    /** Keeps the credentials out of util.inspect / console.log of the client. */
    [Symbol.for("nodejs.util.inspect.custom")](): string {
        return `PushClient { url: ${this.#template}, active: ${this.#active} }`;
    }

    /** Keeps the credentials out of JSON.stringify of the client. */
    toJSON(): { url: string } {
        return { url: this.#template };
    }

    /**
     * Pushes an Execute object (bytes of its XML, or a built ExecuteDocument) to a phone. Resolves with a typed
     * outcome; pushes to the same phone are sent one after the other in call order.
     */
    push(target: PushTarget, execute: Uint8Array | string | ExecuteDocument): Promise<PushOutcome> {
        const started = this.#clock.now();
        const key = target.device ?? target.ip;
        const quick = (code: PushCode, message: string, extra: Partial<PushOutcome> = {}): Promise<PushOutcome> =>
            Promise.resolve(this.#finish({ ok: false, code, phone: key, message, ...extra }, 0, started));
        if (this.#closed) return quick("PUSH_CLOSED", "push client is closed");
        const url = pushUrl(this.#template, target);
        if (url === undefined) return quick("PUSH_BAD_TARGET", "target lacks a valid value for the push URL template");
        const body =
            typeof execute === "string"
                ? formBody(encodeLossy(execute, "ISO-8859-1"))
                : execute instanceof Uint8Array
                  ? formBody(execute)
                  : execute.body;
        if (body.length > this.#maxBody) {
            return quick("PUSH_TOO_LARGE", `push body is ${body.length} bytes (limit ${this.#maxBody})`, { url });
        }
        let lane = this.#lanes.get(key);
        if (lane === undefined) {
            lane = { jobs: [], running: false };
            this.#lanes.set(key, lane);
        }
        if (lane.jobs.length >= this.#maxQueue) {
            return quick("PUSH_QUEUE_FULL", `${lane.jobs.length} pushes already waiting for this phone`, { url });
        }
        const { promise, resolve } = deferred<PushOutcome>();
        lane.jobs.push({ target, key, body, started, resolve });
        if (!lane.running) void this.#runLane(key, lane);
        return promise;
    }

    /** Forgets the credentials back-off of one phone (or of all), e.g. after the credentials were fixed. */
    clearAuthBackoff(phone?: string): void {
        if (phone === undefined) this.#authBlocked.clear();
        else this.#authBlocked.delete(phone);
    }

    /** Phones currently left alone after a credentials failure, with the time left (ms). */
    authBackoffs(): { phone: string; remainingMs: number }[] {
        const now = this.#clock.now();
        const out: { phone: string; remainingMs: number }[] = [];
        for (const [phone, until] of this.#authBlocked) if (until > now) out.push({ phone, remainingMs: until - now });
        return out;
    }

    /** Requests in flight now. */
    get active(): number {
        return this.#active;
    }

    /** Stops: queued pushes resolve PUSH_CLOSED, requests in flight are aborted (PUSH_CLOSED). */
    close(): void {
        this.#closed = true;
        for (const req of this.#inflight) req.destroy();
        for (const lane of this.#lanes.values()) {
            for (const job of lane.jobs.splice(0)) {
                job.resolve(
                    this.#finish(
                        { ok: false, code: "PUSH_CLOSED", phone: job.key, message: "push client closed" },
                        0,
                        job.started,
                    ),
                );
            }
        }
        for (const w of this.#waiters.splice(0)) w();
    }

    async #runLane(key: string, lane: Lane): Promise<void> {
        lane.running = true;
        for (let job = lane.jobs.shift(); job !== undefined; job = lane.jobs.shift()) {
            job.resolve(await this.#run(job));
        }
        lane.running = false;
        this.#lanes.delete(key);
    }

    /** All attempts of one push. */
    async #run(job: Job): Promise<PushOutcome> {
        const url = pushUrl(this.#template, job.target)!;
        const base = { phone: job.key, url };
        let attempts = 0;
        for (;;) {
            if (this.#closed) {
                return this.#finish(
                    { ok: false, code: "PUSH_CLOSED", message: "push client closed", ...base },
                    attempts,
                    job.started,
                );
            }
            const until = this.#authBlocked.get(job.key);
            const now = this.#clock.now();
            if (until !== undefined && until > now) {
                return this.#finish(
                    {
                        ok: false,
                        code: "PUSH_AUTH_BACKOFF",
                        message: "phone refused the push credentials recently; not retried until the back-off ends",
                        retryAfterMs: until - now,
                        ...base,
                    },
                    attempts,
                    job.started,
                );
            }
            if (until !== undefined) this.#authBlocked.delete(job.key);
            await this.#acquire();
            if (this.#closed) {
                this.#release();
                continue;
            }
            attempts++;
            let result: AttemptResult;
            try {
                result = await this.#attempt(url, job.body);
            } finally {
                this.#release();
            }
            const verdict = this.#classify(result);
            this.#log.debug(
                { phone: job.key, url, attempt: attempts, code: verdict.final ? verdict.outcome.code : verdict.code },
                "xsi push attempt",
            );
            if (verdict.final) {
                if (verdict.outcome.code === "PUSH_AUTH_FAILED") {
                    this.#authBlocked.set(job.key, this.#clock.now() + this.#authBackoffMs);
                }
                return this.#finish({ ...verdict.outcome, ...base }, attempts, job.started);
            }
            if (attempts >= this.#maxAttempts) {
                const last: Omit<PushOutcome, "attempts" | "elapsedMs"> = {
                    ok: false,
                    code: verdict.code,
                    message: `${verdict.message} (after ${attempts} attempts)`,
                    ...(verdict.httpStatus === undefined ? {} : { httpStatus: verdict.httpStatus }),
                    ...(verdict.cause === undefined ? {} : { cause: verdict.cause }),
                    ...base,
                };
                return this.#finish(last, attempts, job.started);
            }
            await sleepOn(this.#clock, backoffDelay(attempts, this.#backoff, this.#random));
        }
    }

    /** Maps an attempt's result onto a final outcome or a retryable failure. */
    #classify(r: AttemptResult): Verdict {
        if (r.kind === "closed")
            return {
                final: true,
                outcome: { ok: false, code: "PUSH_CLOSED", phone: "", message: "push client closed" },
            };
        if (r.kind === "timeout")
            return { final: false, code: "PUSH_TIMEOUT", message: `no answer within ${this.#timeoutMs} ms` };
        if (r.kind === "network")
            return { final: false, code: "PUSH_UNREACHABLE", message: `phone unreachable (${r.code})`, cause: r.code };
        const status = r.status;
        let reply: PhoneReply | undefined;
        if (!r.tooLarge) {
            try {
                reply = parsePhoneReply(r.body);
            } catch {
                reply = undefined;
            }
        }
        const fin = (o: Omit<PushOutcome, "attempts" | "elapsedMs" | "phone">): Verdict => ({
            final: true,
            outcome: { phone: "", httpStatus: status, ...o },
        });
        if (reply?.kind === "error") {
            if (reply.number === 4) {
                return fin({
                    ok: false,
                    code: "PUSH_AUTH_FAILED",
                    phoneError: 4,
                    message: "phone refused the push credentials (CiscoIPPhoneError 4)",
                });
            }
            return fin({
                ok: false,
                code: "PUSH_PHONE_ERROR",
                phoneError: reply.number,
                message: `phone answered CiscoIPPhoneError ${reply.number}${PHONE_ERRORS[reply.number] ? ` (${PHONE_ERRORS[reply.number]})` : ""}`,
            });
        }
        if (reply?.kind === "response") {
            // echoed URLs lose their query: it carries the per-request token of the screen URL
            const items = reply.items.map((i) => ({ ...i, url: i.url.replace(/\?.*$/s, "?…") }));
            const failed = items.filter((i) => i.status !== 0);
            if (failed.length === 0) return fin({ ok: true, code: "PUSH_OK", items, message: "executed" });
            return fin({
                ok: false,
                code: "PUSH_ITEM_FAILED",
                items,
                message: `${failed.length} of ${items.length} items failed`,
            });
        }
        if (status === 401 || status === 403) {
            return fin({
                ok: false,
                code: "PUSH_AUTH_FAILED",
                message: `phone refused the push credentials (HTTP ${status})`,
            });
        }
        if (status >= 500)
            return {
                final: false,
                code: "PUSH_HTTP_STATUS",
                message: `phone answered HTTP ${status}`,
                httpStatus: status,
            };
        if (status < 200 || status >= 300)
            return fin({ ok: false, code: "PUSH_HTTP_STATUS", message: `phone answered HTTP ${status}` });
        return fin({
            ok: false,
            code: "PUSH_BAD_RESPONSE",
            message: r.tooLarge ? "answer too large" : "answer is not a CiscoIPPhoneResponse or CiscoIPPhoneError",
        });
    }

    /** One HTTP POST. Never rejects. */
    #attempt(url: string, body: Buffer): Promise<AttemptResult> {
        return new Promise((resolve) => {
            let done = false;
            let timer: NodeJS.Timeout | undefined;
            let req: http.ClientRequest | undefined;
            const finish = (r: AttemptResult): void => {
                if (done) return;
                done = true;
                clearTimeout(timer);
                if (req !== undefined) this.#inflight.delete(req);
                resolve(r);
            };
            const mod = url.startsWith("https:") ? https : http;
            try {
                req = this.#request(mod, url, body);
            } catch (err) {
                finish({ kind: "network", code: (err as NodeJS.ErrnoException).code ?? "EINVAL" });
                return;
            }
            const r = req;
            this.#inflight.add(r);
            timer = setTimeout(() => {
                finish({ kind: "timeout" });
                r.destroy();
            }, this.#timeoutMs);
            r.on("error", (err: NodeJS.ErrnoException) => {
                finish(this.#closed ? { kind: "closed" } : { kind: "network", code: err.code ?? "EUNKNOWN" });
            });
            r.on("response", (res) => {
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (c: Buffer) => {
                    size += c.length;
                    if (size > MAX_REPLY_BYTES) {
                        finish({ kind: "http", status: res.statusCode ?? 0, body: Buffer.alloc(0), tooLarge: true });
                        r.destroy();
                        return;
                    }
                    chunks.push(c);
                });
                res.on("end", () =>
                    finish({ kind: "http", status: res.statusCode ?? 0, body: Buffer.concat(chunks), tooLarge: false }),
                );
                res.on("error", () =>
                    finish(this.#closed ? { kind: "closed" } : { kind: "network", code: "ECONNRESET" }),
                );
            });
            r.end(body);
        });
    }

    /** Opens the POST (headers only; the body is written by the caller). */
    #request(mod: typeof http | typeof https, url: string, body: Buffer): http.ClientRequest {
        return mod.request(url, {
            method: "POST",
            agent: false,
            headers: {
                "Content-Type": "application/x-www-form-urlencoded",
                "Content-Length": body.length,
                Authorization: this.#authorization,
                Connection: "close",
                "User-Agent": "callbackd",
            },
        });
    }

    #acquire(): Promise<void> {
        if (this.#active < this.#concurrency || this.#closed) {
            this.#active++;
            return Promise.resolve();
        }
        return new Promise((resolve) =>
            this.#waiters.push(() => {
                this.#active++;
                resolve();
            }),
        );
    }

    #release(): void {
        this.#active--;
        const next = this.#waiters.shift();
        if (next !== undefined) next();
    }

    #finish(o: Omit<PushOutcome, "attempts" | "elapsedMs">, attempts: number, started: number): PushOutcome {
        const outcome: PushOutcome = { ...o, attempts, elapsedMs: Math.max(0, this.#clock.now() - started) };
        if (!outcome.ok) {
            const level = outcome.code === "PUSH_AUTH_FAILED" ? "error" : "warn";
            this.#log[level](
                { phone: outcome.phone, url: outcome.url, code: outcome.code, attempts },
                `xsi push failed: ${outcome.message}`,
            );
        }
        return outcome;
    }
}

/** Cisco's CiscoIPPhoneError numbers (reference §1.4). */
const PHONE_ERRORS: Readonly<Record<number, string>> = {
    1: "error parsing the CiscoIPPhoneExecute object",
    2: "error framing the CiscoIPPhoneResponse object",
    3: "internal file error",
    4: "authentication error",
};

function positive(v: number | undefined, def: number, name: string): number {
    if (v === undefined) return def;
    if (!Number.isFinite(v) || v <= 0) {
        throw new ConfigError("CONFIG_INVALID", `push client option ${name} must be a positive number`, { key: name });
    }
    return v;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
    let resolve!: (v: T) => void;
    const promise = new Promise<T>((r) => {
        resolve = r;
    });
    return { promise, resolve };
}
