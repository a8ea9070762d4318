/**
 * In-repo logging fakes (in the manner of matter.js's mocks): a recording logger for unit tests of the pure
 * core, a logger that discards everything, and a memory destination that captures the real pino output.
 */
import { LOG_LEVELS } from "./levels.js";
import type { LogDestination, Logger } from "./logger.js";
import { redactDeep } from "./redact.js";

/** One recorded entry, flat like a pino JSON line: level, bindings, fields, msg. */
export type LogRecord = Record<string, unknown> & { level: string; msg?: string };

/** Numeric severity, pino's values; unknown names rank as "silent". */
function severity(level: string): number {
    const i = (LOG_LEVELS as readonly string[]).indexOf(level);
    return i < 0 || level === "silent" ? Number.POSITIVE_INFINITY : 60 - i * 10;
}

/** Logger that records entries in memory, with the same level rules and secret redaction as the real one. */
export class MemoryLogger implements Logger {
    level: string;
    /** Every entry logged through this logger or its children, in order. */
    readonly entries: LogRecord[];
    readonly #bindings: Record<string, unknown>;

    readonly fatal = (a: object | string, msg?: string): void => this.#log("fatal", a, msg);
    readonly error = (a: object | string, msg?: string): void => this.#log("error", a, msg);
    readonly warn = (a: object | string, msg?: string): void => this.#log("warn", a, msg);
    readonly info = (a: object | string, msg?: string): void => this.#log("info", a, msg);
    readonly debug = (a: object | string, msg?: string): void => this.#log("debug", a, msg);
    readonly trace = (a: object | string, msg?: string): void => this.#log("trace", a, msg);

    constructor(options: { level?: string; bindings?: Record<string, unknown>; entries?: LogRecord[] } = {}) {
        this.level = options.level ?? "trace";
        this.#bindings = options.bindings ?? {};
        this.entries = options.entries ?? [];
    }

    /** A child sharing this logger's entries, level (at creation) and bindings. */
    child(bindings: Record<string, unknown>): MemoryLogger {
        return new MemoryLogger({
            level: this.level,
            bindings: { ...this.#bindings, ...bindings },
            entries: this.entries,
        });
    }

    /** True when entries at `level` are recorded (never for "silent" or an unknown name). */
    isLevelEnabled(level: string): boolean {
        const s = severity(level);
        return s !== Number.POSITIVE_INFINITY && s >= severity(this.level);
    }

    /** The `msg` of every entry (optionally only at one level). */
    messages(level?: string): string[] {
        return this.entries.filter((e) => level === undefined || e.level === level).map((e) => e.msg ?? "");
    }

    /** Forgets recorded entries. */
    clear(): void {
        this.entries.length = 0;
    }

    #log(level: string, a: object | string, msg: string | undefined): void {
        if (!this.isLevelEnabled(level)) return;
        const fields = typeof a === "string" ? {} : a instanceof Error ? { err: a } : a;
        const text = typeof a === "string" ? a : (msg ?? (a instanceof Error ? a.message : undefined));
        const record = redactDeep({ ...this.#bindings, ...fields, level }) as LogRecord;
        if (text !== undefined) record.msg = text;
        this.entries.push(record);
    }
}

/** A recording logger (all levels by default). */
export function createMemoryLogger(options: { level?: string; bindings?: Record<string, unknown> } = {}): MemoryLogger {
    return new MemoryLogger(options);
}

const discard = (): void => {};

/** A logger that drops everything. */
export const noopLogger: Logger = {
    fatal: discard,
    error: discard,
    warn: discard,
    info: discard,
    debug: discard,
    trace: discard,
    child: () => noopLogger,
    isLevelEnabled: () => false,
    level: "silent",
};

/** A destination for configureLogging() that keeps the real pino lines and their parsed records. */
export interface MemoryDestination extends LogDestination {
    readonly lines: string[];
    readonly entries: LogRecord[];
    clear(): void;
}

/** Captures pino output in memory (for tests of code that logs through getLogger). */
export function createMemoryDestination(): MemoryDestination {
    const lines: string[] = [];
    const entries: LogRecord[] = [];
    return {
        lines,
        entries,
        write(line: string): void {
            lines.push(line);
            try {
                entries.push(JSON.parse(line) as LogRecord);
            } catch {
                entries.push({ level: "unknown", msg: line });
            }
        },
        clear(): void {
            lines.length = 0;
            entries.length = 0;
        },
    };
}
