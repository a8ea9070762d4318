/**
 * The proposed `console` config section and the password hashing it uses. To adopt it, add
 * CONSOLE_SECTION_SCHEMA as `properties.console` in src/config/schema.ts and `console: ConsoleSectionConfig`
 * to ConfigShape in src/config/types.ts; `consoleOptionsFromSection()` (index.ts) then feeds startConsoles().
 */
import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";
import type { SchemaNode } from "../config/schema.js";

/** node:crypto, loaded on the first hash: loading the configuration (every command, `decode` too) must not pay for it. */
let cryptoModule: typeof Crypto | undefined;
function crypto(): typeof Crypto {
    if (cryptoModule === undefined) cryptoModule = createRequire(import.meta.url)("node:crypto") as typeof Crypto;
    return cryptoModule;
}

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

/** Defaults (a Raspberry Pi's primary UART at 115200). */
export const CONSOLE_DEFAULTS: ConsoleSectionConfig = {
    device: "/dev/serial0",
    baudRate: 115200,
    passwordHash: null,
    enablePasswordHash: null,
    tcpEnabled: true,
    idleTimeoutS: 600,
    maxFailures: 3,
    lockoutS: 30,
};

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
            default: CONSOLE_DEFAULTS.device,
            requiresRestart: true,
            description: "Serial device of the console; null: none.",
        },
        baudRate: {
            type: "integer",
            enum: [9600, 19200, 38400, 57600, 115200, 230400],
            default: CONSOLE_DEFAULTS.baudRate,
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
            default: CONSOLE_DEFAULTS.idleTimeoutS,
            requiresRestart: false,
            description: "Idle session logout.",
        },
        maxFailures: {
            type: "integer",
            minimum: 1,
            maximum: 100,
            default: CONSOLE_DEFAULTS.maxFailures,
            requiresRestart: false,
            description: "Failed logins before a lockout.",
        },
        lockoutS: {
            type: "integer",
            minimum: 1,
            maximum: 3600,
            default: CONSOLE_DEFAULTS.lockoutS,
            requiresRestart: false,
            description: "Lockout after too many failed logins.",
        },
    },
};

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64 salt and hash); `cost` is scrypt's N. */
export function hashPassword(password: string, cost: number = N, salt: Buffer = crypto().randomBytes(16)): string {
    const hash = crypto().scryptSync(password, salt, KEYLEN, { N: cost, r: R, p: P });
    return `scrypt$${cost}$${R}$${P}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** Checks a password against a hashPassword() string (false for malformed hashes). */
export function verifyPassword(password: string, stored: string | null): boolean {
    if (stored === null) return false;
    const parts = stored.split("$");
    if (parts.length !== 6 || parts[0] !== "scrypt") return false;
    const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    const salt = Buffer.from(parts[4] ?? "", "base64");
    const want = Buffer.from(parts[5] ?? "", "base64");
    if (!Number.isInteger(n) || n < 2 || n > 1 << 20 || !Number.isInteger(r) || !Number.isInteger(p)) return false;
    if (want.length === 0 || want.length > 128) return false;
    try {
        const got = crypto().scryptSync(password, salt, want.length, { N: n, r, p, maxmem: 256 * 1024 * 1024 });
        return crypto().timingSafeEqual(got, want);
    } catch {
        return false;
    }
}
