/**
 * Cisco IP Phone XML Services (XSI) objects: the CiscoIPPhoneText screen model and its serialisation, the
 * CiscoIPPhoneExecute push object with Cisco's limits (3 items, one HTTP URL, 512-byte POST body), and the
 * parser of the phone's CiscoIPPhoneResponse / CiscoIPPhoneError answers.
 *
 * Element order follows Cisco's XSD (a strict xsd:sequence): Title, Prompt, SoftKeyItem*, then Text; inside
 * SoftKeyItem: Name, Position, URL, URLDown. Every value is escaped; bytes are produced in the target charset.
 */
import { decodeBytes, encodeText, firstUnencodable, isAllowedCodePoint, type PhoneCharset } from "./charset.js";
import { XsiError } from "./errors.js";
import { elementsOf, parseXml, sniffEncoding, textOf, type XmlElement, XmlParseError } from "./xmlParse.js";

/** Limits from Cisco's XSD and XSI notes (reference §1.2). Lengths are in characters. */
export const XSI_LIMITS = {
    title: 32,
    prompt: 32,
    text: 4000,
    softKeyName: 32,
    url: 256,
    softKeys: 8,
    executeItems: 3,
    responseData: 32,
} as const;

/** "Any HTTP POST object is limited to 512 bytes": counted on the whole form body `XML=<url-encoded xml>`. */
export const PUSH_BODY_LIMIT = 512;

/** One custom softkey of a displayable object. */
export interface SoftKey {
    /** Label (≤ 32 characters). */
    readonly name: string;
    /** 1..8, left to right. */
    readonly position: number;
    /** URL or URI run when the key is released (≤ 256 characters). */
    readonly url: string;
    /** URL or URI run when the key is pressed (newer firmware only). */
    readonly urlDown?: string;
}

/** A CiscoIPPhoneText object (empty strings and undefined both mean "element omitted"). */
export interface XsiText {
    readonly title?: string;
    readonly prompt?: string;
    readonly text?: string;
    readonly softKeys: readonly SoftKey[];
}

/** Escapes a value for XML text or a double- or single-quoted attribute (& < > " '). */
export function escapeXml(value: string): string {
    return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Readonly<Record<string, string>> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&apos;",
};

/** The XML declaration naming `charset`. */
export function xmlDeclaration(charset: PhoneCharset): string {
    return `<?xml version="1.0" encoding="${charset}"?>`;
}

/** HTTP Content-Type for an XSI object in `charset`. */
export function contentType(charset: PhoneCharset): string {
    return `text/xml; charset=${charset}`;
}

/** Checks one value: allowed characters, length in characters, encodable in `charset`; throws XsiError. */
function checkValue(field: string, value: string, max: number, charset: PhoneCharset): void {
    const length = [...value].length;
    if (length > max) {
        throw new XsiError("XSI_FIELD_TOO_LONG", `${field} is ${length} characters (limit ${max})`, {
            field,
            length,
            limit: max,
        });
    }
    for (const ch of value) {
        const cp = ch.codePointAt(0)!;
        if (!isAllowedCodePoint(cp)) {
            throw new XsiError("XSI_BAD_CHARACTER", `${field} contains the control character U+${hex(cp)}`, {
                field,
                codePoint: cp,
            });
        }
    }
    const bad = firstUnencodable(value, charset);
    if (bad !== undefined) {
        throw new XsiError("XSI_UNENCODABLE", `${field} contains U+${hex(bad.codePointAt(0)!)}, not in ${charset}`, {
            field,
            charset,
            codePoint: bad.codePointAt(0),
        });
    }
}

/** Checks a URL/URI for a softkey or ExecuteItem: 1..256 characters, no whitespace or control characters. */
function checkUrl(field: string, url: string, charset: PhoneCharset): void {
    if (url.length === 0) throw new XsiError("XSI_URL_INVALID", `${field} is empty`, { field });
    if (/\s/.test(url)) {
        throw new XsiError("XSI_URL_INVALID", `${field} contains whitespace`, { field });
    }
    checkValue(field, url, XSI_LIMITS.url, charset);
}

