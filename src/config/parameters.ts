/**
 * Service parameters: the knobs Cisco exposes under Service > Service Parameters > Cisco Extended Functions,
 * kept as data. The schema (schema.ts), the Config type (types.ts), defaults, env overrides and the
 * `callbackd params` listing are all derived from this table, so adding a parameter is one entry here.
 */

/** Value type of a service parameter. */
export type ParameterType = "integer" | "string" | "boolean";

/** Unit of a service parameter value (null: no unit, e.g. a file name). */
export type ParameterUnit = "port" | "ms" | "s" | "min" | "days" | "bytes" | "count" | null;

/** One service parameter. `key` is the dotted config path `<section>.<key>`. */
export interface ServiceParameter {
    /** Name as Cisco spells it in CallManager Administration. */
    readonly name: string;
    /** Config path, `<section>.<camelCaseKey>`. */
    readonly key: string;
    readonly type: ParameterType;
    readonly unit: ParameterUnit;
    readonly default: number | string | boolean;
    /** Inclusive bounds for integers. */
    readonly min?: number;
    readonly max?: number;
    /** ECMAScript regular expression (JSON Schema `pattern`) for strings. */
    readonly pattern?: string;
    /** What `pattern` means, for error messages (e.g. "a plain file name without a path"). */
    readonly patternHint?: string;
    /** Whether a change only takes effect after a service restart. */
    readonly requiresRestart: boolean;
    readonly description: string;
}

/** A plain file name: no path separators, no NUL, not "." or "..", at most 255 characters. */
const FILE_NAME = "^(?!\\.{1,2}$)[^/\\\\\\u0000]{1,255}$";

