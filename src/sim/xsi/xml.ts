/**
 * A small non-validating XML parser and serialiser, enough for XSI objects (elements, attributes, text,
 * CDATA, comments, processing instructions, the five predefined entities and character references).
 * DOCTYPE is refused, as an embedded phone parser would not process DTDs. Returns results, never throws.
 */

/** An element with its attributes (in document order) and children. */
export interface XmlElement {
    name: string;
    attrs: Map<string, string>;
    children: XmlNode[];
}

/** An element or a run of text. */
export type XmlNode = XmlElement | string;

/** Outcome of parseXml. */
export type XmlParseResult = { ok: true; root: XmlElement } | { ok: false; error: string; offset: number };

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function isNameStart(c: number): boolean {
    return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0xc0;
}

function isNameChar(c: number): boolean {
    return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

function isSpace(c: number): boolean {
    return c === 32 || c === 9 || c === 10 || c === 13;
}

/** True for code points XML 1.0 allows in a document. */
function isXmlChar(cp: number): boolean {
    return (
        cp === 9 ||
        cp === 10 ||
        cp === 13 ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff)
    );
}

class Fail {
    constructor(
        readonly error: string,
        readonly offset: number,
    ) {}
}

/** Replaces entity and character references; Fail on an unknown or malformed one. */
function decodeEntities(raw: string, base: number): string | Fail {
    let amp = raw.indexOf("&");
    if (amp < 0) return raw;
    let out = "";
    let last = 0;
    while (amp >= 0) {
        const semi = raw.indexOf(";", amp);
        if (semi < 0 || semi - amp > 12) return new Fail("unterminated entity reference", base + amp);
        const ref = raw.slice(amp + 1, semi);
        let rep: string | undefined;
        if (ref.startsWith("#")) {
            const hex = ref.startsWith("#x");
            const digits = ref.slice(hex ? 2 : 1);
            const ok = digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits);
            const cp = ok ? Number.parseInt(digits, hex ? 16 : 10) : -1;
            if (!isXmlChar(cp)) return new Fail(`bad character reference &${ref};`, base + amp);
            rep = String.fromCodePoint(cp);
        } else {
            rep = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined;
            if (rep === undefined) return new Fail(`unknown entity &${ref};`, base + amp);
        }
        out += raw.slice(last, amp) + rep;
        last = semi + 1;
        amp = raw.indexOf("&", last);
    }
    return out + raw.slice(last);
}

/** Parses one XML document. */
export function parseXml(src: string): XmlParseResult {
    const r = parse(src);
    return r instanceof Fail ? { ok: false, error: r.error, offset: r.offset } : { ok: true, root: r };
}