function hex(cp: number): string {
    return cp.toString(16).toUpperCase().padStart(4, "0");
}

/** Serialises a CiscoIPPhoneText in XSD element order as bytes in `charset` (with its XML declaration). */
export function serializeText(screen: XsiText, charset: PhoneCharset): Buffer {
    return encodeChecked(textXml(screen, charset), charset);
}

/** The CiscoIPPhoneText as an XML string (validated, declaration included, not yet encoded). */
export function textXml(screen: XsiText, charset: PhoneCharset): string {
    if (screen.softKeys.length > XSI_LIMITS.softKeys) {
        throw new XsiError("XSI_TOO_MANY_SOFTKEYS", `${screen.softKeys.length} softkeys (limit 8)`, {
            count: screen.softKeys.length,
            limit: XSI_LIMITS.softKeys,
        });
    }
    let xml = `${xmlDeclaration(charset)}\n<CiscoIPPhoneText>`;
    if (screen.title) {
        checkValue("Title", screen.title, XSI_LIMITS.title, charset);
        xml += `<Title>${escapeXml(screen.title)}</Title>`;
    }
    if (screen.prompt) {
        checkValue("Prompt", screen.prompt, XSI_LIMITS.prompt, charset);
        xml += `<Prompt>${escapeXml(screen.prompt)}</Prompt>`;
    }
    const seen = new Set<number>();
    for (const k of screen.softKeys) {
        if (!Number.isInteger(k.position) || k.position < 1 || k.position > 8 || seen.has(k.position)) {
            throw new XsiError("XSI_SOFTKEY_POSITION", `softkey position ${k.position} is not a free 1..8`, {
                position: k.position,
            });
        }
        seen.add(k.position);
        checkValue("SoftKeyItem/Name", k.name, XSI_LIMITS.softKeyName, charset);
        checkUrl("SoftKeyItem/URL", k.url, charset);
        xml += `<SoftKeyItem><Name>${escapeXml(k.name)}</Name><Position>${k.position}</Position>`;
        xml += `<URL>${escapeXml(k.url)}</URL>`;
        if (k.urlDown !== undefined) {
            checkUrl("SoftKeyItem/URLDown", k.urlDown, charset);
            xml += `<URLDown>${escapeXml(k.urlDown)}</URLDown>`;
        }
        xml += "</SoftKeyItem>";
    }
    if (screen.text) {
        checkValue("Text", screen.text, XSI_LIMITS.text, charset);
        xml += `<Text>${escapeXml(screen.text)}</Text>`;
    }
    return `${xml}</CiscoIPPhoneText>\n`;
}

/** Encodes already-checked XML; an unencodable character here is a bug in the caller's checks. */
function encodeChecked(xml: string, charset: PhoneCharset): Buffer {
    const bytes = encodeText(xml, charset);
    if (bytes === undefined) {
        throw new XsiError("XSI_UNENCODABLE", `document not encodable in ${charset}`, { charset });
    }
    return bytes;
}

// ---------------------------------------------------------------------------------------------------------------
// CiscoIPPhoneExecute

/** ExecuteItem priority: 0 now, 1 when idle, 2 only if idle now (applies to HTTP URLs only). */
export type ExecutePriority = 0 | 1 | 2;

/** One ExecuteItem: an HTTP URL or an internal URI (Play:, Dial:, Key: …). */
export interface ExecuteItem {
    readonly url: string;
    readonly priority?: ExecutePriority;
}

/** A built push object: the XML bytes and the exact form body that is POSTed (`XML=` + url-encoded XML). */
export interface ExecuteDocument {
    readonly xml: Buffer;
    readonly body: Buffer;
    readonly charset: PhoneCharset;
}

/** Options of buildExecute. */
export interface ExecuteOptions {
    /** Charset of the bytes (default ISO-8859-1). */
    charset?: PhoneCharset;
    /** Emit the XML declaration (default true; costs ~64 body bytes). */
    declaration?: boolean;
    /** Body limit in bytes (default 512, PUSH_BODY_LIMIT). */
    maxBodyBytes?: number;
}