/** The table: the seven entries of the Cisco Call Back feature guide ("Setting the Cisco Extended Functions Service Parameters"), then the engine's own (section callback). */
// biome-ignore format: one parameter per line keeps additions a one-line diff
export const SERVICE_PARAMETERS = [
    { name: "CTI Connecting Port", key: "cti.port", type: "integer", unit: "port", default: 2748, min: 1, max: 65535, requiresRestart: true, description: "TCP port of Cisco CTIManager (QBE); also the default QBE port to capture." },
    { name: "Provider Open Call Time Out", key: "cti.providerOpenTimeoutMs", type: "integer", unit: "ms", default: 30000, min: 1000, max: 600000, requiresRestart: true, description: "Wait after a provider open request is issued to CTIManager." },
    { name: "HeartBeat Interval Time Out", key: "cti.heartbeatIntervalS", type: "integer", unit: "s", default: 30, min: 1, max: 3600, requiresRestart: true, description: "Interval of the heartbeats exchanged with CTIManager to keep the connection." },
    { name: "CTI Link Required", key: "cti.required", type: "boolean", unit: null, default: false, requiresRestart: true, description: "The deployment learns line states through CTI: with the CTI link down, presses get \"Service not available.\" (false: the mirrored SCCP is enough)." },
    { name: "Connection Retry Time Out", key: "service.connectionRetryTimeoutMs", type: "integer", unit: "ms", default: 60000, min: 1000, max: 3600000, requiresRestart: true, description: "Wait before reconnecting a dropped connection or retrying to open a capture interface." },
    { name: "Synchronous Request Time Out", key: "service.synchronousRequestTimeoutMs", type: "integer", unit: "ms", default: 20000, min: 100, max: 600000, requiresRestart: true, description: "Wait for the answer to a synchronous request." },
    { name: "Audio File Name", key: "phones.audioFileName", type: "string", unit: null, default: "CallBack.raw", pattern: FILE_NAME, patternHint: "a plain file name without a path", requiresRestart: true, description: "Plain file name of the 64 kbps mu-law alert sound phones play on Call Back notification." },
    { name: "CBB Change Notification TCP Port", key: "service.cbbChangeNotificationPort", type: "integer", unit: "port", default: 2552, min: 1, max: 65535, requiresRestart: true, description: "TCP port that receives database change notifications." },
    { name: "Call Back Guard Timer", key: "callback.guardTimeMs", type: "integer", unit: "ms", default: 3000, min: 0, max: 600000, requiresRestart: false, description: "Every device of the called number must stay idle this long before the caller is notified (ignores a brief on-hook)." },
    { name: "Call Back Protection Timer", key: "callback.protectionWindowMs", type: "integer", unit: "ms", default: 20000, min: 0, max: 3600000, requiresRestart: false, description: "Head start of the first requester: the other requesters of the same number are notified this long after it, if the number is still available." },
    { name: "Call Back Recall Timer", key: "callback.recallWindowMs", type: "integer", unit: "ms", default: 300000, min: 1000, max: 86400000, requiresRestart: false, description: "After the notification the request ends when the caller dials the number, or after this time." },
    { name: "Call Back Busy Expiry Timer", key: "callback.busyExpiryMin", type: "integer", unit: "min", default: 60, min: 1, max: 10080, requiresRestart: false, description: "A request made on a busy number ends unserved after this time." },
    { name: "Call Back No Answer Expiry Timer", key: "callback.noAnswerExpiryMin", type: "integer", unit: "min", default: 120, min: 1, max: 10080, requiresRestart: false, description: "A request made on a number that did not answer ends unserved after this time." },
    { name: "Maximum Call Back Requests Per Calling Phone", key: "callback.maxActivePerCaller", type: "integer", unit: "count", default: 1, min: 1, max: 10, requiresRestart: false, description: "Active requests one calling phone may have (the seed: one); beyond it the phone is offered to replace its oldest." },
    { name: "Maximum Call Back Requests Per Called Number", key: "callback.maxQueuePerCallee", type: "integer", unit: "count", default: 5, min: 1, max: 100, requiresRestart: false, description: "Requests queued on one called number, served in the order they were made; beyond it Call Back cannot be invoked." },
    { name: "Maximum Call Back Requests", key: "callback.maxRequests", type: "integer", unit: "count", default: 10000, min: 1, max: 1000000, requiresRestart: false, description: "Requests kept in all (bounds memory and the state snapshot); beyond it Call Back cannot be invoked." },
    { name: "Calling Phone Unregistered Timer", key: "callback.callerUnregisteredGraceS", type: "integer", unit: "s", default: 600, min: 0, max: 86400, requiresRestart: false, description: "The requests of a calling phone that stays unregistered this long end (a phone restart keeps them)." },
    { name: "Call Back Calling Phone Models", key: "callback.callerModels", type: "string", unit: null, default: "7960,7940,7912,7905", pattern: "^(\\*|[A-Za-z0-9 +-]+(,[A-Za-z0-9 +-]+)*)$", patternHint: "comma-separated model numbers or names (e.g. 7960,7940), or * for every model", requiresRestart: false, description: "Models that may activate Call Back (matched as a word of the phone's model name); * allows every model." },
    { name: "Call Back No Answer Requires Use", key: "callback.noAnswerRequiresUse", type: "boolean", unit: null, default: true, requiresRestart: false, description: "A request made on a number that did not answer waits until the number is used and hung up (off-hook/on-hook cycle); false: idle for the guard time after the request is enough." },
    { name: "Call Back Notification Retry Timer", key: "callback.notifyRetryMs", type: "integer", unit: "ms", default: 30000, min: 1000, max: 3600000, requiresRestart: false, description: "Wait before pushing a failed notification again (within the recall timer)." },
    { name: "Call Back Notification Attempts", key: "callback.notifyAttempts", type: "integer", unit: "count", default: 3, min: 1, max: 20, requiresRestart: false, description: "Pushes of one notification before the request ends as not deliverable." },
    { name: "Call Back Service Mode", key: "callback.mode", type: "string", unit: null, default: "serve", pattern: "^(serve|observe)$", patternHint: "serve or observe", requiresRestart: true, description: "serve: the box answers CallBack presses on the phones; observe: it decodes, models and decides as in serve, traces and reports its decisions (log, MQTT status, list-callbacks) but pushes nothing (for a cluster where CallManager or Cisco's Extended Functions serves Call Back itself)." },
    { name: "Cluster Knowledge Maximum Age", key: "cluster.knowledgeMaxAgeDays", type: "integer", unit: "days", default: 30, min: 1, max: 3650, requiresRestart: true, description: "What the box learned about a phone (numbers, softkeys, clock) is dropped when the phone has not been seen for this long." },
    { name: "Cluster Knowledge Write Delay", key: "cluster.knowledgeWriteDelayMs", type: "integer", unit: "ms", default: 5000, min: 0, max: 600000, requiresRestart: true, description: "Registrations and line changes are written to flash within this time, together (one write for a storm of registrations); a power cut loses at most this much of what was learned." },
    { name: "Redundancy Enabled", key: "redundancy.enabled", type: "boolean", unit: null, default: false, requiresRestart: true, description: "Join the site's redundancy group over MQTT (mqtt.url): the box first in the ordering is active, the others hot standbys (docs/REDUNDANCY.md)." },
    { name: "Redundancy Address", key: "redundancy.address", type: "string", unit: null, default: "", pattern: "^$|^[0-9A-Fa-f.:]{2,45}$", patternHint: "an IPv4 or IPv6 address, or empty", requiresRestart: true, description: "This box's address in the ordering (lowest first); empty: the host of http.publicUrl, else of http.listen, else the first non-internal IPv4." },
    { name: "Redundancy Priority", key: "redundancy.priority", type: "integer", unit: null, default: 100, min: 0, max: 255, requiresRestart: true, description: "Overrides the address ordering: a lower priority comes first; equal priorities are ordered by address." },
    { name: "Redundancy Heartbeat Interval", key: "redundancy.heartbeatMs", type: "integer", unit: "ms", default: 1000, min: 100, max: 60000, requiresRestart: true, description: "How often each box refreshes its announcement." },
    { name: "Redundancy Failover Time", key: "redundancy.staleAfterMs", type: "integer", unit: "ms", default: 3000, min: 300, max: 600000, requiresRestart: true, description: "A box whose announcement is not refreshed this long counts as gone (its MQTT Will usually says so sooner)." },
    { name: "Redundancy Settle Time", key: "redundancy.settleMs", type: "integer", unit: "ms", default: 1500, min: 0, max: 60000, requiresRestart: true, description: "After (re)connecting to the broker, wait this long for the other boxes' announcements before taking the active role." },
] as const satisfies readonly ServiceParameter[];

