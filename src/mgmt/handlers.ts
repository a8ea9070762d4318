/**
 * The built-in commands. Management ones (status, get-config, set-parameter, set-trace-level, resync,
 * restart) are implemented here; the Call Back ones (list-callbacks, cancel-callback, show-phones,
 * show-phone, snapshot-now) call the ServiceApi port.
 */
import { levels, setLevel } from "../logging/logger.js";
import type { CommandHandler, HandlerResult, ServiceApi } from "./commands.js";
import type { ConfigControl } from "./configControl.js";
import { MgmtError } from "./errors.js";

/** What the built-in handlers need. */
export interface HandlerDeps {
    /** The `status` data (the management plane's own view). */
    status(): Promise<Record<string, unknown>>;
    config: ConfigControl;
    /** The Call Back service; its commands answer `internal` until it is attached. */
    service?: () => ServiceApi | undefined;
    /** Republishes birth, meta, active alarms and reported config; returns what was republished. */
    resync(): Promise<unknown>;
    /** Restarts the service (called after the `accepted` response is out). */
    restart?: () => Promise<void> | void;
    /** Sets a log level (default: the logging module's setLevel). */
    setTraceLevel?: (module: string, level: string) => void;
}

const NO_ARGS = { type: "object", additionalProperties: false, properties: {} };
const LIMIT = { type: "integer", minimum: 1, maximum: 1000, default: 100 };

/** The attached service, or an `internal` error. */
function need(deps: HandlerDeps): ServiceApi {
    const s = deps.service?.();
    if (s === undefined) throw new MgmtError("internal", "the Call Back service is not attached");
    return s;
}

/** Wraps plain data as an ok result. */
function ok(data: unknown): HandlerResult {
    return { data };
}

/** The built-in command table. */
export function builtInHandlers(deps: HandlerDeps): Record<string, CommandHandler> {
    const setTrace = deps.setTraceLevel ?? setLevel;
    return {
        status: {
            mutating: false,
            args: NO_ARGS,
            description: "Liveness, versions, session, alarms, outbox and configuration summary.",
            run: async () => {
                const base = await deps.status();
                const svc = deps.service?.();
                return ok(svc?.status === undefined ? base : { ...base, service: await svc.status() });
            },
        },
        "get-config": {
            mutating: false,
            args: NO_ARGS,
            description: "The accepted configuration (secrets redacted) and the keys waiting for a restart.",
            run: async () => ok(deps.config.describe()),
        },
        "set-parameter": {
            mutating: true,
            args: {
                type: "object",
                additionalProperties: false,
                required: ["key", "value"],
                properties: { key: { type: "string", minLength: 1, maxLength: 256 }, value: {} },
            },
            description: "Sets one configuration key, validated with the whole configuration.",
            run: async (args) => ok(await deps.config.setParameter(args.key as string, args.value)),
        },
        "save-config": {
            mutating: true,
            args: NO_ARGS,
            description: "Saves the running configuration for the next start (console: write memory).",
            run: async () => ok(await deps.config.saveConfig()),
        },
        "set-trace-level": {
            mutating: true,
            args: {
                type: "object",
                additionalProperties: false,
                required: ["level"],
                properties: {
                    level: { type: "string", minLength: 1, maxLength: 32 },
                    module: { type: "string", minLength: 1, maxLength: 128, default: "*" },
                },
            },
            description: "Sets the log level of a module (or `*`); pino or Cisco SDI level names.",
            run: async (args) => {
                const module = args.module as string;
                setTrace(module, args.level as string);
                const row = levels().find((l) => l.namespace === module);
                return ok({ module, level: row?.level ?? args.level });
            },
        },
        resync: {
            mutating: false,
            args: NO_ARGS,
            description: "Republishes status, meta, the active alarm table and the reported configuration.",
            run: async () => ok(await deps.resync()),
        },
        restart: {
            mutating: true,
            args: NO_ARGS,
            description: "Restarts the service (answers accepted first).",
            run: async () => {
                const restart = deps.restart;
                if (restart === undefined) throw new MgmtError("internal", "restart is not available here");
                return { status: "accepted", data: { restarting: true }, after: () => restart() };
            },
        },
        "list-callbacks": {
            mutating: false,
            args: {
                type: "object",
                additionalProperties: false,
                properties: { state: { type: "string", minLength: 1, maxLength: 32 }, limit: LIMIT },
            },
            description: "Pending and recent Call Back requests.",
            run: async (args) => {
                const q: { state?: string; limit: number } = { limit: args.limit as number };
                if (typeof args.state === "string") q.state = args.state;
                return ok(await need(deps).listCallbacks(q));
            },
        },
        "cancel-callback": {
            mutating: true,
            args: {
                type: "object",
                additionalProperties: false,
                required: ["id"],
                properties: { id: { type: "string", minLength: 1, maxLength: 128 } },
            },
            description: "Cancels one Call Back request.",
            run: async (args) => ok(await need(deps).cancelCallback(args.id as string)),
        },
        "show-phones": {
            mutating: false,
            args: {
                type: "object",
                additionalProperties: false,
                properties: { filter: { type: "string", minLength: 1, maxLength: 64 }, limit: LIMIT },
            },
            description: "Known phones.",
            run: async (args) => {
                const q: { filter?: string; limit: number } = { limit: args.limit as number };
                if (typeof args.filter === "string") q.filter = args.filter;
                return ok(await need(deps).showPhones(q));
            },
        },
        "show-phone": {
            mutating: false,
            args: {
                type: "object",
                additionalProperties: false,
                required: ["name"],
                properties: { name: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,64}$" } },
            },
            description: "One phone by device name.",
            run: async (args) => ok(await need(deps).showPhone(args.name as string)),
        },
        "snapshot-now": {
            mutating: false,
            args: NO_ARGS,
            description: "Writes a state snapshot to flash now.",
            run: async () => ok(await need(deps).snapshotNow()),
        },
    };
}
