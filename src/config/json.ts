/**
 * JSON parsing with a precise error position. JSON.parse does the work; only when it fails does a small
 * scanner find the first error's offset, because V8's messages do not always carry one (and vary by version).
 */
import { ConfigError } from "../errors.js";

/** Where and why a text is not JSON. */
export interface JsonSyntaxError {
    /** UTF-16 offset of the offending character (text length for an early end). */
    offset: number;
    line: number;
    column: number;
    reason: string;
}

/** RFC 8259 number, sticky so it matches at the scanner position. */
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

class ScanFailure {
    constructor(
        readonly offset: number,
        readonly reason: string,
    ) {}
}

/** Printable description of the character at `i`. */
function describeAt(text: string, i: number): string {
    if (i >= text.length) return "end of input";
    return `character ${JSON.stringify(text.charAt(i))}`;
}

/** Deepest nesting the scanner follows: deeper input is reported as an error instead of overflowing the stack. */
const MAX_SCAN_DEPTH = 512;

/** Recursive-descent scanner that only checks syntax (RFC 8259). */
class Scanner {
    #i = 0;
    #depth = 0;

    readonly #text: string;

    constructor(text: string) {
        this.#text = text;
    }

    /** Throws ScanFailure at the first error. */
    run(): void {
        this.#ws();
        this.#value();
        this.#ws();
        if (this.#i < this.#text.length)
            this.#fail(`unexpected ${describeAt(this.#text, this.#i)} after the JSON value`);
    }

    #fail(reason: string): never {
        throw new ScanFailure(this.#i, reason);
    }

    #ws(): void {
        const t = this.#text;
        while (this.#i < t.length) {
            const c = t.charCodeAt(this.#i);
            if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
            this.#i++;
        }
    }

    #value(): void {
        const c = this.#text.charAt(this.#i);
        if ((c === "{" || c === "[") && ++this.#depth > MAX_SCAN_DEPTH) {
            this.#fail(`nested deeper than ${MAX_SCAN_DEPTH} levels`);
        }
        if (c === "{") this.#object();
        else if (c === "[") this.#array();
        else if (c === '"') this.#string();
        else if (c === "-" || (c >= "0" && c <= "9")) this.#number();
        else if (c === "t") this.#literal("true");
        else if (c === "f") this.#literal("false");
        else if (c === "n") this.#literal("null");
        else this.#fail(`unexpected ${describeAt(this.#text, this.#i)}, expected a value`);
        if (c === "{" || c === "[") this.#depth--;
    }

    #object(): void {
        this.#i++;
        this.#ws();
        if (this.#text.charAt(this.#i) === "}") {
            this.#i++;
            return;
        }
        for (;;) {
            if (this.#text.charAt(this.#i) !== '"') {
                this.#fail(`unexpected ${describeAt(this.#text, this.#i)}, expected a double-quoted property name`);
            }
            this.#string();
            this.#ws();
            if (this.#text.charAt(this.#i) !== ":")
                this.#fail(`unexpected ${describeAt(this.#text, this.#i)}, expected ":"`);
            this.#i++;
            this.#ws();
            this.#value();
            this.#ws();
            const c = this.#text.charAt(this.#i);
            if (c === "}") {
                this.#i++;
                return;
            }
            if (c !== ",") this.#fail(`unexpected ${describeAt(this.#text, this.#i)}, expected "," or "}"`);
            this.#i++;
            this.#ws();
        }
    }

    #array(): void {
        this.#i++;
        this.#ws();
        if (this.#text.charAt(this.#i) === "]") {
            this.#i++;
            return;
        }
        for (;;) {
            this.#value();
            this.#ws();
            const c = this.#text.charAt(this.#i);
            if (c === "]") {
                this.#i++;
                return;
            }
            if (c !== ",") this.#fail(`unexpected ${describeAt(this.#text, this.#i)}, expected "," or "]"`);
            this.#i++;
            this.#ws();
        }
    }

    #string(): void {
        const t = this.#text;
        const start = this.#i;
        this.#i++;
        for (;;) {
            if (this.#i >= t.length) {
                this.#i = start;
                this.#fail("unterminated string");
            }
            const c = t.charCodeAt(this.#i);
            if (c === 0x22) {
                this.#i++;
                return;
            }
            if (c < 0x20) this.#fail("control character in string (escape it)");
            if (c === 0x5c) {
                const e = t.charAt(this.#i + 1);
                if (e === "u") {
                    if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.#i + 2, this.#i + 6))) this.#fail("bad \\u escape");
                    this.#i += 6;
                } else if ('"\\/bfnrt'.includes(e) && e !== "") {
                    this.#i += 2;
                } else {
                    this.#fail("bad escape in string");
                }
            } else {
                this.#i++;
            }
        }
    }

    #number(): void {
        NUMBER.lastIndex = this.#i;
        const m = NUMBER.exec(this.#text);
        if (m === null) this.#fail("bad number");
        this.#i += m[0].length;
    }

    #literal(word: string): void {
        if (!this.#text.startsWith(word, this.#i))
            this.#fail(`unexpected ${describeAt(this.#text, this.#i)}, expected a value`);
        this.#i += word.length;
    }
}

/** True when a parsed JSON value nests arrays/objects deeper than `max` (iterative: safe on any input). */
export function jsonTooDeep(v: unknown, max: number): boolean {
    const stack: Array<[unknown, number]> = [[v, 1]];
    while (stack.length > 0) {
        const [node, depth] = stack.pop()!;
        if (typeof node !== "object" || node === null) continue;
        if (depth > max) return true;
        for (const child of Object.values(node)) stack.push([child, depth + 1]);
    }
    return false;
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
        if (text.charCodeAt(i) === 0x0a) {
            line++;
            lineStart = i + 1;
        }
    }
    return { line, column: offset - lineStart + 1 };
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonError(text: string): JsonSyntaxError | undefined {
    try {
        new Scanner(text).run();
        return undefined;
    } catch (err) {
        /* c8 ignore next */
        if (!(err instanceof ScanFailure)) throw err;
        return { offset: err.offset, reason: err.reason, ...lineColumn(text, err.offset) };
    }
}

/** Parses JSON text; throws ConfigError CONFIG_PARSE `<source>:<line>:<column>: <reason>` on a syntax error. */
export function parseJson(text: string, source: string): unknown {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    try {
        return JSON.parse(body);
    } catch (err) {
        const found = findJsonError(body);
        /* c8 ignore next 2: JSON.parse and the scanner agree on what is JSON */
        const at = found ?? { offset: 0, line: 1, column: 1, reason: (err as Error).message };
        throw new ConfigError(
            "CONFIG_PARSE",
            `${source}:${at.line}:${at.column}: ${at.reason}`,
            { file: source, line: at.line, column: at.column, offset: at.offset, reason: at.reason },
            { cause: err },
        );
    }
}