/** Internal URI schemes of XSI (reference §1.6). */
const URI_SCHEMES = new Set([
    "Play",
    "Dial",
    "EditDial",
    "SendDigits",
    "Key",
    "SoftKey",
    "Init",
    "Display",
    "RTPRx",
    "RTPTx",
    "RTPMRx",
    "RTPMTx",
    "QueryStringParam",
    "Notify",
    "App",
    "Vibrate",
]);

/** True for an http:// or https:// URL (as opposed to an internal URI). */
export function isHttpUrl(url: string): boolean {
    return /^https?:\/\/[^/?#\s]+/i.test(url);
}

/** `Play:<file>` for a plain raw-audio file name in the phone's TFTP path; throws XsiError on a path or URL. */
export function playUri(fileName: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,250}$/.test(fileName)) {
        throw new XsiError("XSI_URL_INVALID", "Play: needs a plain file name (letters, digits, . _ -)", {
            field: "Play",
        });
    }
    return `Play:${fileName}`;
}

/** `Dial:<digits>` keeping only dialable characters (0-9 * # +); throws XsiError when none is left. */
export function dialUri(dn: string): string {
    const digits = dn.replace(/[^0-9*#+]/g, "");
    if (digits.length === 0) throw new XsiError("XSI_URL_INVALID", "Dial: needs digits", { field: "Dial" });
    return `Dial:${digits}`;
}

/**
 * Builds a CiscoIPPhoneExecute: 1..3 items, at most one HTTP URL (the others internal URIs), Priority 0..2,
 * URL ≤ 256 characters, and the POST body within the 512-byte push limit. Throws XsiError (stable codes).
 */
export function buildExecute(items: readonly ExecuteItem[], options: ExecuteOptions = {}): ExecuteDocument {
    const charset = options.charset ?? "ISO-8859-1";
    const limit = options.maxBodyBytes ?? PUSH_BODY_LIMIT;
    if (items.length === 0) throw new XsiError("XSI_NO_ITEMS", "an Execute needs at least one item", {});
    if (items.length > XSI_LIMITS.executeItems) {
        throw new XsiError("XSI_TOO_MANY_ITEMS", `${items.length} ExecuteItems (limit 3)`, {
            count: items.length,
            limit: XSI_LIMITS.executeItems,
        });
    }
    let httpUrls = 0;
    let xml = options.declaration === false ? "" : `${xmlDeclaration(charset)}\n`;
    xml += "<CiscoIPPhoneExecute>";
    for (const item of items) {
        checkUrl("ExecuteItem/URL", item.url, charset);
        if (isHttpUrl(item.url)) httpUrls++;
        else {
            const scheme = /^([A-Za-z]+):./.exec(item.url)?.[1];
            if (scheme === undefined || !URI_SCHEMES.has(scheme)) {
                throw new XsiError("XSI_URL_INVALID", "ExecuteItem/URL is neither http(s) nor a known URI", {
                    field: "ExecuteItem/URL",
                    scheme: scheme ?? null,
                });
            }
        }
        const p = item.priority;
        if (p !== undefined && !(p === 0 || p === 1 || p === 2)) {
            throw new XsiError("XSI_PRIORITY", `Priority ${String(p)} (allowed 0, 1, 2)`, { priority: p });
        }
        xml += p === undefined ? "<ExecuteItem" : `<ExecuteItem Priority="${p}"`;
        xml += ` URL="${escapeXml(item.url)}"/>`;
    }
    if (httpUrls > 1) {
        throw new XsiError("XSI_MULTIPLE_URLS", "an Execute may carry only one HTTP URL (the others URIs)", {
            count: httpUrls,
        });
    }
    xml += "</CiscoIPPhoneExecute>";
    const bytes = encodeChecked(xml, charset);
    const body = formBody(bytes);
    if (body.length > limit) {
        throw new XsiError("XSI_PUSH_TOO_LARGE", `push body is ${body.length} bytes (limit ${limit})`, {
            bytes: body.length,
            limit,
        });
    }
    return { xml: bytes, body, charset };
}

/** application/x-www-form-urlencoded of raw bytes (WHATWG: * - . _ alphanumerics kept, space as +). */
export function formEncode(bytes: Uint8Array): string {
    let out = "";
    for (const b of bytes) {
        if (
            (b >= 0x30 && b <= 0x39) ||
            (b >= 0x41 && b <= 0x5a) ||
            (b >= 0x61 && b <= 0x7a) ||
            b === 0x2a ||
            b === 0x2d ||
            b === 0x2e ||
            b === 0x5f
        ) {
            out += String.fromCharCode(b);
        } else if (b === 0x20) out += "+";
        else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    return out;
}

/** The POST body for `/CGI/Execute`: the case-sensitive form field `XML` holding the object. */
export function formBody(xml: Uint8Array): Buffer {
    return Buffer.from(`XML=${formEncode(xml)}`, "latin1");
}

// ---------------------------------------------------------------------------------------------------------------
// Phone answers

/** One ResponseItem: Status 0 = success; Data is item-specific text; URL echoes the request. */
export interface ResponseItem {
    readonly status: number;
    readonly data: string;
    readonly url: string;
}

/** A parsed phone answer to a push. */
export type PhoneReply =
    | { readonly kind: "response"; readonly items: readonly ResponseItem[] }
    | { readonly kind: "error"; readonly number: number };

/** Largest phone answer accepted (a real one is a few hundred bytes). */
export const MAX_REPLY_BYTES = 16384;

/**
 * Parses CiscoIPPhoneResponse (ResponseItem attributes, or child elements as in Cisco's original XSD) or
 * CiscoIPPhoneError. Anything else throws XsiError `XSI_REPLY_INVALID` (details carry a reason, never the body).
 */
export function parsePhoneReply(body: Uint8Array | string): PhoneReply {
    const invalid = (reason: string): XsiError =>
        new XsiError("XSI_REPLY_INVALID", `phone answer is not an XSI response: ${reason}`, { reason });
    const size = typeof body === "string" ? body.length : body.byteLength;
    if (size > MAX_REPLY_BYTES) throw invalid(`longer than ${MAX_REPLY_BYTES} bytes`);
    const text = typeof body === "string" ? body : decodeBytes(body, sniffEncoding(body));
    let root: XmlElement;
    try {
        root = parseXml(text, { maxLength: MAX_REPLY_BYTES, maxDepth: 4 }).root;
    } catch (err) {
        if (err instanceof XmlParseError) throw invalid(err.message);
        throw err;
    }
    if (root.name === "CiscoIPPhoneError") {
        const n = root.attrs.get("Number");
        if (n === undefined || !/^\s*\d{1,5}\s*$/.test(n) || Number(n) > 65535) {
            throw invalid("CiscoIPPhoneError without a valid Number");
        }
        return { kind: "error", number: Number(n) };
    }
    if (root.name !== "CiscoIPPhoneResponse" && root.name !== "CiscoIPhoneResponse") {
        throw invalid(`unexpected root element <${root.name}>`);
    }
    const items: ResponseItem[] = [];
    for (const el of elementsOf(root)) {
        if (el.name !== "ResponseItem") throw invalid(`unexpected element <${el.name}>`);
        if (items.length >= 8) throw invalid("too many ResponseItems");
        const field = (name: string): string | undefined => {
            const a = el.attrs.get(name);
            if (a !== undefined) return a;
            const child = elementsOf(el).find((c) => c.name === name);
            return child === undefined ? undefined : textOf(child);
        };
        const status = field("Status");
        if (status === undefined || !/^\s*-?\d{1,5}\s*$/.test(status)) {
            throw invalid("ResponseItem without a valid Status");
        }
        items.push({ status: Number(status), data: field("Data") ?? "", url: field("URL") ?? "" });
    }
    if (items.length === 0) throw invalid("CiscoIPPhoneResponse without ResponseItem");
    return { kind: "response", items };
}
