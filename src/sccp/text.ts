/**
 * Text helpers for SCCP bodies: Latin-1 strings, embedded display labels, IPv4/IPv6 and hex rendering.
 * Everything here works on byte offsets so the codec never copies a body to read a field.
 */
import { DISPLAY_LABELS_36, DISPLAY_LABELS_200 } from "./tables/labels.js";

/** Prefix byte of a label from table 200 (octal \200). */
export const LABEL_PREFIX_200 = 0x80;
/** Prefix byte of a label from table 36 (octal \36). */
export const LABEL_PREFIX_36 = 0x1e;

const HEX_DIGITS = "0123456789abcdef";
// Byte -> two hex digits, built once.
const HEX_BYTE: readonly string[] = Array.from(
    { length: 256 },
    (_, v) => HEX_DIGITS.charAt(v >> 4) + HEX_DIGITS.charAt(v & 15),
);

// Node's native Latin-1 slicer works on any Uint8Array and beats a JS loop past a few bytes.
const nativeLatin1 = (
    Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, s: number, e: number) => string }
).latin1Slice;

/** Reads bytes [start, end) as Latin-1 (one code unit per byte). */
export function latin1(b: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n <= 0) return "";
    if (n <= 6 || nativeLatin1 === undefined) {
        let s = "";
        for (let i = start; i < end; i++) s += String.fromCharCode(b[i] as number);
        return s;
    }
    return nativeLatin1.call(b, start, end);
}

/** Index of the first NUL in [start, end), or `end` when there is none. */
export function findNul(b: Uint8Array, start: number, end: number): number {
    for (let i = start; i < end; i++) if (b[i] === 0) return i;
    return end;
}

/** True when every byte in [start, end) is zero. */
export function allZero(b: Uint8Array, start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (b[i] !== 0) return false;
    return true;
}

/** Writes `s` as Latin-1 at `off`, at most `max` bytes (code points above 0xFF become '?'); returns bytes written. */
export function writeLatin1(b: Uint8Array, off: number, s: string, max: number): number {
    const n = Math.min(s.length, max);
    for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        b[off + i] = c > 0xff ? 0x3f : c;
    }
    return n;
}

/** Display text of one label, or `[80 nn]` / `[1e nn]` when the table has no entry. */
export function labelText(prefix: number, n: number): string {
    const t = prefix === LABEL_PREFIX_200 ? DISPLAY_LABELS_200[n] : DISPLAY_LABELS_36[n];
    if (t !== undefined) return t;
    const hx = (v: number) => HEX_BYTE[v & 0xff] as string;
    return `[${hx(prefix)}${n < 0 ? "" : ` ${hx(n)}`}]`;
}

/**
 * Renders a Latin-1 wire string that contains labels: each `0x80 n` / `0x1E n` becomes its text, separated
 * from adjacent literal text by one space (a phone shows `80 17 "321"` as "From 321").
 */
export function renderLabels(wire: string): string {
    let out = "";
    let lastWasLabel = false;
    for (let i = 0; i < wire.length; i++) {
        const c = wire.charCodeAt(i);
        if (c === LABEL_PREFIX_200 || c === LABEL_PREFIX_36) {
            const n = i + 1 < wire.length ? wire.charCodeAt(i + 1) : -1;
            const t = labelText(c, n);
            if (out.length > 0 && !out.endsWith(" ")) out += " ";
            out += t;
            lastWasLabel = true;
            i++;
        } else {
            if (lastWasLabel && c !== 0x20) out += " ";
            out += wire[i];
            lastWasLabel = false;
        }
    }
    return out;
}

/** Formats 4 bytes at `off` as a dotted IPv4 address (network order). */
export function ipv4ToString(b: Uint8Array, off: number): string {
    return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** Parses a dotted IPv4 address into 4 bytes at `off`; returns false when `s` is not an IPv4 address. */
export function writeIpv4(b: Uint8Array, off: number, s: string): boolean {
    const parts = s.split(".");
    if (parts.length !== 4) return false;
    for (let i = 0; i < 4; i++) {
        const p = parts[i] as string;
        if (!/^\d{1,3}$/.test(p)) return false;
        const v = Number(p);
        if (v > 255) return false;
        b[off + i] = v;
    }
    return true;
}

/** Formats 16 bytes at `off` as an IPv6 address (RFC 5952: lower case, longest zero run as ::). */
export function ipv6ToString(b: Uint8Array, off: number): string {
    const w: number[] = [];
    for (let i = 0; i < 8; i++) w.push(((b[off + 2 * i] as number) << 8) | (b[off + 2 * i + 1] as number));
    let bestStart = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
        if (w[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && w[j] === 0) j++;
        if (j - i > bestLen) {
            bestStart = i;
            bestLen = j - i;
        }
        i = j;
    }
    const hex = (v: number) => v.toString(16);
    if (bestStart < 0) return w.map(hex).join(":");
    const head = w.slice(0, bestStart).map(hex).join(":");
    const tail = w
        .slice(bestStart + bestLen)
        .map(hex)
        .join(":");
    return `${head}::${tail}`;
}

/** Parses an IPv6 address (with optional ::) into 16 bytes at `off`; returns false when it does not parse. */
export function writeIpv6(b: Uint8Array, off: number, s: string): boolean {
    const halves = s.split("::");
    if (halves.length > 2) return false;
    const parse = (h: string | undefined): number[] | null => {
        if (h === undefined || h === "") return [];
        const out: number[] = [];
        for (const g of h.split(":")) {
            if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
            out.push(Number.parseInt(g, 16));
        }
        return out;
    };
    const a = parse(halves[0]);
    const z = halves.length === 2 ? parse(halves[1]) : [];
    if (a === null || z === null) return false;
    const fill = 8 - a.length - z.length;
    if (halves.length === 2 ? fill < 1 : fill !== 0) return false;
    const words = [...a, ...new Array<number>(fill).fill(0), ...z];
    for (let i = 0; i < 8; i++) {
        const v = words[i] as number;
        b[off + 2 * i] = v >> 8;
        b[off + 2 * i + 1] = v & 0xff;
    }
    return true;
}

/** Lower-case hex of bytes [start, end). */
export function toHex(b: Uint8Array, start: number, end: number): string {
    let s = "";
    for (let i = start; i < end; i++) {
        s += HEX_BYTE[b[i] as number] as string;
    }
    return s;
}

/** Writes a hex string into `b` at `off`, at most `max` bytes; returns bytes written, or -1 on bad hex. */
export function writeHex(b: Uint8Array, off: number, hex: string, max: number): number {
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return -1;
    const n = Math.min(hex.length / 2, max);
    for (let i = 0; i < n; i++) b[off + i] = Number.parseInt(hex.substr(2 * i, 2), 16);
    return n;
}
