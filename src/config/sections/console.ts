/** The `console` config section: serial device, loopback TCP port, login (see docs/CONSOLE.md). */
import type { SchemaNode } from "../schemaNode.js";

/** The `console` config section. */
export interface ConsoleSectionConfig {
    /** Serial device; null: no serial console. */
    device: string | null;
    baudRate: number;
    /** `scrypt$N$r$p$salt$hash` (see hashPassword / `callbackd console --hash`); null: console refuses logins. */
    passwordHash: string | null;
    /** Password of privileged mode (`enable`); null: the login password. */
    enablePasswordHash: string | null;
    /** The loopback TCP console on service.cbbChangeNotificationPort (the seed's 2552). */
    tcpEnabled: boolean;
    idleTimeoutS: number;
    /** Failed logins before a lockout, and its length. */
    maxFailures: number;
    lockoutS: number;
}

/** What a bad hash is told (the schema pattern itself means nothing to an operator). */
const HASH_HINT = "a hash made with `callbackd console --hash` (scrypt$N$r$p$salt$hash), or null";

const HASH_PATTERN = "^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$";

/** JSON schema of the section (draft-07, with the project's `requiresRestart` keyword). */
export const CONSOLE_SECTION_SCHEMA: SchemaNode = {
    type: "object",
    description: "Diagnostic console: serial device, loopback TCP port, login (see docs/CONSOLE.md).",
    additionalProperties: false,
    properties: {
        device: {
            type: ["string", "null"],
            minLength: 1,
            maxLength: 4096,
            default: "/dev/serial0",
            requiresRestart: true,
            description: "Serial device of the console; null: none.",
        },
        baudRate: {
            type: "integer",
            enum: [9600, 19200, 38400, 57600, 115200, 230400],
            default: 115200,
            requiresRestart: true,
            description: "Serial speed.",
        },
        passwordHash: {
            type: ["string", "null"],
            pattern: HASH_PATTERN,
            patternHint: HASH_HINT,
            default: null,
            requiresRestart: false,
            description: "scrypt hash of the console password (callbackd console --hash); null: logins refused.",
        },
        enablePasswordHash: {
            type: ["string", "null"],
            pattern: HASH_PATTERN,
            patternHint: HASH_HINT,
            default: null,
            requiresRestart: false,
            description: "scrypt hash of the enable password; null: the login password.",
        },
        tcpEnabled: {
            type: "boolean",
            default: true,
            requiresRestart: true,
            description: "Console on 127.0.0.1, port service.cbbChangeNotificationPort (2552).",
        },
        idleTimeoutS: {
            type: "integer",
            minimum: 10,
            maximum: 86400,
            default: 600,
            requiresRestart: false,
            description: "Idle session logout.",
        },
        maxFailures: {
            type: "integer",
            minimum: 1,
            maximum: 100,
            default: 3,
            requiresRestart: false,
            description: "Failed logins before a lockout.",
        },
        lockoutS: {
            type: "integer",
            minimum: 1,
            maximum: 3600,
            default: 30,
            requiresRestart: false,
            description: "Lockout after too many failed logins.",
        },
    },
};
