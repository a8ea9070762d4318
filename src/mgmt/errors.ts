/**
 * Errors of the management plane and the stable response codes of MQTT commands. A handler (or a
 * ServiceApi implementation) throws a CallbackdError; its code is mapped to one of RESPONSE_CODES and
 * kept as `reason` in the response, so a head-end can route on the short list and still see the detail.
 */
import { CallbackdError } from "../errors.js";

/** Error codes of command responses and rejected configurations. Never renamed once released. */
export const RESPONSE_CODES = [
    "bad_request",
    "unknown_command",
    "forbidden",
    "conflict",
    "expired",
    "internal",
] as const;

/** One of RESPONSE_CODES. */
export type ResponseCode = (typeof RESPONSE_CODES)[number];

/** An error whose code is already a response code (thrown by the command layer itself). */
export class MgmtError extends CallbackdError {
    declare readonly code: ResponseCode;

    constructor(code: ResponseCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
        super(code, message, details, options);
    }
}

/** The error object of a response. */
export interface ResponseError {
    code: ResponseCode;
    message: string;
    /** The thrower's own stable code when it differs from `code` (e.g. `CALLBACK_NOT_FOUND`). */
    reason?: string;
    /** Structured details (e.g. the list of invalid keys). */
    details?: Readonly<Record<string, unknown>>;
}

const SUFFIX_RULES: ReadonlyArray<[RegExp, ResponseCode]> = [
    [/(^|_)(INVALID|NOT_FOUND|BAD_REQUEST|USAGE|UNKNOWN)$/, "bad_request"],
    [/(^|_)(CONFLICT|EXISTS|STATE|BUSY)$/, "conflict"],
    [/(^|_)(FORBIDDEN|READ_ONLY|DENIED)$/, "forbidden"],
    [/(^|_)EXPIRED$/, "expired"],
];

/** Maps a CallbackdError code to a response code (a response code maps to itself). */
export function responseCodeOf(code: string): ResponseCode {
    if ((RESPONSE_CODES as readonly string[]).includes(code)) return code as ResponseCode;
    for (const [re, mapped] of SUFFIX_RULES) if (re.test(code.toUpperCase())) return mapped;
    return "internal";
}

/** The response error for anything thrown by a handler (messages of non-CallbackdErrors are not leaked). */
export function toResponseError(err: unknown): ResponseError {
    if (err instanceof CallbackdError) {
        const code = responseCodeOf(err.code);
        const out: ResponseError = { code, message: err.message };
        if (err.code !== code) out.reason = err.code;
        if (Object.keys(err.details).length > 0) out.details = err.details;
        return out;
    }
    return { code: "internal", message: "internal error (see the service log)" };
}
