/**
 * The password hashing of the diagnostic console. The `console` config section itself (type, schema and
 * defaults) lives with the configuration, in src/config/sections/console.ts.
 */
import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";
import { defaultsOf } from "../config/schemaNode.js";
import { CONSOLE_SECTION_SCHEMA, type ConsoleSectionConfig } from "../config/sections/console.js";

export type { ConsoleSectionConfig };

/** node:crypto, loaded on the first hash: loading the configuration (every command, `decode` too) must not pay for it. */
let cryptoModule: typeof Crypto | undefined;
function crypto(): typeof Crypto {
    if (cryptoModule === undefined) cryptoModule = createRequire(import.meta.url)("node:crypto") as typeof Crypto;
    return cryptoModule;
}

/** The section's defaults, from its schema (a Raspberry Pi's primary UART at 115200). */
export const CONSOLE_DEFAULTS: Readonly<ConsoleSectionConfig> = Object.freeze(
    defaultsOf<ConsoleSectionConfig>(CONSOLE_SECTION_SCHEMA),
);

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
