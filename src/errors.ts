/**
 * One error base with stable codes (as matter.js does with MatterError ids).
 * A code never changes once released: MQTT responses, console messages and alarms key on it.
 */
export abstract class CallbackdError extends Error {
    /** Stable machine-readable code, e.g. `CONFIG_INVALID`. */
    readonly code: string;
    /** Structured details safe to log and publish (never secrets). */
    readonly details: Readonly<Record<string, unknown>>;

    constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
        super(message, options);
        this.name = new.target.name;
        this.code = code;
        this.details = details;
    }

    toJSON(): { code: string; message: string; details: Readonly<Record<string, unknown>> } {
        return { code: this.code, message: this.message, details: this.details };
    }
}

/** Bad configuration: a file that does not parse, a key that fails the schema, a bad override. */
export class ConfigError extends CallbackdError {}

/** A capture source could not be opened or read (missing file, bad format, no pcap addon, no permission). */
export class CaptureError extends CallbackdError {}

/** Bytes that a codec cannot make sense of. Thrown only by strict entry points; pipelines count instead. */
export class DecodeError extends CallbackdError {}

/** Command-line misuse. */
export class UsageError extends CallbackdError {}

/** Normalises anything thrown into a CallbackdError-shaped record for output. */
export function describeError(err: unknown): { code: string; message: string } {
    if (err instanceof CallbackdError) return { code: err.code, message: err.message };
    if (err instanceof Error) return { code: "INTERNAL", message: err.message };
    return { code: "INTERNAL", message: String(err) };
}
