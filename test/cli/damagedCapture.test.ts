/**
 * Damaged captures and stdin (issue T item 8): `decode` says on stderr that a capture is cut short or
 * corrupt (CAPTURE_CORRUPT, status 1) in every output mode; `replay -` reads stdin as `decode -` does;
 * replay opens its phone-facing port only once the input is known to be a capture.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { main } from "../../src/cli/main.js";

const sample = join(import.meta.dirname, "../../board/samples/sccp-7912-callmanager41.pcapng");
const good = readFileSync(sample);

async function run(args: string[], stdin?: Buffer, env: NodeJS.ProcessEnv = {}) {
    const out = new PassThrough();
    const err = new PassThrough();
    const input = new PassThrough();
    let o = "";
    let e = "";
    out.on("data", (b: Buffer) => (o += b.toString()));
    err.on("data", (b: Buffer) => (e += b.toString()));
    if (stdin !== undefined) input.end(stdin);
    const code = await main(args, { out, err, env: { CALLBACKD_LOG_LEVEL: "silent", ...env }, in: input });
    return { code, out: o, err: e };
}

t.test("decode: a capture cut short is a warning, a corrupt one fails, in every mode", async (t) => {
    const dir = t.testdir({});
    const cut = join(dir, "cut.pcapng");
    const corrupt = join(dir, "corrupt.pcapng");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(cut, good.subarray(0, good.length - 7));
    // a block length no pcapng block can have, a third of the way in
    const bad = Buffer.from(good);
    const at = good.indexOf(Buffer.from([0x06, 0x00, 0x00, 0x00]), Math.floor(good.length / 3));
    bad.writeUInt32LE(0x7fff_fff0, at + 4);
    writeFileSync(corrupt, bad);
    for (const mode of [[], ["--json"], ["--summary"]]) {
        const c = await run(["decode", ...mode, cut]);
        t.equal(c.code, 0, `cut short ${mode.join("")}`);
        t.match(
            c.err,
            /^callbackd: warning: .*cut\.pcapng is cut short in the middle of a packet \(\d+ complete packets read\)\n$/,
        );
        const k = await run(["decode", ...mode, corrupt]);
        t.equal(k.code, 1, `corrupt ${mode.join("")}`);
        t.match(
            k.err,
            /^callbackd: CAPTURE_CORRUPT: .*corrupt\.pcapng is corrupt at byte \d+ \(.+\): \d+ packets read/,
        );
    }
    const whole = await run(["decode", sample]);
    t.equal(whole.err, "", "a whole capture: nothing on stderr");
});

t.test("replay - reads the capture from stdin, as decode - does", async (t) => {
    const r = await run(["replay", "-"], good, { CALLBACKD_HTTP_LISTEN: "127.0.0.1:0" });
    t.equal(r.code, 0, r.err);
    t.match(r.out, /^frames: 3152 /m);
    const d = await run(["decode", "--summary", "-"], good);
    t.match(d.out, /^stdin: pcapng, 3152 packets/);
});

t.test("replay checks the capture before it opens its port", async (t) => {
    // a port that is taken: if replay listened before checking the input, it would fail with HTTP_LISTEN
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    t.teardown(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const env = { CALLBACKD_HTTP_LISTEN: `127.0.0.1:${port}` };
    const dir = t.testdir({ "notes.txt": "these are my notes, not a capture\n" });
    const text = await run(["replay", join(dir, "notes.txt")], undefined, env);
    t.equal(text.code, 1);
    t.match(text.err, /CAPTURE_FORMAT/, "the input is refused first");
    const missing = await run(["replay", join(dir, "missing.pcap")], undefined, env);
    t.match(missing.err, /CAPTURE_OPEN/);
    const empty = await run(["replay", "-"], Buffer.alloc(0), env);
    t.match(empty.err, /CAPTURE_FORMAT: stdin: empty input/);
    const real = await run(["replay", sample], undefined, env);
    t.match(real.err, /HTTP_LISTEN/, "a real capture gets as far as the port");
});
