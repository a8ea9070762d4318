/**
 * Fuzzing of what phones answer: the XML parser, the CiscoIPPhoneResponse/Error reader, and the push
 * client fed raw HTTP answers (any status, headers, framing and body) by a fake phone on 127.0.0.1.
 */
import { createServer, type Server, type Socket } from "node:net";
import fc from "fast-check";
import t from "tap";
import { PushClient, type PushCode } from "../../src/phone/push.js";
import { parseXml, type XmlElement } from "../../src/phone/xmlParse.js";
import { buildExecute, escapeXml, MAX_REPLY_BYTES, parsePhoneReply } from "../../src/phone/xsi.js";
import { ensure, mutated, runTargets, strict, type Target } from "./lib.js";

const NAMES = ["CiscoIPPhoneResponse", "CiscoIPPhoneError", "ResponseItem", "Status", "Data", "URL", "x", "a:b"];
const ATTRS = ["Status", "Data", "URL", "Number", "xmlns", "y"];

interface Tree {
    name: string;
    attrs: [string, string][];
    children: (Tree | string)[];
}

const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("0", "-1", " 4 ", "65536", "99999", "Success", "&", "<", "]]>", "\u00e9", "\u3042", "\ud83d\ude00"),
);

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.record({
        name: fc.constantFrom(...NAMES),
        attrs: fc.uniqueArray(fc.tuple(fc.constantFrom(...ATTRS), text), { maxLength: 3, selector: (a) => a[0] }),
        children: fc.array(fc.oneof({ depthSize: "small", withCrossShrink: true }, text, tie("node")), {
            maxLength: 4,
        }),
    }),
})).node;

/** Well-formed XML of a tree (what a conforming phone could send). */
function serialize(n: Tree): string {
    const attrs = n.attrs.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join("");
    if (n.children.length === 0) return `<${n.name}${attrs}/>`;
    const inner = n.children.map((c) => (typeof c === "string" ? escapeXml(c) : serialize(c))).join("");
    return `<${n.name}${attrs}>${inner}</${n.name}>`;
}

function depth(n: Tree): number {
    return 1 + Math.max(0, ...n.children.map((c) => (typeof c === "string" ? 0 : depth(c))));
}

/** Text content as the parser reports it: adjacent runs merged. */
function normalize(n: Tree | XmlElement): unknown {
    const kids: unknown[] = [];
    for (const c of n.children) {
        if (typeof c === "string") {
            if (c === "") continue;
            if (typeof kids[kids.length - 1] === "string") kids[kids.length - 1] += c;
            else kids.push(c);
        } else kids.push(normalize(c));
    }
    const attrs = n.attrs instanceof Map ? [...n.attrs] : n.attrs;
    return { name: n.name, attrs, kids };
}

/** Only characters XML 1.0 allows (the generator may produce others: they must be refused, not crash). */
function xmlSafe(s: string): boolean {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
    return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(
        s,
    );
}

const DECLS = ['<?xml version="1.0" encoding="utf-8"?>\n', '<?xml version="1.0" encoding="ISO-8859-1"?>', ""];
const SEEDS: Uint8Array[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneResponse><ResponseItem Status="0" Data="Success" URL="Play:CallBack.raw"/></CiscoIPPhoneResponse>',
    "<CiscoIPPhoneResponse><ResponseItem><Status>0</Status><Data>Success</Data><URL>http://x/y?a=1&amp;b=2</URL></ResponseItem></CiscoIPPhoneResponse>",
    '<?xml version="1.0" encoding="ISO-8859-1"?><CiscoIPPhoneError Number="4"/>',
    '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    "<x><![CDATA[a<b]]><!-- c --><?pi d?>&#x41;&#65;</x>",
    buildExecute([{ url: "Play:CallBack.raw", priority: 0 }]).xml,
].map((s) => (typeof s === "string" ? new Uint8Array(Buffer.from(s, "latin1")) : new Uint8Array(s)));

const xml: Target<{ decl: number; tree: Tree }> = {
    name: "xml-valid",
    runs: 1500,
    save: "json",
    arb: fc.record({ decl: fc.nat({ max: DECLS.length - 1 }), tree }),
    check({ decl, tree }) {
        const doc = `${DECLS[decl]}${serialize(tree)}`;
        const ok = xmlSafe(doc) && depth(tree) <= 16;
        const parsed = strict(() => parseXml(doc), ["XML_PARSE"]);
        if (!ok) return;
        ensure(parsed !== undefined, "a well-formed document was refused");
        ensure(
            JSON.stringify(normalize(parsed.root)) === JSON.stringify(normalize(tree)),
            "the parsed tree differs from the document",
        );
    },
};

const REPLY_CODES = ["XSI_REPLY_INVALID"];

