/**
 * Fuzzing of the phone-facing HTTP service on 127.0.0.1 with raw requests: any method, path, query,
 * header and framing. It never answers 5xx, and a request that is not a valid action of a ticket offered
 * to this address changes nothing (no action runs, no ticket is issued or lost).
 */
import { createConnection } from "node:net";
import fc from "fast-check";
import t from "tap";
import { loadDictionariesSync } from "../../src/phone/dictionary.js";
import { PhoneHttpService } from "../../src/phone/http.js";
import { ensure, runTargets, type Target } from "./lib.js";

const locales = loadDictionariesSync();
let actions = 0;
const svc = new PhoneHttpService({
    host: "127.0.0.1",
    port: 0,
    locales,
    defaultLocale: "en_US",
    onAction: () => {
        actions++;
        return { kind: "cancelled", actions: ["ok"] };
    },
});
await svc.start();
t.teardown(() => svc.stop());
const port = Number(new URL(svc.baseUrl).port);

// Ours, but offers no action: every action on it must be refused.
const own = svc.issue({
    device: "SEP0001",
    phoneIp: "127.0.0.1",
    kind: "activated",
    params: { dn: "1002" },
    actions: [],
});
// Offers actions, but to another phone: refused from this address.
const other = svc.issue({
    device: "SEP0002",
    phoneIp: "127.0.0.2",
    kind: "activated",
    params: { dn: "1003" },
    actions: ["cancel", "ok"],
});

const SEGMENTS = [
    "",
    "cb",
    "s",
    "a",
    own.token,
    other.token,
    "cancel",
    "ok",
    "..",
    "%2e%2e",
    "%00",
    "%",
    "%zz",
    "%2F",
    "\u00e9",
    "A".repeat(22),
    "x".repeat(3000),
    "*",
    ";",
    "@",
    ":",
    "[::1]",
];

const pathArb = fc
    .record({
        prefix: fc.constantFrom(
            "/",
            "/",
            "/cb/",
            "//",
            "",
            "http://box/",
            "http://[::1",
            "*",
            "/cb/s/",
            "/\\",
            "ftp://x",
        ),
        parts: fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.string({ maxLength: 8 })), { maxLength: 6 }),
        query: fc.oneof(
            fc.constant(""),
            fc.string({ maxLength: 30 }).map((q) => `?${q}`),
            fc.constant("?a=%&b=%zz#x"),
        ),
    })
    .map(({ prefix, parts, query }) => `${prefix}${parts.join("/")}${query}`);

const HEADER_NAMES = [
    "Host",
    "Accept-Language",
    "X-CiscoIPPhoneModelName",
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Cookie",
    "X-Forwarded-For",
];
const headerArb = fc.tuple(
    fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 10 })),
    fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
            "ja-JP;q=0.9,*;q=x",
            "zz",
            "CP-7975G",
            "chunked",
            "0",
            "-1",
            "99999999999",
            "127.0.0.1",
            "\u00ff\u00fe",
        ),
    ),
);

interface Req {
    method: string;
    path: string;
    version: string;
    headers: [string, string][];
    body: string;
    /** Send a Host header first (Node refuses HTTP/1.1 without one, which would hide the service). */
    host: boolean;
}

const anyReq: fc.Arbitrary<Req> = fc.record({
    method: fc.oneof(
        fc.constantFrom("GET", "GET", "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "get"),
        fc.string({ maxLength: 6 }),
    ),
    path: pathArb,
    version: fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1", "", "HTTP/9"),
    headers: fc.array(headerArb, { maxLength: 5 }),
    body: fc.string({ maxLength: 20 }),
    host: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(false)),
});

/** Requests Node's parser lets through to the service: GET, HTTP/1.1, Host, well-formed headers. */
const wellFramed: fc.Arbitrary<Req> = fc.record({
    method: fc.constantFrom("GET", "GET", "GET", "POST", "HEAD"),
    path: pathArb,
    version: fc.constant("HTTP/1.1"),
    headers: fc.array(
        fc.tuple(
            fc.constantFrom("Accept-Language", "X-CiscoIPPhoneModelName", "Cookie", "Accept"),
            fc.oneof(
                fc.stringMatching(/^[ -~]{0,30}$/),
                fc.constantFrom("ja-JP;q=0.9,*;q=x", "zz", "CP-7975G", "*", ",,", ";q=", "en-US;q=1e999"),
            ),
        ),
        { maxLength: 3 },
    ),
    body: fc.constant(""),
    host: fc.constant(true),
});

const reqArb: fc.Arbitrary<Req> = fc.oneof({ arbitrary: wellFramed, weight: 3 }, { arbitrary: anyReq, weight: 1 });

/** Sends raw bytes, half-closes, and returns the status of the first answer (0: none). */
function send(raw: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const sock = createConnection({ host: "127.0.0.1", port });
        const timer = setTimeout(() => {
            sock.destroy();
            reject(new Error("no answer and no close within 5 s"));
        }, 5000);
        sock.on("data", (c) => chunks.push(c));
        sock.on("error", () => {});
        sock.on("close", () => {
            clearTimeout(timer);
            const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString("latin1"));
            resolve(m === null ? 0 : Number(m[1]));
        });
        sock.end(raw);
    });
}

const http: Target<Req> = {
    name: "requests",
    runs: 500,
    save: "json",
    async: true,
    arb: reqArb,
    async check(r) {
        const before = { ...svc.stats };
        const actionsBefore = actions;
        const head = `${r.method} ${r.path} ${r.version}`.trim();
        const lines = [head, ...(r.host ? ["Host: 127.0.0.1"] : []), ...r.headers.map(([k, v]) => `${k}: ${v}`)];
        const status = await send(Buffer.from(`${lines.join("\r\n")}\r\n\r\n${r.body}`, "latin1"));
        ensure(status < 500, `answered ${status} to ${JSON.stringify(head.slice(0, 120))}`);
        ensure(actions === actionsBefore && svc.stats.actions === before.actions, "a bad request ran an action");
        ensure(svc.stats.tickets === before.tickets, "a bad request issued or dropped a ticket");
    },
};

runTargets(t, "http", [http] as never[]);
