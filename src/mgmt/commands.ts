/**
 * Commands: request parsing, idempotency by id, expiry, read-only refusal, argument validation and the
 * handlers. Transport-free: the MQTT layer hands in the topic's command name and the payload, and
 * publishes the response this returns. The Call Back operations come through the ServiceApi port, which
 * the service implements later (async functions returning plain data or throwing CallbackdError).
 */
import { createRequire } from "node:module";
import type { Ajv as AjvClass, ValidateFunction } from "ajv";
import { jsonTooDeep } from "../config/json.js";
import { describeError } from "../errors.js";
import { MgmtError, type ResponseError, toResponseError } from "./errors.js";
import { COMMAND_PATTERN } from "./topics.js";

/** The Call Back operations the management plane exposes; implemented by the service. */
export interface ServiceApi {
    /** Pending and recent Call Back requests (optionally only those in one state), at most `limit`. */
    listCallbacks(query: { state?: string; limit: number }): Promise<unknown>;
    /** Cancels one request; throws a CallbackdError (e.g. code `CALLBACK_NOT_FOUND`) when it cannot. */
    cancelCallback(id: string): Promise<unknown>;
    /** Known phones (optionally those whose name, number or user contains `filter`), at most `limit`. */
    showPhones(query: { filter?: string; limit: number }): Promise<unknown>;
    /** One phone by device name (e.g. `SEP001122334455`). */
    showPhone(name: string): Promise<unknown>;
    /** Writes a state snapshot to flash now; resolves when it is durable. */
    snapshotNow(): Promise<unknown>;
    /** Extra fields for the `status` command (optional). */
    status?(): Promise<Record<string, unknown>>;
}

/** Status of a response. */
export type ResponseStatus = "ok" | "accepted" | "error";

/** A command response (JSON on `res/<command>` or the requester's MQTT 5 response topic). */
export interface CommandResponse {
    /** The request's id (null when it had none or could not be read). */
    id: string | null;
    command: string;
    status: ResponseStatus;
    data: unknown;
    error?: ResponseError;
    ts: number;
}

/** What a handler returns. */
export interface HandlerResult {
    /** Default "ok"; "accepted" when the work goes on after the response. */
    status?: "ok" | "accepted";
    data: unknown;
    /** Runs after the response is published (e.g. the restart itself). */
    after?: () => Promise<void> | void;
}

/** One command. */
export interface CommandHandler {
    /** Refused in read-only mode. */
    mutating: boolean;
    /** JSON schema of `args`. */
    args: Record<string, unknown>;
    /** One line for the meta topic and the docs. */
    description: string;
    run(args: Record<string, unknown>): Promise<HandlerResult>;
}

/** The outcome of one request. */
export interface CommandOutcome {
    response: CommandResponse;
    after?: () => Promise<void> | void;
    /** True when served from the idempotency cache (a redelivery). */
    replayed: boolean;
}

/** Options of CommandProcessor. */
export interface CommandProcessorOptions {
    handlers: Readonly<Record<string, CommandHandler>>;
    readOnly: () => boolean;
    now?: () => number;
    /** Responses remembered for idempotency (default 256). */
    cacheSize?: number;
    /** How long a response is remembered (default 10 min). */
    cacheTtlMs?: number;
    /** Called with every error response that is not a caller mistake, for the log. */
    onInternalError?: (command: string, err: unknown) => void;
}

/** Counters of the processor. */
export interface CommandStats {
    received: number;
    ok: number;
    accepted: number;
    errors: number;
    replayed: number;
}

interface CacheEntry {
    fingerprint: string;
    at: number;
    outcome: Promise<CommandOutcome>;
}

const MAX_ID = 128;
/** Deepest JSON nesting accepted in a payload: deeper documents would overflow the recursive walkers. */
export const MAX_JSON_DEPTH = 32;

