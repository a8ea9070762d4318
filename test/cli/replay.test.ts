import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { PcapFileWriter } from "../../src/capture/pcapWriter.js";
import { main } from "../../src/cli/main.js";
import { formatSummary, parseLinger, parseSpeed, runReplay } from "../../src/cli/replay.js";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { Branch } from "../../src/sim/branch.js";
import { ManualClock } from "../../src/sim/clock.js";
import { frameSinkOutput } from "../../src/sim/synth.js";

const dir = mkdtempSync(join(tmpdir(), "callbackd-replay-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const cmPort = 41000 + (process.pid % 9000);
const pcap = join(dir, "busy-callback.pcap");

/** Records a busy Call Back from the simulator: 1003 calls busy 1002, presses CallBack, both hang up. */
async function record(): Promise<void> {
    configureLogging({ level: "silent" });
    const writer = new PcapFileWriter(pcap, 1, 65535, 1 << 20, { fsync: false });
    const clock = new ManualClock();
    const branch = await Branch.start({
        phones: [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
        clock,
        cm: { port: cmPort },
        tap: frameSinkOutput(writer.frameSink()),
    });
    const settle = async (ms: number) => {
        for (let i = 0; i < ms / 100; i++) {
            await branch.advance(100);
            await new Promise((r) => setTimeout(r, 1));
        }
    };
    await branch.call("1001", "1002");
    await branch.answer("1002");
    await branch.call("1003", "1002");
    const end = Date.now() + 10_000;
    while (branch.phone("1003").tone !== 0x23 && Date.now() < end) await settle(100);
    await branch.press("1003", "CallBack");
    await settle(5000);
    await branch.hangUp("1003");
    await settle(2000);
    await branch.hangUp("1002");
    // Keepalives carry the capture clock past the guard time.
    await settle(40_000);
    await branch.stop();
    writer.close();
}

const config = (extra: Record<string, unknown> = {}) =>
    loadConfig({
        env: {},
        overrides: {
            http: { listen: "127.0.0.1:0" },
            capture: { sccpPorts: [cmPort] },
            // Pushes go to a closed port on the phones' loopback addresses: they fail fast.
            phones: { pushUser: "cbpush", pushPassword: "x", pushUrl: "http://{ip}:9/CGI/Execute" },
            log: { level: "silent" },
            ...extra,
        },
    });

function get(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
        request(url, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        })
            .on("error", reject)
            .end();
    });
}

t.before(record);

t.test("as fast as possible: the busy call-back is made and the caller notified", async (t) => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => {
        text += b.toString();
    });
    // A short recall window: the notified request times out within the recorded minute.
    const s = await runReplay(config({ callback: { recallWindowMs: 10_000 } }), {
        file: pcap,
        speed: null,
        lingerS: 0,
        out,
    });
    t.ok(s.frames > 20, "frames read");
    t.equal(s.requests, 1, "one request made");
    t.equal(s.notified, 1, "the caller was notified");
    t.ok(s.pushFailed > 0, "pushes to the absent phones failed");
    t.match(text, /requests made: 1\nnotified: 1\nended: recall-timeout=1\n/);
    t.ok(s.captureSeconds > 10, "capture time covered");
});

t.test("the CLI: --speed paces the frames, --linger keeps the phone service up", async (t) => {
    const cfg = join(dir, "config.json");
    writeFileSync(
        cfg,
        JSON.stringify({
            http: { listen: "127.0.0.1:0" },
            capture: { sccpPorts: [cmPort] },
            phones: { pushUser: "cbpush", pushPassword: "x", pushUrl: "http://{ip}:9/CGI/Execute" },
            log: { level: "silent" },
        }),
    );
    const out = new PassThrough();
    let text = "";
    let answered: Promise<number> | null = null;
    out.on("data", (b: Buffer) => {
        text += b.toString();
        const m = /phone service stays up at (\S+) for/.exec(text);
        if (m?.[1] !== undefined && answered === null) answered = get(m[1]);
    });
    const started = Date.now();
    const code = await main(["replay", pcap, "--config", cfg, "--speed", "20", "--linger", "1"], {
        out,
        err: new PassThrough(),
        env: {},
    });
    t.equal(code, 0);
    t.ok(answered !== null, "the linger line names the base URL");
    t.equal(await answered, 404, "the phone-facing HTTP service answered during the linger");
    // ~17 s of capture at 20x is ~0.85 s, plus the 1 s linger.
    t.ok(Date.now() - started >= 1500, "paced and lingered");
    t.match(text, /requests made: 1/);
    t.match(text, /notified: 1/);
    t.match(text, /ended: /);
});

t.test("usage errors", async (t) => {
    const io = () => ({ out: new PassThrough(), err: new PassThrough(), env: {} });
    t.equal(await main(["replay"], io()), 2);
    t.equal(await main(["replay", pcap, "--speed", "2", "--as-fast-as-possible"], io()), 2);
    t.equal(await main(["replay", pcap, "--speed", "0"], io()), 2);
    t.equal(await main(["replay", pcap, "--linger", "-1"], io()), 2);
    t.equal(parseSpeed("2.5"), 2.5);
    t.equal(parseLinger("0"), 0);
    const missing = io();
    t.equal(await main(["replay", join(dir, "nope.pcap"), "--as-fast-as-possible"], missing), 1);
    t.equal(await main(["replay", join(dir, "nope.pcap"), "--speed", "5"], io()), 1);
});

t.test("abort and a corrupt capture", async (t) => {
    const bad = join(dir, "bad.pcap");
    writeFileSync(bad, Buffer.from("this is not a capture file at all, sorry"));
    await t.rejects(runReplay(config(), { file: bad, speed: 2, lingerS: 0, out: new PassThrough() }), {
        code: "CAPTURE_FORMAT",
    });
    // A good header and then a record longer than any snap length: corrupt after the first frames.
    const good = readFileSync(pcap);
    const broken = Buffer.concat([good.subarray(0, 24 + 16 + good.readUInt32LE(32)), Buffer.alloc(16, 0xff)]);
    writeFileSync(bad, broken);
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => {
        text += b.toString();
    });
    const s = await runReplay(config(), { file: bad, speed: 2, lingerS: 0, out });
    t.equal(s.frames, 1);
    t.match(text, /warning: capture is corrupt/);
    const ac = new AbortController();
    ac.abort();
    const a = await runReplay(config(), { file: pcap, speed: 1, lingerS: 5, out, signal: ac.signal });
    t.equal(a.frames, 0, "stopped before the first frame");
    t.match(formatSummary({ ...a, ended: { completed: 1, expired: 2 } }), /ended: completed=1 expired=2/);
});
