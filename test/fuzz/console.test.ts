/**
 * Fuzzing of the console line discipline: any bytes, in any chunks, before and after login. The session
 * never throws, never writes a raw control byte other than CR, LF, BS, BEL and its own erase/clear
 * sequences, and the echoed input line stays within maxLine.
 */
import fc from "fast-check";
import t from "tap";
import type { CommandNode } from "../../src/console/commandTree.js";
import { hashPassword } from "../../src/console/config.js";
import { ConsoleSession, type SessionControl } from "../../src/console/session.js";
import { ensure, runTargets, type Target } from "./lib.js";

const PASSWORD = "s3cret";
const ENABLE = "b0ss";
const HASH = hashPassword(PASSWORD, 1024);
const ENABLE_HASH = hashPassword(ENABLE, 1024);
const MAX_LINE = 64;

interface Ctx {
    session: SessionControl;
}

const tree: CommandNode<Ctx>[] = [
    {
        word: "show",
        help: "Show things",
        children: [
            { word: "version", help: "Version", run: () => ["v1"] },
            { word: "many", help: "Many lines", run: () => Array.from({ length: 40 }, (_, i) => `line ${i}`) },
            { word: "slow", help: "Async", run: async () => ["done"] },
            {
                word: "boom",
                help: "Throws",
                run: () => {
                    throw new Error("kaput");
                },
            },
        ],
    },
    {
        word: "say",
        help: "Print a word",
        children: [
            { word: "<word>", help: "A word", candidates: () => ["alpha", "beta"], run: (_c, a) => [`[${a.word}]`] },
        ],
    },
    {
        word: "enable",
        help: "Privileged mode",
        run: (c) => {
            if (!c.session.privileged) c.session.promptEnable();
            return [];
        },
    },
    {
        word: "terminal",
        help: "Terminal",
        children: [
            {
                word: "<n>",
                help: "len",
                run: (c, a) => {
                    c.session.setTermLength(Math.min(100, Number(a.n) || 0));
                    return [];
                },
            },
        ],
    },
    {
        word: "exit",
        help: "Log out",
        run: (c) => {
            c.session.logout();
            return [];
        },
    },
];

const KEYS = [
    "\x1b[A",
    "\x1b[B",
    "\x1b[C",
    "\x1bOP",
    "\x1b[1;5A",
    `\x1b[${"9".repeat(40)}~`,
    "\x1b",
    "\t",
    "?",
    "\x03",
    "\x15",
    "\x17",
    "\x0c",
    "\x10",
    "\x0e",
    "\x7f",
    "\b",
    "\r",
    "\n",
    "\r\n",
    "\x00",
    "\x07",
    "\xff",
    " ",
    "q",
    "show many\r",
    "show slow\r",
    "show boom\r",
    "sh ver\r",
    "say \x1b[31mred\r",
    "say ab\x08c\r",
    "enable\r",
    `${ENABLE}\r`,
    "terminal 3\r",
    "terminal 0\r",
    "exit\r",
    "s\t",
    "say a\t",
];

const chunk: fc.Arbitrary<Uint8Array> = fc.oneof(
    fc.constantFrom(...KEYS).map((k) => new Uint8Array(Buffer.from(k, "latin1"))),
    fc.uint8Array({ maxLength: 24 }),
    fc.string({ maxLength: 80 }).map((s) => new Uint8Array(Buffer.from(s, "latin1"))),
);

/** Output with the session's own sequences removed: what is left must be printable. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the sequences the session itself writes
const OWN = /\x1b\[K|\x1b\[2J|\x1b\[H|[\r\n\x08\x07]/g;

const session: Target<{ login: boolean; chunks: Uint8Array[]; yields: number[] }> = {
    name: "session",
    runs: 250,
    save: "json",
    async: true,
    arb: fc.record({
        login: fc.boolean(),
        chunks: fc.array(chunk, { maxLength: 40 }),
        yields: fc.array(fc.nat({ max: 40 }), { maxLength: 5 }),
    }),
    async check({ login, chunks, yields }) {
        let out = "";
        let closed = false;
        const s = new ConsoleSession<Ctx>(
            tree,
            (x) => ({ session: x.control }),
            {
                write: (text) => {
                    ensure(typeof text === "string", "non-string write");
                    out += text;
                },
                close: () => {
                    closed = true;
                },
            },
            {
                hostname: "cb",
                passwordHash: HASH,
                enablePasswordHash: ENABLE_HASH,
                idleTimeoutMs: 600_000,
                maxFailures: 3,
                lockoutMs: 600_000,
                maxLine: MAX_LINE,
                termLength: 24,
            },
        );
        try {
            s.start();
            if (login) s.feed(new Uint8Array(Buffer.from(`${PASSWORD}\r`)));
            for (let i = 0; i < chunks.length; i++) {
                s.feed(chunks[i]!);
                if (yields.includes(i)) await new Promise((r) => setImmediate(r));
                if (closed) break;
            }
            await new Promise((r) => setImmediate(r));
            s.notify("async \x1b]0;title\x07 line");
        } finally {
            s.close();
        }
        // Notices are the service's own text; the session only frames them.
        const body = out.replaceAll("async \x1b]0;title\x07 line", "");
        const rest = body.replace(OWN, "");
        for (let i = 0; i < rest.length; i++) {
            const c = rest.charCodeAt(i);
            ensure(
                c >= 0x20 && c <= 0x7e,
                `raw byte 0x${c.toString(16)} written at ${i}: ${JSON.stringify(rest.slice(Math.max(0, i - 20), i + 5))}`,
            );
        }
        // Every line (the terminal clears on ESC [K and ESC [2J) stays short: the echo stops at maxLine.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: splitting on the session's own sequences
        for (const line of body.split(/\r\n|\r|\n|\x1b\[K|\x1b\[2J\x1b\[H/)) {
            let col = 0;
            let widest = 0;
            for (const ch of line) {
                col = ch === "\b" ? Math.max(0, col - 1) : ch === "\x07" ? col : col + 1;
                widest = Math.max(widest, col);
            }
            ensure(widest <= MAX_LINE + 40, `line ${widest} columns wide: ${JSON.stringify(line)}`);
        }
    },
};

runTargets(t, "console", [session] as never[]);
