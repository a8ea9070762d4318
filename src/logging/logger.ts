/**
 * Structured logging: pino JSON lines (stdout by default), one logger per module namespace, levels changeable
 * at run time (the home of the Cisco SDI trace levels), secrets redacted.
 *
 * One pino root is created on first use and never replaced: its destination is a switchable sink, so
 * loggers taken at import time (`const log = getLogger("wire")`) keep working after configureLogging().
 */
import pino from "pino";
import { ConfigError } from "../errors.js";
import { isNamespace, type LogLevel, parseLevel } from "./levels.js";
import { CENSOR, redactPaths } from "./redact.js";

/** A log method: `log.info("text")` or `log.info({ key: value }, "text")`. */
export interface LogFn {
    (msg: string): void;
    (obj: object, msg?: string): void;
}

/** The logging port used by the whole code base; pino loggers and the in-repo fakes implement it. */
export interface Logger {
    fatal: LogFn;
    error: LogFn;
    warn: LogFn;
    info: LogFn;
    debug: LogFn;
    trace: LogFn;
    /** A logger that adds `bindings` to every entry (and follows the parent's namespace level). */
    child(bindings: Record<string, unknown>): Logger;
    /** Cheap guard for building costly log arguments. */
    isLevelEnabled(level: string): boolean;
    /** Current level name. */
    level: string;
}

/** Where JSON lines go. */
export interface LogDestination {
    write(line: string): unknown;
}

/** Settings of configureLogging (the `log` config section plus a destination). */
export interface LoggingOptions {
    /** Default level of every module. */
    level?: LogLevel;
    /** Namespace → level; replaces all previous per-module levels when given. */
    modules?: Readonly<Record<string, LogLevel>>;
    /** Human-readable lines instead of JSON. */
    pretty?: boolean;
    /** Where lines go (default: stdout). */
    destination?: LogDestination;
}

/** One row of levels(). */
export interface LevelInfo {
    /** Namespace, or "*" for the default. */
    namespace: string;
    /** Effective level. */
    level: LogLevel;
    /** True when set for this namespace itself, false when inherited from a parent or the default. */
    explicit: boolean;
}

/** Binding that names a logger's module. */
const MODULE_KEY = "module";

/** Sink that forwards to a replaceable target (pino keeps one destination for its lifetime). */
class SwitchableSink implements LogDestination {
    target: LogDestination | undefined;
    pretty = false;

    write(line: string): void {
        if (this.target === undefined) this.target = pino.destination({ dest: 1, sync: true });
        this.target.write(this.pretty ? prettyLine(line) : line);
    }
}

const LEVEL_PAD = 5;

/** Formats one pino JSON line as `time LEVEL module: msg {extra}`; lines that are not JSON pass through. */
export function prettyLine(line: string): string {
    let rec: Record<string, unknown>;
    try {
        rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
        return line;
    }
    const { time, level, msg, [MODULE_KEY]: mod, ...rest } = rec;
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
    const where = mod === undefined ? "" : `${String(mod)}: `;
    const text = msg === undefined ? "" : String(msg);
    return `${String(time)} ${String(level).toUpperCase().padEnd(LEVEL_PAD)} ${where}${text}${extra}\n`;
}

/** Module-level logging state. */
interface State {
    sink: SwitchableSink;
    root: pino.Logger;
    defaultLevel: LogLevel;
    explicit: Map<string, LogLevel>;
    /** Module loggers by namespace. */
    loggers: Map<string, pino.Logger>;
    /** Children of module loggers (weakly held), by namespace, so level changes reach them too. */
    children: Map<string, Set<WeakRef<pino.Logger>>>;
}

let state: State | undefined;

/** Creates the root on first use. */
function getState(): State {
    if (state === undefined) {
        const sink = new SwitchableSink();
        const s: State = {
            sink,
            root: pino(
                {
                    level: "info",
                    base: undefined,
                    timestamp: pino.stdTimeFunctions.isoTime,
                    formatters: { level: (label) => ({ level: label }) },
                    redact: { paths: redactPaths(), censor: CENSOR },
                    onChild: (child) => trackChild(child),
                },
                sink,
            ),
            defaultLevel: "info",
            explicit: new Map(),
            loggers: new Map(),
            children: new Map(),
        };
        state = s;
    }
    return state;
}

/** Registers a child logger under its module so setLevel reaches it. */
function trackChild(child: pino.Logger): void {
    const ns = child.bindings()[MODULE_KEY];
    // module loggers themselves are registered by getLogger; only their descendants are tracked here
    if (typeof ns !== "string" || state === undefined || state.loggers.get(ns) === undefined) return;
    let set = state.children.get(ns);
    if (set === undefined) {
        set = new Set();
        state.children.set(ns, set);
    }
    if (set.size >= PRUNE_AT && (set.size & (set.size - 1)) === 0) prune(set);
    set.add(new WeakRef(child));
    child.level = effectiveLevel(ns);
}