const reply: Target<Uint8Array> = {
    name: "reply",
    runs: 3000,
    arb: fc.oneof(
        mutated(SEEDS, 6, 300),
        fc
            .record({ decl: fc.nat({ max: DECLS.length - 1 }), tree })
            .map(({ decl, tree }) => new Uint8Array(Buffer.from(`${DECLS[decl]}${serialize(tree)}`, "utf8"))),
    ),
    check(bytes) {
        for (const input of [bytes, Buffer.from(bytes).toString("latin1")]) {
            const r = strict(() => parsePhoneReply(input), REPLY_CODES);
            if (r === undefined) continue;
            if (r.kind === "error") ensure(Number.isInteger(r.number) && r.number >= 0 && r.number <= 65535, "Number");
            else {
                ensure(r.items.length >= 1 && r.items.length <= 8, "item count");
                for (const i of r.items) ensure(Number.isInteger(i.status), "status is not an integer");
            }
        }
        strict(() => parseXml(Buffer.from(bytes).toString("utf8"), { maxDepth: 4, maxLength: 4096 }), ["XML_PARSE"]);
    },
};

// --- the push client against a phone that answers anything ---

interface Answer {
    status: number;
    headers: number;
    body: Uint8Array;
    close: boolean;
}

const CODES: readonly PushCode[] = [
    "PUSH_OK",
    "PUSH_ITEM_FAILED",
    "PUSH_AUTH_FAILED",
    "PUSH_AUTH_BACKOFF",
    "PUSH_PHONE_ERROR",
    "PUSH_BAD_RESPONSE",
    "PUSH_HTTP_STATUS",
    "PUSH_TIMEOUT",
    "PUSH_UNREACHABLE",
];

let server: Server | undefined;
let current: Answer = { status: 200, headers: 0, body: new Uint8Array(0), close: true };
const sockets = new Set<Socket>();

/** Raw HTTP answer bytes: right, wrong or missing Content-Length, chunked, or no headers at all. */
function rawAnswer(a: Answer): Buffer {
    const body = Buffer.from(a.body);
    const status = `HTTP/1.1 ${a.status} X\r\n`;
    switch (a.headers % 6) {
        case 0:
            return Buffer.concat([Buffer.from(`${status}Content-Length: ${body.length}\r\n\r\n`), body]);
        case 1:
            return Buffer.concat([Buffer.from(`${status}Content-Length: ${body.length + 7}\r\n\r\n`), body]);
        case 2:
            return Buffer.concat([Buffer.from(`${status}Connection: close\r\n\r\n`), body]);
        case 3:
            return Buffer.concat([
                Buffer.from(`${status}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`),
                body,
                Buffer.from("\r\n0\r\n\r\n"),
            ]);
        case 4:
            return Buffer.concat([Buffer.from(`${status}Content-Length: ${MAX_REPLY_BYTES * 4}\r\n\r\n`), body]);
        default:
            return body;
    }
}

async function phone(): Promise<number> {
    if (server === undefined) {
        const s = createServer((sock) => {
            sockets.add(sock);
            sock.on("close", () => sockets.delete(sock));
            sock.on("error", () => {});
            sock.once("data", () => {
                const a = current;
                sock.write(rawAnswer(a));
                if (a.close || a.headers % 6 === 1) sock.end();
            });
        });
        await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
        server = s;
    }
    const addr = server.address();
    return typeof addr === "object" && addr !== null ? addr.port : 0;
}

t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
});

const PASSWORD = "fuzz-S3cret";

const push: Target<Answer> = {
    name: "push",
    runs: 40,
    save: "json",
    async: true,
    arb: fc.record({
        status: fc.oneof(fc.constantFrom(200, 200, 200, 401, 403, 404, 500, 302), fc.integer({ min: 100, max: 999 })),
        headers: fc.nat({ max: 5 }),
        body: fc.oneof(mutated(SEEDS, 6, 300), fc.uint8Array({ maxLength: 40 })),
        close: fc.boolean(),
    }),
    async check(answer) {
        const port = await phone();
        current = answer;
        const client = new PushClient({
            user: "cbpush",
            password: PASSWORD,
            urlTemplate: `http://127.0.0.1:${port}/CGI/Execute`,
            timeoutMs: 100,
            maxAttempts: 1,
        });
        try {
            const out = await client.push(
                { ip: "127.0.0.1", device: "SEP001122334455" },
                buildExecute([{ url: "Play:CallBack.raw", priority: 0 }]),
            );
            ensure(CODES.includes(out.code), `unexpected outcome ${out.code}`);
            ensure(!JSON.stringify(out).includes(PASSWORD), "the password leaked into the outcome");
            if (out.ok) {
                // The body decides (phones are not strict about the status): only a response whose items all succeeded.
                const r = strict(() => parsePhoneReply(answer.body), REPLY_CODES);
                ensure(r?.kind === "response" && r.items.every((i) => i.status === 0), "ok without a successful reply");
            }
        } finally {
            client.close();
        }
    },
};

runTargets(t, "xsi", [xml, reply, push] as never[]);
