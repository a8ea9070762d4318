/** Property names whose values are never logged or echoed in error messages. */
export const SECRET_KEYS = [
    "password",
    "pushPassword",
    "passwordHash",
    "enablePasswordHash",
    "secret",
    "token",
    "authorization",
] as const;

/** What a redacted value is replaced with. */
export const CENSOR = "[Redacted]";

/** Depth (number of enclosing objects) down to which pino redacts: `password`, `*.password`, … */
const REDACT_DEPTH = 4;

const SECRET_SET = new Set<string>(SECRET_KEYS.map((k) => k.toLowerCase()));

/** True for a property name that holds a secret (case-insensitive, so `Authorization` headers count). */
export function isSecretKey(name: string): boolean {
    return SECRET_SET.has(name.toLowerCase());
}

/** pino `redact.paths`: every secret key (and its capitalised form) at depth 0..REDACT_DEPTH. */
export function redactPaths(): string[] {
    const names = new Set<string>();
    for (const k of SECRET_KEYS) {
        names.add(k);
        names.add(k.charAt(0).toUpperCase() + k.slice(1));
    }
    const paths: string[] = [];
    for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
        for (const n of names) paths.push(`${"*.".repeat(depth)}${n}`);
    }
    return paths;
}

/** Copy of `value` with every (set) secret key's value replaced by CENSOR, at any depth (a cycle becomes "[Circular]"). */
export function redactDeep(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
    if (value === null || typeof value !== "object") return value;
    if (seen.has(value)) return "[Circular]";
    seen.add(value);
    let out: unknown;
    if (value instanceof Error) out = { type: value.name, message: value.message, stack: value.stack };
    else if (Array.isArray(value)) out = value.map((v) => redactDeep(v, seen));
    else {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            // defineProperty: a "__proto__" key stays an own property instead of replacing the prototype
            Object.defineProperty(obj, k, {
                // An unset secret (null) stays null: "not configured" is worth seeing and reveals nothing.
                value: isSecretKey(k) && v !== null && v !== undefined ? CENSOR : redactDeep(v, seen),
                enumerable: true,
                writable: true,
                configurable: true,
            });
        }
        out = obj;
    }
    seen.delete(value);
    return out;
}
