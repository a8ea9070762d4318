/**
 * Typed errors of the phone-facing building blocks. Codes are stable (alarms and MQTT key on them).
 * Details never carry secrets (push credentials stay inside the push client).
 */
import { CallbackdError } from "../errors.js";

/** A Call Back Dictionary file that cannot be used: details name the file, key and reason. */
export class LocaleError extends CallbackdError {}

/** An XSI object that would break Cisco's rules (limits, charset, URIs): thrown by the strict builders. */
export class XsiError extends CallbackdError {}
