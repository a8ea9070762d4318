/** `callbackd console`: the local shell bridged to the TCP console, and `--hash`. */
import { createServer } from "node:net";
import { PassThrough } from "node:stream";
import t from "tap";
import { main } from "../../src/cli/main.js";
import { hashFromInput, runConsoleClient } from "../../src/console/client.js";
import { verifyPassword } from "../../src/console/config.js";

function collect() {
    const s = new PassThrough();
    let text = "";
    s.on("data", (b: Buffer) => {
        text += b.toString();
    });
    return {
        s,
        get text() {
            return text;
        },
    };
}

t.test("bridges stdin/stdout to the console port, raw mode on a TTY", async (t) => {
    const server = createServer((sock) => {
        sock.write("Password: ");
        sock.on("data", (b) => {
            if (b.toString().includes("\r")) sock.end("\r\nbye\r\n");
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    t.teardown(() => server.close());
    const port = (server.address() as { port: number }).port;
    const input = Object.assign(new PassThrough(), {
        isTTY: true,
        modes: [] as boolean[],
        setRawMode(on: boolean) {
            this.modes.push(on);
        },
    });
    const out = collect();
    const done = runConsoleClient(port, { input, output: out.s });
    await new Promise((r) => setTimeout(r, 50));
    input.write("secret\r");
    t.equal(await done, 0);
    t.match(out.text, /Password: \r\nbye/);
    t.same(input.modes, [true, false]);
});

t.test("no console listening: a typed error", async (t) => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    await t.rejects(runConsoleClient(port, { input: new PassThrough(), output: new PassThrough() }), {
        code: "CONSOLE_CONNECT",
    });
    const err = collect();
    const code = await main(["console", "--port", String(port)], {
        out: new PassThrough(),
        err: err.s,
        env: {},
        in: new PassThrough(),
    });
    t.equal(code, 1);
    t.match(err.text, /CONSOLE_CONNECT/);
});

t.test("--hash reads a password and prints a verifiable scrypt hash", async (t) => {
    const input = new PassThrough();
    const out = collect();
    const p = main(["console", "--hash"], { out: out.s, err: new PassThrough(), env: {}, in: input });
    input.write("abcx\x7fd\n");
    t.equal(await p, 0);
    const hash = out.text.trim();
    t.match(hash, /^scrypt\$16384\$8\$1\$/);
    t.ok(verifyPassword("abcd", hash));
    t.notOk(verifyPassword("abcx", hash));
    const tty = Object.assign(new PassThrough(), { isTTY: true, setRawMode() {} });
    const shown = collect();
    const q = hashFromInput({ input: tty, output: shown.s });
    tty.write("\x03");
    await t.rejects(q, { code: "CONSOLE_EMPTY_PASSWORD" });
    t.match(shown.text, /^Password: \n$/);
    const ended = new PassThrough();
    const r = hashFromInput({ input: ended, output: new PassThrough() });
    ended.end();
    await t.rejects(r, { code: "CONSOLE_EMPTY_PASSWORD" });
});

t.test("usage errors and help", async (t) => {
    const err = collect();
    t.equal(await main(["console", "--port", "x"], { out: new PassThrough(), err: err.s, env: {} }), 2);
    t.match(err.text, /--port must be 1\.\.65535/);
    const out = collect();
    await main(["help"], { out: out.s, err: new PassThrough(), env: {} });
    t.match(out.text, /callbackd console \[--config FILE\] \[--port N\]/);
});

t.test("malformed hashes never verify", async (t) => {
    t.notOk(verifyPassword("x", null));
    t.notOk(verifyPassword("x", "plain"));
    t.notOk(verifyPassword("x", "scrypt$abc$8$1$c2FsdA==$aGFzaA=="));
    t.notOk(verifyPassword("x", "scrypt$1024$8$1$c2FsdA==$"));
    t.notOk(verifyPassword("x", "scrypt$1000$8$1$c2FsdA==$aGFzaA=="), "scrypt rejects a cost that is not a power of 2");
});

t.test("--hash on a terminal asks twice; a long input is refused (issue T items 7 and 10)", async (t) => {
    const tty = () => Object.assign(new PassThrough(), { isTTY: true, setRawMode() {} });
    const same = tty();
    const shown = collect();
    const p = hashFromInput({ input: same, output: shown.s });
    same.write("s3cret\r");
    same.write("s3cret\r");
    t.ok(verifyPassword("s3cret", await p));
    t.equal(shown.text, "Password: \nAgain: \n", "nothing echoed");
    const typo = tty();
    const q = hashFromInput({ input: typo, output: new PassThrough() });
    typo.write("s3cret\rs3cert\r");
    await t.rejects(q, { code: "CONSOLE_PASSWORD_MISMATCH" });
    const zero = new PassThrough();
    const r = hashFromInput({ input: zero, output: new PassThrough() });
    zero.write(Buffer.alloc(64 * 1024));
    await t.rejects(r, { code: "CONSOLE_PASSWORD_TOO_LONG" }, "stdin from /dev/zero ends");
});
