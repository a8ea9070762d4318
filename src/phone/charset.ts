/**
 * Phone character sets: 79xx phones show ISO-8859-1 (Latin-1); Japanese-capable phones show Shift_JIS
 * (XSI dev notes, reference §1.2). Node has no Shift_JIS encoder, so the table is built once, lazily,
 * by inverting the WHATWG decoder (TextDecoder("shift_jis"), part of Node's ICU).
 */

/** Character set of the bytes sent to a phone. */
export type PhoneCharset = "ISO-8859-1" | "Shift_JIS";

/** Every supported charset, as written in XML declarations and Content-Type headers. */
export const PHONE_CHARSETS: readonly PhoneCharset[] = ["ISO-8859-1", "Shift_JIS"];

/** Normalises a charset label ("iso-8859-1", "latin1", "shift-jis", "sjis" …) or returns undefined. */
export function parseCharset(label: string): PhoneCharset | undefined {
    const l = label.trim().toLowerCase().replace(/_/g, "-");
    if (l === "iso-8859-1" || l === "latin1" || l === "latin-1" || l === "iso8859-1") return "ISO-8859-1";
    if (l === "shift-jis" || l === "sjis" || l === "shiftjis" || l === "ms-kanji" || l === "x-sjis") {
        return "Shift_JIS";
    }
    return undefined;
}

/** True for a code point XSI text may carry: no control characters except TAB, LF, CR (XSI notes). */
export function isAllowedCodePoint(cp: number): boolean {
    if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d;
    if (cp >= 0x7f && cp <= 0x9f) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    return cp !== 0xfffe && cp !== 0xffff;
}

let sjisTable: Map<number, number> | undefined;

/** Unicode code point → Shift_JIS double-byte code (lead << 8 | trail), built on first use. */
function shiftJisTable(): Map<number, number> {
    if (sjisTable !== undefined) return sjisTable;
    const table = new Map<number, number>();
    // Every double-byte pair, each followed by a line feed, decoded in one call (one call per pair took tens
    // of milliseconds of the service's start): the decoder ends an invalid pair at the latest at the line feed
    // (an ASCII trail byte comes out as itself), so line i of the text is what pair i decodes to on its own.
    const codes: number[] = [];
    for (let lead = 0x81; lead <= 0xfc; lead++) {
        if (lead > 0x9f && lead < 0xe0) continue;
        for (let trail = 0x40; trail <= 0xfc; trail++) if (trail !== 0x7f) codes.push((lead << 8) | trail);
    }
    const bytes = new Uint8Array(codes.length * 3);
    for (let i = 0; i < codes.length; i++) {
        bytes[3 * i] = codes[i]! >> 8;
        bytes[3 * i + 1] = codes[i]! & 0xff;
        bytes[3 * i + 2] = 0x0a;
    }
    const lines = new TextDecoder("shift_jis").decode(bytes).split("\n");
    for (let i = 0; i < codes.length; i++) {
        const s = lines[i]!;
        const cp = s.codePointAt(0);
        // keep the first code for a character (NEC/IBM duplicates map to the same Unicode)
        if (cp === undefined || cp === 0xfffd || s.length !== 1 || table.has(cp)) continue;
        table.set(cp, codes[i]!);
    }
    // WHATWG encoder extras: YEN SIGN and OVERLINE go to the JIS-Roman positions
    table.set(0xa5, 0x5c);
    table.set(0x203e, 0x7e);
    sjisTable = table;
    return table;
}

/** Bytes of one code point in `charset`, appended to `out`; false when the character has no encoding. */
function encodeCodePoint(cp: number, charset: PhoneCharset, out: number[]): boolean {
    if (cp < 0x80) {
        out.push(cp);
        return true;
    }
    if (charset === "ISO-8859-1") {
        if (cp > 0xff) return false;
        out.push(cp);
        return true;
    }
    if (cp >= 0xff61 && cp <= 0xff9f) {
        out.push(cp - 0xfec0); // half-width katakana: single bytes 0xA1..0xDF
        return true;
    }
    const code = shiftJisTable().get(cp);
    if (code === undefined) return false;
    if (code > 0xff) out.push(code >> 8);
    out.push(code & 0xff);
    return true;
}

/** Encodes `text` in `charset`, or returns undefined when a character cannot be encoded. */
export function encodeText(text: string, charset: PhoneCharset): Buffer | undefined {
    if (charset === "ISO-8859-1" && isLatin1(text)) return Buffer.from(text, "latin1");
    const out: number[] = [];
    for (const ch of text) {
        if (!encodeCodePoint(ch.codePointAt(0)!, charset, out)) return undefined;
    }
    return Buffer.from(out);
}

/** Encodes `text`, replacing every character without an encoding by `?` (for untrusted runtime values). */
export function encodeLossy(text: string, charset: PhoneCharset): Buffer {
    const out: number[] = [];
    for (const ch of text) {
        if (!encodeCodePoint(ch.codePointAt(0)!, charset, out)) out.push(0x3f);
    }
    return Buffer.from(out);
}

/** First character of `text` that `charset` cannot encode, or undefined. */
export function firstUnencodable(text: string, charset: PhoneCharset): string | undefined {
    const scratch: number[] = [];
    for (const ch of text) {
        scratch.length = 0;
        if (!encodeCodePoint(ch.codePointAt(0)!, charset, scratch)) return ch;
    }
    return undefined;
}

/** Replaces every character `charset` cannot encode by `?` (string in, string out). */
export function replaceUnencodable(text: string, charset: PhoneCharset): string {
    if (firstUnencodable(text, charset) === undefined) return text;
    const scratch: number[] = [];
    let out = "";
    for (const ch of text) {
        scratch.length = 0;
        out += encodeCodePoint(ch.codePointAt(0)!, charset, scratch) ? ch : "?";
    }
    return out;
}

/** Byte length of `text` in `charset` (unencodable characters count as one byte, as their `?`). */
export function encodedLength(text: string, charset: PhoneCharset): number {
    if (charset === "ISO-8859-1") return [...text].length;
    return encodeLossy(text, charset).length;
}

/** Decodes phone bytes: `charset` label from the XML declaration or header (default ISO-8859-1; UTF-8 allowed). */
export function decodeBytes(bytes: Uint8Array, label: string | undefined): string {
    const l = label?.trim().toLowerCase();
    if (l === "utf-8" || l === "utf8") return new TextDecoder("utf-8").decode(bytes);
    const cs = label === undefined ? undefined : parseCharset(label);
    if (cs === "Shift_JIS") return new TextDecoder("shift_jis").decode(bytes);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** True when every UTF-16 unit of `text` is ≤ 0xFF. */
function isLatin1(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
    return true;
}
