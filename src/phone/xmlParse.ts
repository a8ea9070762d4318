/**
 * A small, safe XML parser for the few documents callbackd reads: Call Back Dictionary files and the phones'
 * CiscoIPPhoneResponse / CiscoIPPhoneError answers. No DTD (so no entity expansion or external fetches),
 * only the five predefined entities and character references, bounded size and depth.
 */
import { CallbackdError } from "../errors.js";

/** An element: name, attributes (in document order), children (elements and merged text), 1-based line. */
export interface XmlElement {
    readonly name: string;
    readonly attrs: ReadonlyMap<string, string>;
    readonly children: XmlNode[];
    readonly line: number;
}

/** A child node: an element or a run of character data (entities decoded). */
export type XmlNode = XmlElement | string;

/** A parsed document: the root element and the encoding named by the XML declaration (if any). */
export interface XmlDocument {
    readonly root: XmlElement;
    readonly encoding: string | undefined;
}

/** Input that is not well-formed (or uses a feature this parser refuses). Code `XML_PARSE`. */
export class XmlParseError extends CallbackdError {}

/** Limits of parseXml. */
export interface XmlParseOptions {
    /** Maximum input length in characters (default 1 MiB). */
    maxLength?: number;
    /** Maximum element nesting (default 16). */
    maxDepth?: number;
}

const NAME_START = /[A-Za-z_:]/;
const NAME_RE = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** True for a code point XML 1.0 allows in a document. */
function isXmlChar(cp: number): boolean {
    if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    return cp !== 0xfffe && cp !== 0xffff && cp <= 0x10ffff;
}

/** Reads the `encoding` pseudo-attribute of a leading XML declaration in raw bytes (ASCII-compatible). */
export function sniffEncoding(bytes: Uint8Array): string | undefined {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString("latin1");
    const m = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
    return m?.[1];
}

/** Parses `text` into a document; throws XmlParseError with the line number on anything malformed or refused. */
export function parseXml(text: string, options: XmlParseOptions = {}): XmlDocument {
    return new Parser(text, options.maxDepth ?? 16).parse(options.maxLength ?? 1 << 20);
}

/** Cursor over the input; one instance per document. */
class Parser {
    readonly #s: string;
    readonly #maxDepth: number;
    #pos = 0;
    #linePos = 0;
    #line = 1;

    constructor(s: string, maxDepth: number) {
        this.#s = s;
        this.#maxDepth = maxDepth;
    }

