/** Log levels (pino's names), most severe first; `silent` turns a logger off. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Cisco SDI trace levels (CallManager Serviceability > Trace Configuration) and the pino level each maps to,
 * so operators can use the words they know on the console and over MQTT.
 */
export const SDI_TRACE_LEVELS: Readonly<Record<string, LogLevel>> = {
    error: "error",
    special: "warn",
    "state transition": "info",
    significant: "debug",
    "entry/exit": "debug",
    arbitrary: "trace",
    detailed: "trace",
};

/** Namespace syntax: dot-separated segments of letters, digits, `_` and `-` (e.g. `wire.reassembly`). */
export const NAMESPACE_PATTERN = "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$";
const NAMESPACE_RE = new RegExp(NAMESPACE_PATTERN);

/** True for a valid module namespace. */
export function isNamespace(ns: string): boolean {
    return NAMESPACE_RE.test(ns);
}

/** True for one of LOG_LEVELS. */
export function isLogLevel(value: unknown): value is LogLevel {
    return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Parses a pino level or a Cisco SDI trace level name (case-insensitive); undefined when neither. */
export function parseLevel(text: string): LogLevel | undefined {
    const norm = text
        .trim()
        .toLowerCase()
        .replace(/[\s_]+/g, " ");
    if (isLogLevel(norm)) return norm;
    const sdi = norm.replace(/ ?\/ ?/g, "/");
    return Object.hasOwn(SDI_TRACE_LEVELS, sdi) ? SDI_TRACE_LEVELS[sdi] : undefined;
}