/** Canonical JSON (sorted keys) for comparing documents. */
export function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (typeof v === "object" && v !== null) {
        const obj = v as Record<string, unknown>;
        return `{${Object.keys(obj)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}

/** Parses, checks and runs requests. */
export class CommandProcessor {
    readonly #handlers: Readonly<Record<string, CommandHandler>>;
    readonly #validators = new Map<string, ValidateFunction>();
    readonly #readOnly: () => boolean;
    readonly #now: () => number;
    readonly #cacheSize: number;
    readonly #ttl: number;
    readonly #onInternal: (command: string, err: unknown) => void;
    readonly #cache = new Map<string, CacheEntry>();
    readonly stats: CommandStats = { received: 0, ok: 0, accepted: 0, errors: 0, replayed: 0 };

    constructor(options: CommandProcessorOptions) {
        this.#handlers = options.handlers;
        this.#readOnly = options.readOnly;
        this.#now = options.now ?? Date.now;
        this.#cacheSize = options.cacheSize ?? 256;
        this.#ttl = options.cacheTtlMs ?? 600_000;
        this.#onInternal = options.onInternalError ?? (() => {});
        // ajv is loaded with the MQTT management plane only, not by every start (configControl imports this module)
        const { Ajv } = createRequire(import.meta.url)("ajv") as { Ajv: typeof AjvClass };
        const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
        for (const [name, h] of Object.entries(this.#handlers)) this.#validators.set(name, ajv.compile(h.args));
    }

    /** Names of the commands, sorted. */
    get commands(): string[] {
        return Object.keys(this.#handlers).sort();
    }

    /**
     * Handles one request. `topicCommand` is the name from `cmd/<name>`, or null for the `cmd` topic (the
     * payload then names it in `command`).
     */
    async handle(topicCommand: string | null, payload: Uint8Array | string): Promise<CommandOutcome> {
        this.stats.received++;
        const now = this.#now();
        let request: Record<string, unknown>;
        try {
            const text =
                typeof payload === "string" ? payload : new TextDecoder("utf-8", { fatal: true }).decode(payload);
            const parsed: unknown = text.trim() === "" ? {} : JSON.parse(text);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
                throw new MgmtError("bad_request", "the request must be a JSON object");
            }
            if (jsonTooDeep(parsed, MAX_JSON_DEPTH)) {
                throw new MgmtError("bad_request", `the request nests deeper than ${MAX_JSON_DEPTH} levels`);
            }
            request = parsed as Record<string, unknown>;
        } catch (err) {
            const e =
                err instanceof MgmtError
                    ? err
                    : new MgmtError("bad_request", `the request is not valid JSON: ${describeError(err).message}`);
            return this.#count(this.#error(null, topicCommand ?? "unknown", e, now));
        }
        const rawId = request.id;
        let id: string | null = null;
        if (typeof rawId === "string" && rawId.length > 0 && rawId.length <= MAX_ID) id = rawId;
        else if (typeof rawId === "number" && Number.isSafeInteger(rawId)) id = String(rawId);
        else if (rawId !== undefined && rawId !== null) {
            const e = new MgmtError("bad_request", `id must be a string of 1-${MAX_ID} characters or an integer`);
            return this.#count(this.#error(null, topicCommand ?? "unknown", e, now));
        }
        let command = topicCommand;
        if (request.command !== undefined) {
            if (typeof request.command !== "string" || (command !== null && request.command !== command)) {
                const e = new MgmtError("bad_request", "command in the payload does not match the topic");
                return this.#count(this.#error(id, command ?? "unknown", e, now));
            }
            command = request.command;
        }
        if (command === null) {
            const e = new MgmtError("bad_request", 'a request on the cmd topic must name its "command"');
            return this.#count(this.#error(id, "unknown", e, now));
        }
        if (id === null) return this.#count(await this.#execute(null, command, request, now));

        this.#prune(now);
        const fp = canonical({ command, args: request.args ?? {} });
        const cached = this.#cache.get(id);
        if (cached !== undefined) {
            if (cached.fingerprint !== fp) {
                const e = new MgmtError(
                    "conflict",
                    `id ${JSON.stringify(id)} was already used for a different request`,
                );
                return this.#count(this.#error(id, command, e, now));
            }
            this.stats.replayed++;
            const o = await cached.outcome;
            // The side effect already happened: a redelivery gets the response, not the effect again.
            return { response: o.response, replayed: true };
        }
        const outcome = this.#execute(id, command, request, now).then((o) => this.#count(o));
        this.#cache.set(id, { fingerprint: fp, at: now, outcome });
        while (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
        return outcome;
    }

    async #execute(
        id: string | null,
        command: string,
        request: Record<string, unknown>,
        now: number,
    ): Promise<CommandOutcome> {
        const handler =
            COMMAND_PATTERN.test(command) && Object.hasOwn(this.#handlers, command)
                ? this.#handlers[command]
                : undefined;
        if (handler === undefined) {
            return this.#error(
                id,
                command,
                new MgmtError("unknown_command", `unknown command ${JSON.stringify(command)}`, {
                    commands: this.commands,
                }),
                now,
            );
        }
        const expiresAt = request.expiresAt;
        if (expiresAt !== undefined && expiresAt !== null) {
            if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) {
                return this.#error(
                    id,
                    command,
                    new MgmtError("bad_request", "expiresAt must be a time in ms since the epoch"),
                    now,
                );
            }
            if (expiresAt <= now) {
                return this.#error(
                    id,
                    command,
                    new MgmtError("expired", `the request expired at ${new Date(expiresAt).toISOString()}`),
                    now,
                );
            }
        }
        if (handler.mutating && this.#readOnly()) {
            return this.#error(id, command, new MgmtError("forbidden", `read-only mode: ${command} is refused`), now);
        }
        const args = request.args === undefined ? {} : structuredClone(request.args);
        const validate = this.#validators.get(command)!;
        if (typeof args !== "object" || args === null || Array.isArray(args)) {
            return this.#error(id, command, new MgmtError("bad_request", "args must be an object"), now);
        }
        if (!validate(args)) {
            const message = (validate.errors ?? [])
                .map((e) => {
                    const where = e.instancePath === "" ? "args" : `args${e.instancePath.replace(/\//g, ".")}`;
                    const extra =
                        e.keyword === "additionalProperties" ? ` (${String(e.params.additionalProperty)})` : "";
                    return `${where} ${e.message ?? e.keyword}${extra}`;
                })
                .join("; ");
            return this.#error(id, command, new MgmtError("bad_request", message), now);
        }
        try {
            const r = await handler.run(args as Record<string, unknown>);
            const response: CommandResponse = {
                id,
                command,
                status: r.status ?? "ok",
                data: r.data ?? {},
                ts: this.#now(),
            };
            return r.after === undefined
                ? { response, replayed: false }
                : { response, after: r.after, replayed: false };
        } catch (err) {
            const out = this.#error(id, command, err, now);
            if (out.response.error?.code === "internal") this.#onInternal(command, err);
            return out;
        }
    }

    #error(id: string | null, command: string, err: unknown, now: number): CommandOutcome {
        return {
            response: { id, command, status: "error", data: {}, error: toResponseError(err), ts: now },
            replayed: false,
        };
    }

    #count(o: CommandOutcome): CommandOutcome {
        if (o.response.status === "ok") this.stats.ok++;
        else if (o.response.status === "accepted") this.stats.accepted++;
        else this.stats.errors++;
        return o;
    }

    #prune(now: number): void {
        for (const [id, e] of this.#cache) {
            if (now - e.at < this.#ttl) break;
            this.#cache.delete(id);
        }
    }
}