/** Literal type of the table's entries (used to derive the Config type). */
export type ServiceParameterEntry = (typeof SERVICE_PARAMETERS)[number];

/** Returns the parameter at a config path, or undefined. */
export function findParameter(key: string): ServiceParameter | undefined {
    return (SERVICE_PARAMETERS as readonly ServiceParameter[]).find((p) => p.key === key);
}

/** A parameter as published by `callbackd params --json`, with the current value when a config is given. */
export interface ParameterDescription {
    name: string;
    key: string;
    type: ParameterType;
    unit: ParameterUnit;
    default: number | string | boolean;
    min: number | null;
    max: number | null;
    pattern: string | null;
    requiresRestart: boolean;
    description: string;
    value?: unknown;
}

/** Reads a dotted path from a plain object. */
function valueAt(root: unknown, key: string): unknown {
    let node = root;
    for (const part of key.split(".")) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<string, unknown>)[part];
    }
    return node;
}

/** The table as JSON-ready records; `config` adds each parameter's current `value`. */
export function parametersJson(config?: object): ParameterDescription[] {
    return (SERVICE_PARAMETERS as readonly ServiceParameter[]).map((p) => {
        const out: ParameterDescription = {
            name: p.name,
            key: p.key,
            type: p.type,
            unit: p.unit,
            default: p.default,
            min: p.min ?? null,
            max: p.max ?? null,
            pattern: p.pattern ?? null,
            requiresRestart: p.requiresRestart,
            description: p.description,
        };
        if (config !== undefined) out.value = valueAt(config, p.key);
        return out;
    });
}

/** Formats a value for the text table. */
function cell(value: unknown): string {
    if (value === undefined) return "-";
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The table as aligned text for `callbackd params`; `config` adds a Value column, `verbose` the descriptions,
 * `parameters` replaces the table (tests).
 */
export function renderParameters(
    options: { config?: object; verbose?: boolean; parameters?: readonly ServiceParameter[] } = {},
): string {
    const { config, verbose = false } = options;
    const parameters: readonly ServiceParameter[] = options.parameters ?? SERVICE_PARAMETERS;
    const header = ["Name", "Key", ...(config ? ["Value"] : []), "Default", "Unit", "Range", "Restart"];
    const rows = parameters.map((p) => {
        const range = p.min !== undefined || p.max !== undefined ? `${p.min ?? ""}..${p.max ?? ""}` : "-";
        return [
            p.name,
            p.key,
            ...(config ? [cell(valueAt(config, p.key))] : []),
            cell(p.default),
            p.unit ?? "-",
            range,
            p.requiresRestart ? "yes" : "no",
        ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string =>
        cells
            .map((c, i) => c.padEnd(widths[i]!))
            .join("  ")
            .trimEnd();
    const out = [line(header), line(widths.map((w) => "-".repeat(w)))];
    parameters.forEach((p, i) => {
        out.push(line(rows[i]!));
        if (verbose) out.push(`    ${p.description}`);
    });
    return `${out.join("\n")}\n`;
}
