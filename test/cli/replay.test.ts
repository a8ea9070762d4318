import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { main } from "../../src/cli/main.js";
import {
    formatSummary,
    type PaceClock,
    parseLinger,
    parseSpeed,
    replayFrames,
    runReplay,
} from "../../src/cli/replay.js";
import { loadConfig } from "../../src/config/load.js";
import { freeLoopbackPort, recordBusyCallBack } from "./simCapture.js";

const dir = mkdtempSync(join(tmpdir(), "callbackd-replay-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const cmPort = await freeLoopbackPort();
const pcap = join(dir, "busy-callback.pcap");

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

t.before(() => recordBusyCallBack(pcap, cmPort));

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
    const code = await main(["replay", pcap, "--config", cfg, "--speed", "20", "--linger", "1"], {
        out,
        err: new PassThrough(),
        env: {},
    });
    t.equal(code, 0);
    t.ok(answered !== null, "the linger line names the base URL");
    t.equal(await answered, 404, "the phone-facing HTTP service answered during the linger");
    t.match(text, /requests made: 1/);
    t.match(text, /notified: 1/);
    t.match(text, /ended: /);
});

t.test("--speed: each frame waits for its capture offset / speed on the pacing clock", async (t) => {
    // A manual pacing clock: sleeping moves it on, so the waits are exact and nothing waits on the wall.
    let now = 1000;
    const sleeps: number[] = [];
    const clock: PaceClock = {
        now: () => now,
        sleep: async (ms) => {
            sleeps.push(ms);
            now += ms;
        },
    };
    const frames: Array<{ ts: number; at: number }> = [];
    const stats = await replayFrames(pcap, 20, (f) => frames.push({ ts: f.ts, at: now }), undefined, { clock });
    t.equal(frames.length, stats.frames);
    t.ok(frames.length > 20 && sleeps.length > 0, `${frames.length} frames, ${sleeps.length} waits`);
    const ts0 = frames[0]!.ts;
    const late = frames.filter((f) => f.at < 1000 + ((f.ts - ts0) * 1000) / 20 - 1);
    t.same(late, [], "no frame delivered before its time (offset / 20)");
    const span = ((frames.at(-1)!.ts - ts0) * 1000) / 20;
    t.ok(now - 1000 >= span - 1 && now - 1000 <= span + 1, `the replay waited ${now - 1000} ms for ${span} ms`);
    // as fast as possible: no wait at all
    sleeps.length = 0;
    await replayFrames(pcap, null, () => {}, undefined, { clock });
    t.same(sleeps, [], "--as-fast-as-possible never waits");
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