function parse(src: string): XmlElement | Fail {
    const n = src.length;
    let pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (let i = pos; i < n; i++) {
        const c = src.charCodeAt(i);
        if (c < 0x20 && c !== 9 && c !== 10 && c !== 13) return new Fail("control character in document", i);
    }
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;

    const readName = (): string | Fail => {
        const start = pos;
        if (pos >= n || !isNameStart(src.charCodeAt(pos))) return new Fail("name expected", pos);
        pos++;
        while (pos < n && isNameChar(src.charCodeAt(pos))) pos++;
        return src.slice(start, pos);
    };
    const skipSpace = (): void => {
        while (pos < n && isSpace(src.charCodeAt(pos))) pos++;
    };
    // Comments, PIs and whitespace allowed outside the root element.
    const skipMisc = (): Fail | undefined => {
        for (;;) {
            skipSpace();
            if (src.startsWith("<!--", pos)) {
                const end = src.indexOf("-->", pos + 4);
                if (end < 0) return new Fail("unterminated comment", pos);
                pos = end + 3;
            } else if (src.startsWith("<?", pos)) {
                const end = src.indexOf("?>", pos + 2);
                if (end < 0) return new Fail("unterminated processing instruction", pos);
                pos = end + 2;
            } else if (src.startsWith("<!DOCTYPE", pos)) {
                return new Fail("DOCTYPE not supported", pos);
            } else {
                return undefined;
            }
        }
    };

    const pre = skipMisc();
    if (pre) return pre;
    if (pos >= n || src.charCodeAt(pos) !== 60) return new Fail("root element expected", pos);

    while (root === undefined || stack.length > 0) {
        if (pos >= n) return new Fail(`unexpected end of document inside <${stack.at(-1)?.name ?? "?"}>`, pos);
        const top = stack.at(-1);
        if (src.charCodeAt(pos) !== 60) {
            const end = src.indexOf("<", pos);
            const stop = end < 0 ? n : end;
            const text = decodeEntities(src.slice(pos, stop), pos);
            if (text instanceof Fail) return text;
            top?.children.push(text);
            pos = stop;
        } else if (src.startsWith("</", pos)) {
            pos += 2;
            const name = readName();
            if (name instanceof Fail) return name;
            skipSpace();
            if (src.charCodeAt(pos) !== 62) return new Fail("'>' expected", pos);
            pos++;
            if (top === undefined || top.name !== name)
                return new Fail(`mismatched end tag </${name}>`, pos - name.length - 3);
            stack.pop();
        } else if (src.startsWith("<!--", pos)) {
            const end = src.indexOf("-->", pos + 4);
            if (end < 0) return new Fail("unterminated comment", pos);
            pos = end + 3;
        } else if (src.startsWith("<![CDATA[", pos)) {
            const end = src.indexOf("]]>", pos + 9);
            if (end < 0) return new Fail("unterminated CDATA section", pos);
            top?.children.push(src.slice(pos + 9, end));
            pos = end + 3;
        } else if (src.startsWith("<?", pos)) {
            const end = src.indexOf("?>", pos + 2);
            if (end < 0) return new Fail("unterminated processing instruction", pos);
            pos = end + 2;
        } else if (src.startsWith("<!", pos)) {
            return new Fail("markup declaration not allowed here", pos);
        } else {
            const el = readStartTag();
            if (el instanceof Fail) return el;
            if (top) top.children.push(el.element);
            else root = el.element;
            if (!el.empty) stack.push(el.element);
        }
    }

    const post = skipMisc();
    if (post) return post;
    if (pos < n) return new Fail("content after the root element", pos);
    return root;

    function readStartTag(): { element: XmlElement; empty: boolean } | Fail {
        pos++;
        const name = readName();
        if (name instanceof Fail) return name;
        const attrs = new Map<string, string>();
        for (;;) {
            const hadSpace = pos < n && isSpace(src.charCodeAt(pos));
            skipSpace();
            if (pos >= n) return new Fail(`unterminated start tag <${name}>`, pos);
            const c = src.charCodeAt(pos);
            if (c === 62) {
                pos++;
                return { element: { name, attrs, children: [] }, empty: false };
            }
            if (c === 47) {
                if (src.charCodeAt(pos + 1) !== 62) return new Fail("'>' expected after '/'", pos + 1);
                pos += 2;
                return { element: { name, attrs, children: [] }, empty: true };
            }
            if (!hadSpace) return new Fail("whitespace expected between attributes", pos);
            const attr = readName();
            if (attr instanceof Fail) return attr;
            skipSpace();
            if (src.charCodeAt(pos) !== 61) return new Fail(`'=' expected after attribute ${attr}`, pos);
            pos++;
            skipSpace();
            const q = src.charCodeAt(pos);
            if (q !== 34 && q !== 39) return new Fail("quoted attribute value expected", pos);
            const end = src.indexOf(q === 34 ? '"' : "'", pos + 1);
            if (end < 0) return new Fail("unterminated attribute value", pos);
            const raw = src.slice(pos + 1, end);
            if (raw.includes("<")) return new Fail("'<' in attribute value", pos);
            const value = decodeEntities(raw, pos + 1);
            if (value instanceof Fail) return value;
            if (attrs.has(attr)) return new Fail(`duplicate attribute ${attr}`, pos);
            // Attribute-value normalisation: literal whitespace characters become spaces.
            attrs.set(attr, value.replace(/[\t\n\r]/g, " "));
            pos = end + 1;
        }
    }
}

/** Child elements, optionally only those with a given name. */
export function childElements(el: XmlElement, name?: string): XmlElement[] {
    const out: XmlElement[] = [];
    for (const c of el.children) if (typeof c !== "string" && (name === undefined || c.name === name)) out.push(c);
    return out;
}

/** Concatenated text of an element (direct text and CDATA children). */
export function textOf(el: XmlElement): string {
    let s = "";
    for (const c of el.children) if (typeof c === "string") s += c;
    return s;
}

/** Text of the first child element named `name`, or undefined when absent. */
export function childText(el: XmlElement, name: string): string | undefined {
    for (const c of el.children) if (typeof c !== "string" && c.name === name) return textOf(c);
    return undefined;
}

/** Escapes text for element content and double-quoted attribute values. */
export function escapeXml(s: string): string {
    return s.replace(
        /[&<>"']/g,
        (c) => `&${c === "&" ? "amp" : c === "<" ? "lt" : c === ">" ? "gt" : c === '"' ? "quot" : "apos"};`,
    );
}

/** Writes an element back as XML (no declaration, no added whitespace). */
export function serializeXml(el: XmlElement): string {
    let s = `<${el.name}`;
    for (const [k, v] of el.attrs) s += ` ${k}="${escapeXml(v)}"`;
    if (el.children.length === 0) return `${s}/>`;
    s += ">";
    for (const c of el.children) s += typeof c === "string" ? escapeXml(c) : serializeXml(c);
    return `${s}</${el.name}>`;
}