    parse(maxLength: number): XmlDocument {
        const s = this.#s;
        if (s.length > maxLength) throw this.#fail(`document longer than ${maxLength} characters`);
        if (s.charCodeAt(0) === 0xfeff) this.#pos = 1;
        let encoding: string | undefined;
        if (s.startsWith("<?xml", this.#pos) && /\s/.test(s.charAt(this.#pos + 5))) {
            const end = s.indexOf("?>", this.#pos);
            if (end < 0) throw this.#fail("unterminated XML declaration");
            encoding = /\sencoding\s*=\s*["']([^"']*)["']/.exec(s.slice(this.#pos, end))?.[1];
            this.#pos = end + 2;
        }
        this.#misc();
        if (s.charAt(this.#pos) !== "<") throw this.#fail("no root element");
        const root = this.#element();
        this.#misc();
        if (this.#pos < s.length) throw this.#fail("content after the root element");
        return { root, encoding };
    }

    /** Skips whitespace, comments and processing instructions outside the root; refuses a DOCTYPE. */
    #misc(): void {
        const s = this.#s;
        for (;;) {
            while (this.#pos < s.length && /\s/.test(s.charAt(this.#pos))) this.#pos++;
            if (s.startsWith("<!--", this.#pos)) this.#comment();
            else if (s.startsWith("<?", this.#pos)) this.#pi();
            else if (s.startsWith("<!", this.#pos)) throw this.#fail("DOCTYPE and declarations are not allowed");
            else return;
        }
    }

    #comment(): void {
        const end = this.#s.indexOf("-->", this.#pos + 4);
        if (end < 0) throw this.#fail("unterminated comment");
        this.#pos = end + 3;
    }

    #pi(): void {
        const end = this.#s.indexOf("?>", this.#pos + 2);
        if (end < 0) throw this.#fail("unterminated processing instruction");
        this.#pos = end + 2;
    }

    /** Parses the element at the cursor and its whole subtree (iteratively, bounded by maxDepth). */
    #element(): XmlElement {
        const s = this.#s;
        const stack: XmlElement[] = [];
        let root: XmlElement | undefined;
        for (;;) {
            const top = stack[stack.length - 1];
            if (s.charAt(this.#pos) !== "<") {
                if (top === undefined) throw this.#fail("expected an element");
                const lt = s.indexOf("<", this.#pos);
                if (lt < 0) throw this.#fail(`unclosed element <${top.name}>`);
                this.#text(top, this.#decode(s.slice(this.#pos, lt)));
                this.#pos = lt;
                continue;
            }
            if (s.startsWith("</", this.#pos)) {
                this.#pos += 2;
                const name = this.#name();
                this.#skipSpace();
                if (s.charAt(this.#pos) !== ">") throw this.#fail("malformed end tag");
                this.#pos++;
                if (top === undefined || top.name !== name) throw this.#fail(`unexpected end tag </${name}>`);
                stack.pop();
                if (stack.length === 0) return root!;
                continue;
            }
            if (top !== undefined && s.startsWith("<!--", this.#pos)) {
                this.#comment();
                continue;
            }
            if (top !== undefined && s.startsWith("<![CDATA[", this.#pos)) {
                const end = s.indexOf("]]>", this.#pos + 9);
                if (end < 0) throw this.#fail("unterminated CDATA section");
                this.#text(top, this.#checkChars(s.slice(this.#pos + 9, end)));
                this.#pos = end + 3;
                continue;
            }
            if (top !== undefined && s.startsWith("<?", this.#pos)) {
                this.#pi();
                continue;
            }
            if (s.startsWith("<!", this.#pos)) throw this.#fail("DOCTYPE and declarations are not allowed");
            this.#pos++;
            const el = this.#startTag();
            if (stack.length >= this.#maxDepth) throw this.#fail(`elements nested deeper than ${this.#maxDepth}`);
            if (top === undefined) root = el;
            else top.children.push(el);
            if (s.startsWith("/>", this.#pos)) {
                this.#pos += 2;
                if (top === undefined) return el;
                continue;
            }
            this.#pos++; // ">"
            stack.push(el);
        }
    }

    /** Name and attributes after "<"; leaves the cursor on ">" or "/>". */
    #startTag(): XmlElement {
        const s = this.#s;
        const line = this.#lineAt(this.#pos);
        const name = this.#name();
        const attrs = new Map<string, string>();
        for (;;) {
            const before = this.#pos;
            this.#skipSpace();
            const c = s.charAt(this.#pos);
            if (c === ">" || s.startsWith("/>", this.#pos)) return { name, attrs, children: [], line };
            if (this.#pos === before) throw this.#fail(`malformed start tag <${name}>`);
            const an = this.#name();
            this.#skipSpace();
            if (s.charAt(this.#pos) !== "=") throw this.#fail(`attribute ${an} has no value`);
            this.#pos++;
            this.#skipSpace();
            const q = s.charAt(this.#pos);
            if (q !== '"' && q !== "'") throw this.#fail(`attribute ${an} value is not quoted`);
            const end = s.indexOf(q, this.#pos + 1);
            if (end < 0) throw this.#fail(`unterminated value of attribute ${an}`);
            const raw = s.slice(this.#pos + 1, end);
            if (raw.includes("<")) throw this.#fail(`"<" in the value of attribute ${an}`);
            if (attrs.has(an)) throw this.#fail(`duplicate attribute ${an}`);
            attrs.set(an, this.#decode(raw.replace(/[\t\n\r]/g, " ")));
            this.#pos = end + 1;
        }
    }

    #name(): string {
        NAME_RE.lastIndex = this.#pos;
        const m = NAME_RE.exec(this.#s);
        if (m === null || !NAME_START.test(this.#s.charAt(this.#pos))) throw this.#fail("expected a name");
        this.#pos += m[0].length;
        return m[0];
    }

    #skipSpace(): void {
        const s = this.#s;
        while (this.#pos < s.length && /\s/.test(s.charAt(this.#pos))) this.#pos++;
    }

    /** Appends character data, merging with a preceding text node. */
    #text(parent: XmlElement, text: string): void {
        if (text === "") return;
        const last = parent.children.length - 1;
        const prev = parent.children[last];
        if (typeof prev === "string") parent.children[last] = prev + text;
        else parent.children.push(text);
    }

    /** Decodes entity and character references; anything else after "&" is an error. */
    #decode(raw: string): string {
        this.#checkChars(raw);
        if (!raw.includes("&")) return raw;
        return raw.replace(/&([^;&\s]{0,12});?/g, (all, ref: string) => {
            if (!all.endsWith(";")) throw this.#fail(`bare "&" (write &amp;)`);
            if (ref.startsWith("#")) {
                const cp = /^#x[0-9A-Fa-f]{1,6}$/.test(ref)
                    ? Number.parseInt(ref.slice(2), 16)
                    : /^#[0-9]{1,7}$/.test(ref)
                      ? Number.parseInt(ref.slice(1), 10)
                      : -1;
                if (!isXmlChar(cp)) throw this.#fail(`invalid character reference &${ref};`);
                return String.fromCodePoint(cp);
            }
            const v = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined;
            if (v === undefined) throw this.#fail(`unknown entity &${ref};`);
            return v;
        });
    }

    /** Rejects characters XML forbids (control characters, lone surrogates, U+FFFE/FFFF). */
    #checkChars(text: string): string {
        for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c >= 0x20 && c < 0xd800) continue;
            const cp = text.codePointAt(i)!;
            if (!isXmlChar(cp)) throw this.#fail(`character U+${cp.toString(16).toUpperCase()} not allowed in XML`);
            if (cp > 0xffff) i++;
        }
        return text;
    }

    /** Line number of a position (incremental: positions asked for only grow, except in errors). */
    #lineAt(pos: number): number {
        if (pos < this.#linePos) {
            this.#linePos = 0;
            this.#line = 1;
        }
        const s = this.#s;
        for (let i = this.#linePos; i < pos; i++) if (s.charCodeAt(i) === 10) this.#line++;
        this.#linePos = pos;
        return this.#line;
    }

    #fail(reason: string): XmlParseError {
        const line = this.#lineAt(Math.min(this.#pos, this.#s.length));
        return new XmlParseError("XML_PARSE", `line ${line}: ${reason}`, { line, reason });
    }
}

/** Concatenated text children of an element (direct children only). */
export function textOf(el: XmlElement): string {
    let out = "";
    for (const c of el.children) if (typeof c === "string") out += c;
    return out;
}

/** Element children of an element. */
export function elementsOf(el: XmlElement): XmlElement[] {
    const out: XmlElement[] = [];
    for (const c of el.children) if (typeof c !== "string") out.push(c);
    return out;
}
