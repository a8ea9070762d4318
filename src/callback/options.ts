/**
 * Engine options: the `callback` service parameters (defaults from the parameter table, so they cannot
 * drift) plus the few knobs that are not service parameters.
 */
import { findParameter } from "../config/parameters.js";
import type { Config } from "../config/types.js";

/** Everything the engine's rules depend on. */
export interface EngineOptions {
    guardTimeMs: number;
    protectionWindowMs: number;
    recallWindowMs: number;
    busyExpiryMin: number;
    noAnswerExpiryMin: number;
    maxActivePerCaller: number;
    maxQueuePerCallee: number;
    maxRequests: number;
    callerUnregisteredGraceS: number;
    /** Comma-separated model numbers/names allowed to activate, or "*". */
    callerModels: string;
    noAnswerRequiresUse: boolean;
    notifyRetryMs: number;
    notifyAttempts: number;
    /** A request not durable after this long fails with "Call Back Service Failure." (Synchronous Request Time Out). */
    persistTimeoutMs: number;
    /** How long the OK of an "already active" screen stays usable. */
    offerTtlMs: number;
}

/** Default of a `callback.*` parameter from the table. */
function tableDefault<T extends number | boolean | string>(key: string, fallback: T): T {
    const p = findParameter(`callback.${key}`);
    return (p === undefined ? fallback : p.default) as T;
}

/** Defaults (the parameter table's, and the seed's Synchronous Request Time Out for persistence). */
export const DEFAULT_ENGINE_OPTIONS: Readonly<EngineOptions> = Object.freeze({
    guardTimeMs: tableDefault("guardTimeMs", 3000),
    protectionWindowMs: tableDefault("protectionWindowMs", 20000),
    recallWindowMs: tableDefault("recallWindowMs", 300000),
    busyExpiryMin: tableDefault("busyExpiryMin", 60),
    noAnswerExpiryMin: tableDefault("noAnswerExpiryMin", 120),
    maxActivePerCaller: tableDefault("maxActivePerCaller", 1),
    maxQueuePerCallee: tableDefault("maxQueuePerCallee", 5),
    maxRequests: tableDefault("maxRequests", 10000),
    callerUnregisteredGraceS: tableDefault("callerUnregisteredGraceS", 600),
    callerModels: tableDefault("callerModels", "7960,7940,7912,7905"),
    noAnswerRequiresUse: tableDefault("noAnswerRequiresUse", true),
    notifyRetryMs: tableDefault("notifyRetryMs", 30000),
    notifyAttempts: tableDefault("notifyAttempts", 3),
    persistTimeoutMs: 20000,
    offerTtlMs: 300000,
});

/** Engine options from a loaded configuration. */
export function engineOptionsFromConfig(config: Config): EngineOptions {
    return {
        ...DEFAULT_ENGINE_OPTIONS,
        ...config.callback,
        persistTimeoutMs: config.service.synchronousRequestTimeoutMs,
    };
}

/** A compiled model list: null allows every model. */
export type ModelMatcher = readonly RegExp[] | null;

/** Compiles `callerModels`: each entry matches at a word start of the model name, case-insensitively. */
export function compileModels(list: string): ModelMatcher {
    const entries = list
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    if (entries.length === 0 || entries.includes("*")) return null;
    return entries.map((e) => {
        const escaped = e.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        // "7960" matches "Cisco IP Phone 7960" and "7960G", not "79601" or "17960"
        return new RegExp(`(?:^|[^A-Za-z0-9])${escaped}(?![0-9])`, "i");
    });
}

/**
 * Whether a calling phone's model may activate Call Back. An unknown model is allowed: the press itself shows
 * the phone has the softkey, and refusing on missing knowledge would be worse.
 */
export function modelAllowed(model: string | null, matcher: ModelMatcher): boolean {
    if (matcher === null || model === null) return true;
    return matcher.some((re) => re.test(model));
}

/** Options with the model list compiled once: what the engine's rooms read. */
export interface ResolvedOptions extends EngineOptions {
    models: ModelMatcher;
}

/** Compiles the options the engine runs with (again on every `configure`). */
export function resolveOptions(o: EngineOptions): ResolvedOptions {
    return { ...o, models: compileModels(o.callerModels) };
}