/** Children tracked per namespace before dead references are swept (then again at each doubling). */
const PRUNE_AT = 1024;

/** Drops references to collected children. */
function prune(set: Set<WeakRef<pino.Logger>>): void {
    for (const ref of set) if (ref.deref() === undefined) set.delete(ref);
}

/** Level that applies to `ns`: its own, else its nearest parent's, else the default. */
function effectiveLevel(ns: string): LogLevel {
    const s = getState();
    let name = ns;
    let lvl = s.explicit.get(name);
    while (lvl === undefined) {
        const dot = name.lastIndexOf(".");
        if (dot < 0) return s.defaultLevel;
        name = name.slice(0, dot);
        lvl = s.explicit.get(name);
    }
    return lvl;
}

/** Applies effective levels to every module logger and live child. */
function refresh(): void {
    const s = getState();
    for (const [ns, logger] of s.loggers) logger.level = effectiveLevel(ns);
    for (const [ns, set] of s.children) {
        const lvl = effectiveLevel(ns);
        for (const ref of set) {
            const child = ref.deref();
            if (child === undefined) set.delete(ref);
            else child.level = lvl;
        }
    }
}

/** Validates a namespace for the strict entry points. */
function checkNamespace(ns: string): void {
    if (!isNamespace(ns)) {
        throw new ConfigError("CONFIG_INVALID", `log namespace ${JSON.stringify(ns)} is not valid`, {
            errors: [{ key: "log.modules", reason: `invalid namespace ${JSON.stringify(ns)}` }],
        });
    }
}

/** Parses a level name (pino or Cisco SDI), throwing ConfigError CONFIG_INVALID for anything else. */
function checkLevel(level: string): LogLevel {
    const lvl = parseLevel(level);
    if (lvl === undefined) {
        throw new ConfigError("CONFIG_INVALID", `unknown log level ${JSON.stringify(level)}`, {
            errors: [{ key: "log.level", reason: `unknown level ${JSON.stringify(level)}` }],
        });
    }
    return lvl;
}

/** The logger of a module namespace such as `wire.reassembly` (same object for the same namespace). */
export function getLogger(namespace: string): Logger {
    const s = getState();
    const existing = s.loggers.get(namespace);
    if (existing !== undefined) return existing;
    checkNamespace(namespace);
    const logger = s.root.child({ [MODULE_KEY]: namespace });
    logger.level = effectiveLevel(namespace);
    s.loggers.set(namespace, logger);
    return logger;
}

/**
 * Sets the level of a namespace (and its sub-namespaces without their own level), or the default with "*".
 * Takes effect at once on existing loggers. Accepts pino names and Cisco SDI trace level names.
 */
export function setLevel(namespace: string, level: string): void {
    const lvl = checkLevel(level);
    const s = getState();
    if (namespace === "*") s.defaultLevel = lvl;
    else {
        checkNamespace(namespace);
        s.explicit.set(namespace, lvl);
    }
    refresh();
}

/** Removes a namespace's own level so it inherits again. */
export function resetLevel(namespace: string): void {
    getState().explicit.delete(namespace);
    refresh();
}

/** The default level, then every known namespace (registered or configured) with its effective level. */
export function levels(): LevelInfo[] {
    const s = getState();
    const names = [...new Set([...s.loggers.keys(), ...s.explicit.keys()])].sort();
    return [
        { namespace: "*", level: s.defaultLevel, explicit: true },
        ...names.map((ns) => ({ namespace: ns, level: effectiveLevel(ns), explicit: s.explicit.has(ns) })),
    ];
}

/** Applies the `log` config section (and optionally a destination). Safe to call again for live changes. */
export function configureLogging(options: LoggingOptions): void {
    const s = getState();
    if (options.level !== undefined) s.defaultLevel = checkLevel(options.level);
    if (options.modules !== undefined) {
        const next = new Map<string, LogLevel>();
        for (const [ns, level] of Object.entries(options.modules)) {
            checkNamespace(ns);
            next.set(ns, checkLevel(level));
        }
        s.explicit = next;
    }
    if (options.pretty !== undefined) s.sink.pretty = options.pretty;
    if (options.destination !== undefined) s.sink.target = options.destination;
    refresh();
}

/** Sizes of the logger registry (module loggers, tracked children), for telemetry and tests. */
export function loggingStats(): { loggers: number; children: number } {
    const s = getState();
    let children = 0;
    for (const set of s.children.values()) children += set.size;
    return { loggers: s.loggers.size, children };
}

/** Back to the initial state: level info, no module levels, JSON to stdout. Loggers stay valid. For tests. */
export function resetLogging(): void {
    const s = getState();
    s.defaultLevel = "info";
    s.explicit.clear();
    s.sink.pretty = false;
    s.sink.target = undefined;
    refresh();
}
