/** The line discipline, login, privilege and paging of one session, over an in-memory transport. */
import t from "tap";
import type { CommandNode } from "../../src/console/commandTree.js";
import { hashPassword } from "../../src/console/config.js";
import { ConsoleSession, type SessionControl, type SessionOptions } from "../../src/console/session.js";

// A cheap scrypt cost keeps the tests fast (the cost is read back from the hash).
const HASH = hashPassword("s3cret", 1024);
const ENABLE = hashPassword("boss", 1024);

interface Ctx {
    session: SessionControl;
}

const ran: string[] = [];
const tree: CommandNode<Ctx>[] = [
    {
        word: "show",
        help: "Show things",
        children: [
            { word: "version", help: "Version", run: () => ["v1"] },
            { word: "value", help: "A value", run: () => ["val"] },
            { word: "many", help: "Many lines", run: () => Array.from({ length: 50 }, (_, i) => `line ${i + 1}`) },
            { word: "slow", help: "Async", run: async () => ["slow done"] },
            {
                word: "boom",
                help: "Throws",
                run: () => {
                    throw new Error("kaput");
                },
            },
            { word: "reject", help: "Rejects", run: async () => Promise.reject(new Error("nope")) },
        ],
    },
    {
        word: "echo",
        help: "Echo a word",
        children: [
            { word: "<word>", help: "A word", candidates: () => ["alpha", "beta"], run: (_c, a) => [`[${a.word}]`] },
        ],
    },
    {
        word: "reload",
        help: "Mutating",
        privileged: true,
        run: () => {
            ran.push("reload");
            return ["reloading"];
        },
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
                    c.session.setTermLength(Number(a.n));
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
    {
        word: "disable",
        help: "Unprivileged",
        run: (c) => {
            c.session.setPrivileged(false);
            return [];
        },
    },
];

function make(o: Partial<SessionOptions> = {}, close = false) {
    let out = "";
    let closed = false;
    const s: ConsoleSession<Ctx> = new ConsoleSession<Ctx>(
        tree,
        (x) => ({ session: x.control }),
        {
            write: (text) => {
                out += text;
            },
            ...(close ? { close: () => (closed = true) } : {}),
        },
        {
            hostname: "cb",
            passwordHash: HASH,
            enablePasswordHash: ENABLE,
            idleTimeoutMs: 60_000,
            maxFailures: 3,
            lockoutMs: 200,
            ...o,
        },
    );
    s.start();
    return {
        s,
        type: (x: string | Uint8Array) => s.feed(typeof x === "string" ? Buffer.from(x, "latin1") : x),
        take: () => {
            const r = out;
            out = "";
            return r;
        },
        get closed() {
            return closed;
        },
    };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test("login: password not echoed, wrong password, lockout, then login", async (t) => {
    const c = make();
    t.match(c.take(), /Password: $/);
    c.type("wrong\r");
    const a = c.take();
    t.notMatch(a, /wrong/, "password not echoed");
    t.match(a, /% Login invalid/);
    c.type("show version\r");
    t.notMatch(c.take(), /v1/, "no command before login");
    c.type("again\r");
    t.match(c.take(), /Too many failures: locked for 1 seconds/);
    c.type("s3cret\r");
    t.equal(c.take(), "", "input ignored while locked out");
    t.notOk(c.s.loggedIn);
    await new Promise((r) => setTimeout(r, 250));
    t.match(c.take(), /Password: $/);
    c.type("s3cret\r");
    t.match(c.take(), /cb>$/);
    t.ok(c.s.loggedIn);
    t.equal(c.s.stats.failures, 3);
});

t.test("no password configured: every login refused", async (t) => {
    const c = make({ passwordHash: null });
    c.take();
    c.type("\r");
    t.match(c.take(), /^\r\nPassword: $/, "an empty line only wakes the console");
    c.type("x\r");
    t.match(c.take(), /Login invalid/);
});

async function loggedIn(o: Partial<SessionOptions> = {}, close = false) {
    const c = make(o, close);
    c.type("s3cret\r");
    c.take();
    return c;
}

t.test("echo, backspace (DEL and BS), CR, LF and CRLF", async (t) => {
    const c = await loggedIn();
    c.type("shxx\x7f\x08 ver");
    t.equal(c.take(), "shxx\b \b\b \b ver");
    c.type("\r\n");
    await tick();
    t.match(c.take(), /v1\r\n\r\ncb>$/);
    c.type("show version\n");
    await tick();
    t.match(c.take(), /v1/);
    c.type("show version\r\nshow version\r");
    await tick();
    await tick();
    const out = c.take();
    t.equal(out.match(/v1/g)?.length, 2, "CRLF is one Enter");
    t.notMatch(out.replace(/\r\n/g, ""), /\n/, "only CRLF line ends");
    c.type("\x7f");
    t.equal(c.take(), "", "backspace on an empty line does nothing");
});

t.test("Ctrl-C, Ctrl-U, Ctrl-W, Ctrl-L, bell at the line limit", async (t) => {
    const c = await loggedIn({ maxLine: 10 });
    c.type("show ver\x03");
    t.equal(c.take(), "show ver^C\r\ncb>");
    c.type("\r");
    t.equal(c.take(), "\r\ncb>", "the line was cancelled");
    c.type("abc\x15");
    t.equal(c.take(), "abc\r\x1b[Kcb>");
    c.type("show ver\x17");
    t.equal(c.take(), "show ver\r\x1b[Kcb>show ");
    c.type("\x0c");
    t.equal(c.take(), "\x1b[2J\x1b[Hcb>show ");
    c.type("1234567890");
    t.equal(c.take(), "12345\x07\x07\x07\x07\x07", "beyond the limit: bell");
    c.type("\x03");
    c.take();
});

t.test("errors: caret, ambiguous, incomplete, unknown help", async (t) => {
    const c = await loggedIn();
    c.type("show bogus\r");
    t.equal(c.take(), "show bogus\r\n        ^\r\n% Invalid input detected at '^' marker.\r\n\r\ncb>");
    c.type("sh v\r");
    t.match(c.take(), /% Ambiguous command: {2}"sh v"/);
    c.type("show\r");
    t.match(c.take(), /% Incomplete command\./);
    c.type("zz?");
    t.match(c.take(), /% Unrecognized command/);
    c.type("\x15");
    c.take();
    t.equal(c.s.stats.errors, 3);
});

t.test("? help and Tab completion", async (t) => {
    const c = await loggedIn();
    c.type("?");
    const top = c.take();
    t.match(top, /show\s+Show things/);
    t.notMatch(top, /reload/, "user mode lists no privileged command (issue T item 10)");
    t.match(top, /cb>$/);
    c.type("sh?");
    t.match(c.take(), /show\s+Show things[\s\S]*cb>sh$/);
    c.type(" ve?");
    t.match(c.take(), /version/);
    c.type("\x15show version ?");
    t.match(c.take(), /<cr>/);
    c.type("\x15sh\t");
    t.equal(c.take(), "\r\x1b[Kcb>sh\r\x1b[Kcb>show ");
    c.type("v\t");
    t.match(c.take(), /value {2}version/, "not unique: candidates listed");
    c.type("e\t");
    t.match(c.take(), /cb>show version $/);
    c.type("\x15echo a\t");
    t.match(c.take(), /cb>echo alpha $/, "argument candidates complete");
    c.type("\x15echo ?");
    t.match(c.take(), /<word>\s+A word[\s\S]*\(alpha, beta\)/);
    c.type("\x15zz\t");
    t.ok(c.take().endsWith("\x07"));
    c.type("\x15show version extra?");
    t.match(c.take(), /% Unrecognized command/);
    c.type("\x15");
    c.take();
});

t.test("arrows and Ctrl-P/N recall history; unknown escapes are ignored", async (t) => {
    const c = await loggedIn();
    c.type("show version\r");
    await tick();
    c.type("echo x\r");
    await tick();
    c.take();
    c.type("\x1b[A");
    t.match(c.take(), /cb>echo x$/);
    c.type("\x10");
    t.match(c.take(), /cb>show version$/);
    c.type("\x10");
    t.equal(c.take(), "\x07", "top of history");
    c.type("\x1b[B\x0e");
    t.match(c.take(), /cb>$/);
    c.type("\x1b[1;5D\x1bOx\x1b[99999999999999999999Z");
    t.equal(c.take(), "", "unknown sequences ignored");
    c.type("\r");
    t.equal(c.take(), "\r\ncb>");
});

t.test("privilege: enable with a wrong and a right secret, disable", async (t) => {
    const c = await loggedIn();
    c.type("reload\r");
    t.match(c.take(), /% Privileged command: use "enable" first/);
    t.same(ran, []);
    c.type("enable\r");
    await tick();
    t.match(c.take(), /Password: $/);
    c.type("nope\r");
    t.match(c.take(), /% Bad secret[\s\S]*cb>$/);
    c.type("enable\r");
    await tick();
    c.type("boss\r");
    t.notMatch(c.take(), /boss/);
    t.ok(c.s.privileged);
    c.type("reload\r");
    await tick();
    t.match(c.take(), /reloading\r\n\r\ncb#$/);
    t.same(ran, ["reload"]);
    c.type("enable\r");
    await tick();
    t.match(c.take(), /cb#$/, "already privileged");
    c.type("disable\r");
    await tick();
    t.match(c.take(), /cb>$/);
    c.type("enable\r");
    await tick();
    c.type("pass\x03");
    t.match(c.take(), /\^C\r\ncb>$/, "Ctrl-C cancels the enable prompt");
});

t.test("paging: --More--, Enter, space, q; terminal length 0", async (t) => {
    const c = await loggedIn();
    c.type("show many\r");
    await tick();
    let out = c.take();
    t.match(out, /line 23\r\n --More-- $/);
    t.notMatch(out, /line 24/);
    c.type("\r");
    out = c.take();
    t.match(out, /line 24\r\n --More-- $/);
    c.type("\n");
    t.equal(c.take(), "", "LF of a CRLF is not a second key");
    c.type("x");
    t.equal(c.take(), "\r\x1b[K --More-- ");
    c.type(" ");
    t.match(c.take(), /line 47\r\n --More-- $/);
    c.type(" ");
    t.match(c.take(), /line 50\r\n\r\ncb>$/);
    c.type("show many\r");
    await tick();
    c.take();
    c.type("q");
    t.equal(c.take(), "\r\x1b[K\r\ncb>");
    c.type("terminal 0\r");
    await tick();
    c.take();
    c.type("show many\r");
    await tick();
    t.match(c.take(), /line 50\r\n\r\ncb>$/);
});

t.test("async commands, throws and rejections; input typed meanwhile is kept", async (t) => {
    const c = await loggedIn();
    c.type("show slow\rshow version\r");
    await tick();
    await tick();
    const out = c.take();
    t.match(out, /slow done[\s\S]*v1/);
    c.type("show boom\r");
    await tick();
    t.match(c.take(), /% kaput/);
    c.type("show reject\r");
    await tick();
    await tick();
    t.match(c.take(), /% nope/);
});

t.test("asynchronous lines keep the input line (logging synchronous)", async (t) => {
    const c = await loggedIn();
    c.type("show ver");
    c.take();
    c.s.notify("DEBUG something");
    t.equal(c.take(), "\r\x1b[KDEBUG something\r\ncb>show ver");
    c.type("\x15show many\r");
    await tick();
    c.take();
    c.s.notify("during paging");
    t.equal(c.take(), "", "held back while paging");
    c.type("q");
    t.match(c.take(), /during paging\r\n\r\ncb>$/);
});

t.test("binary garbage: no crash, the console still answers", async (t) => {
    const c = await loggedIn();
    const junk = Buffer.alloc(256 * 1024);
    let x = 12345;
    for (let i = 0; i < junk.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        junk[i] = x >>> 24;
    }
    c.type(junk);
    c.type("\x03show version\r");
    // The session works through its queue in slices: tick until the command typed after the junk answered.
    let out = "";
    for (let i = 0; i < 100_000 && !/v1\r\n/.test(out.slice(-200)); i++) {
        await tick();
        out += c.take();
    }
    t.match(out.slice(-200), /v1/);
    // Echo and error lines grow in proportion to the junk, never with the square of a line's length (a
    // redraw of the whole line per key would): about 1.3 characters out per byte in.
    t.ok(out.length < 4 * junk.length, `${out.length} characters out for ${junk.length} bytes of junk`);
    c.type("\x03exit\r");
    await tick();
    t.match(c.take(), /Password: $/, "serial: back to the login prompt after garbage-made commands");
});

t.test("idle timeout logs out; exit closes a closable transport", async (t) => {
    const c = await loggedIn({ idleTimeoutMs: 50 });
    await new Promise((r) => setTimeout(r, 120));
    t.match(c.take(), /% Session timed out[\s\S]*Password: $/);
    t.notOk(c.s.loggedIn);
    const d = await loggedIn({}, true);
    d.type("exit\r");
    await tick();
    t.ok(d.closed);
    d.type("show version\r");
    t.equal(d.take().includes("v1"), false, "closed session ignores input");
    d.s.close();
});

t.test("input beyond the queue bound while a command runs is dropped", async (t) => {
    const c = await loggedIn();
    c.type("show slow\r");
    c.type(Buffer.alloc(2 * 1024 * 1024, 0x41));
    t.ok(c.s.stats.dropped > 0);
    await tick();
    c.take();
    c.s.close();
});
