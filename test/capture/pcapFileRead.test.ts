import { execFile, spawn } from "node:child_process";
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import t from "tap";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { type CaptureFileStats, readCaptureFile } from "../../src/capture/pcapFile.js";
import { CaptureError } from "../../src/errors.js";
import { block, concat, copyFrame, epb, type FrameCopy, idb, payload, pcap, shb } from "../helpers/pcapFileBuilders.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const capturesDir = join(here, "../fixtures/captures");
const REAL = [
    "pyskinny_cm_call_from_pyskinny_to_7912.pcapng",
    "pyskinny_cm_cap.pcapng",
    "pyskinny_vphone_hold_unhold.pcap",
    "sccprs_line_status_7961_v22.pcap", // really pcapng: the reader goes by magic, not extension
];

const NG = concat(
    shb(),
    idb({ linkType: 1 }),
    epb({ ts: 1700000000000001n, data: payload(60, 1) }),
    epb({ ts: 1700000000000002n, data: payload(70, 2) }),
    epb({ ts: 1700000000000003n, data: payload(80, 3) }),
    epb({ ts: 1700000000000004n, data: payload(90, 4) }),
);

async function tsharkAvailable(): Promise<boolean> {
    try {
        await run("tshark", ["-v"]);
        return true;
    } catch {
        return false;
    }
}

async function collect(path: string, opts = {}): Promise<{ frames: FrameCopy[]; stats: CaptureFileStats }> {
    const frames: FrameCopy[] = [];
    const stats = await readCaptureFile(path, (f) => frames.push(copyFrame(f)), opts);
    return { frames, stats };
}

const hasTshark = await tsharkAvailable();
const tsharkSkip = hasTshark ? false : "tshark not on PATH: install the apt package `tshark` to compare with Wireshark";

t.test("real captures match tshark (count, timestamps to 1 us, lengths)", { skip: tsharkSkip }, async (t) => {
    for (const name of REAL) {
        const path = join(capturesDir, name);
        const { stdout } = await run(
            "tshark",
            ["-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.cap_len", "-e", "frame.len"],
            { maxBuffer: 64 << 20 },
        );
        const want = stdout
            .trim()
            .split("\n")
            .map((l) => l.split("\t").map(Number));
        const got: [number, number, number][] = [];
        const stats = await readCaptureFile(path, (f: CapturedFrame) => {
            got.push([f.ts, f.bytes.length, f.origLen]);
        });
        t.equal(got.length, want.length, `${name}: frame count`);
        let bad = -1;
        for (let i = 0; i < want.length && bad < 0; i++) {
            const w = want[i]!;
            const g = got[i];
            if (g === undefined || Math.abs(g[0] - w[0]!) > 1e-6 || g[1] !== w[1] || g[2] !== w[2]) bad = i;
        }
        t.equal(bad, -1, `${name}: every frame matches`);
        if (bad >= 0) t.same(got[bad], want[bad], `${name}: frame ${bad}`);
        t.equal(stats.frames, want.length);
        t.equal(stats.corrupt, false);
        t.equal(stats.truncatedTail, false);
        t.equal(stats.malformed, 0);
    }
});

t.test("reads from a Readable, whatever its chunking", async (t) => {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < NG.length; i += 13) chunks.push(NG.slice(i, i + 13));
    const a = await collect("fixture", { input: Readable.from(chunks) });
    const b = await collect("fixture", { input: Readable.from([NG]) });
    t.equal(a.frames.length, 4);
    t.same(a, b);
    t.equal(a.stats.format, "pcapng");

    // An explicitly paused input is resumed.
    const paused = Readable.from([NG]);
    paused.pause();
    t.equal((await collect("x", { input: paused })).stats.frames, 4);
});

t.test("reads a file; stdin with '-'", async (t) => {
    const dir = t.testdir({});
    const file = join(dir, "small.pcap");
    const bytes = pcap({ ns: true }, [
        { sec: 1700000000, frac: 5, data: payload(64) },
        { sec: 1700000001, frac: 6, data: payload(65) },
    ]);
    writeFileSync(file, bytes);
    const r = await collect(file, { highWaterMark: 7 });
    t.equal(r.frames.length, 2);
    t.equal(r.stats.bytes, bytes.length);
    t.equal(r.stats.format, "pcap");

    // "-" reads process.stdin: run in a child so the test's own stdin stays untouched.
    const loader = process.execArgv.filter((a) => a.includes("typescript"));
    const modUrl = new URL("../../src/capture/pcapFile.ts", import.meta.url).href;
    const code = `import { readCaptureFile } from ${JSON.stringify(modUrl)};
const stats = await readCaptureFile("-", () => {});
process.stdout.write(JSON.stringify(stats));`;
    const child = spawn(process.execPath, [...loader, "--input-type=module", "-e", code], {
        stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
        out += d;
    });
    child.stdin.end(bytes);
    const rc = await new Promise<number | null>((resolve) => child.on("close", resolve));
    t.equal(rc, 0);
    t.match(JSON.parse(out), { format: "pcap", frames: 2, bytes: bytes.length });
});

t.test("open errors: CAPTURE_OPEN with the errno", async (t) => {
    const dir = t.testdir({});
    const missing = join(dir, "nope.pcap");
    await t.rejects(
        readCaptureFile(missing, () => {}),
        {
            code: "CAPTURE_OPEN",
            message: new RegExp(`cannot open capture ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ENOENT`),
            details: { name: missing, errno: "ENOENT" },
        },
    );
    const err = await readCaptureFile(dir, () => {}).catch((e: unknown) => e);
    t.ok(err instanceof CaptureError);
    t.match(err, { code: "CAPTURE_OPEN", details: { errno: "EISDIR" } });
    t.ok((err as Error).cause instanceof Error, "errno error kept as cause");
});

t.test("format errors reject with CAPTURE_FORMAT and the path", async (t) => {
    const dir = t.testdir({ "notes.txt": "just some text, definitely not a capture" });
    await t.rejects(
        readCaptureFile(join(dir, "notes.txt"), () => {}),
        {
            code: "CAPTURE_FORMAT",
            message: /notes\.txt: not a pcap or pcapng file \(starts with 6a 75 73 74/,
        },
    );
    await t.rejects(
        readCaptureFile("-", () => {}, { input: Readable.from([]) }),
        {
            code: "CAPTURE_FORMAT",
            message: /^-: empty input/,
        },
    );
});

t.test("read errors mid-stream: CAPTURE_READ; text streams refused", async (t) => {
    const failing = new Readable({
        read() {
            this.push(NG.slice(0, 100));
            this.destroy(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
        },
    });
    await t.rejects(
        readCaptureFile("disk", () => {}, { input: failing }),
        {
            code: "CAPTURE_READ",
            details: { errno: "EIO" },
        },
    );
    const plain = new Readable({
        read() {
            this.destroy(new Error("boom"));
        },
    });
    await t.rejects(
        readCaptureFile("sock", () => {}, { input: plain }),
        {
            code: "CAPTURE_OPEN",
            details: { errno: null },
        },
    );
    const text = Readable.from(["abc"], { objectMode: false });
    text.setEncoding("utf8");
    await t.rejects(
        readCaptureFile("text", () => {}, { input: text }),
        { code: "CAPTURE_OPEN", message: /encoding/ },
    );
});

t.test("a sink that throws rejects with its own error", async (t) => {
    const boom = new Error("sink exploded");
    await t.rejects(
        readCaptureFile(
            "x",
            () => {
                throw boom;
            },
            { input: Readable.from([NG]) },
        ),
        boom,
    );
});

t.test("corrupt input resolves early with the stats", async (t) => {
    const dir = t.testdir({});
    const file = join(dir, "corrupt.pcapng");
    writeFileSync(file, concat(NG, block(6, new Uint8Array(8), true, 10), new Uint8Array(3 << 20)));
    const r = await collect(file, { highWaterMark: 4096 });
    t.equal(r.frames.length, 4);
    t.equal(r.stats.corrupt, true);
    t.equal(r.stats.corruptOffset, NG.length);
});

t.test("stopping early with an AbortSignal", async (t) => {
    const pre = new AbortController();
    pre.abort();
    const r0 = await collect("/does/not/matter", { signal: pre.signal });
    t.same([r0.stats.frames, r0.stats.stopped, r0.stats.format], [0, true, null]);

    // Abort from inside the sink after two frames: no more frames, resolves with stopped.
    const ac = new AbortController();
    const seen: number[] = [];
    const stats = await readCaptureFile(
        "x",
        (f) => {
            seen.push(f.origLen);
            if (seen.length === 2) ac.abort();
        },
        { input: Readable.from([NG]), signal: ac.signal },
    );
    t.same(seen, [60, 70]);
    t.equal(stats.stopped, true);
    t.equal(stats.frames, 2);

    // Abort while waiting for data on an input that never ends.
    const idle = new Readable({ read() {} });
    idle.push(NG.slice(0, 150)); // one whole EPB and part of the next
    const ac2 = new AbortController();
    const p = readCaptureFile("idle", () => {}, { input: idle, signal: ac2.signal });
    setTimeout(() => ac2.abort(), 20);
    const s2 = await p;
    t.equal(s2.stopped, true);
    t.equal(s2.frames, 1);
    t.equal(idle.destroyed, false, "a caller's stream is paused, not destroyed");
    t.equal(idle.isPaused(), true);
});

t.test("streams a 50 MB+ capture in bounded memory", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-pcapfile-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "big.pcapng");
    // One ~1 MiB run of EPBs written 52 times.
    const frame = payload(110, 5);
    const recs: Uint8Array[] = [];
    for (let i = 0; i < 7000; i++) recs.push(epb({ ts: 1700000000000000n + BigInt(i), data: frame }));
    const run1 = concat(...recs);
    const fd = openSync(file, "w");
    writeSync(fd, concat(shb(), idb({ linkType: 1 })));
    const copies = 52;
    for (let i = 0; i < copies; i++) writeSync(fd, run1);
    closeSync(fd);

    // Streaming, asserted in bytes rather than in RSS or milliseconds (the benchmarks measure those): frames
    // are delivered while the file is read, never more than a few read chunks behind the reading.
    const chunk = 256 * 1024;
    const input = createReadStream(file, { highWaterMark: chunk });
    const record = run1.length / 7000;
    let n = 0;
    let maxLead = 0;
    let firstAt = -1;
    const stats = await readCaptureFile(
        file,
        () => {
            n++;
            if (firstAt < 0) firstAt = input.bytesRead;
            maxLead = Math.max(maxLead, input.bytesRead - n * record);
        },
        { input },
    );
    input.destroy();
    t.equal(stats.frames, 7000 * copies);
    t.ok(stats.bytes > 50e6, `${(stats.bytes / 1e6).toFixed(1)} MB read`);
    t.ok(firstAt > 0 && firstAt <= 4 * chunk, `the first frame came after ${firstAt} bytes were read`);
    t.ok(maxLead <= 8 * chunk, `reading was at most ${maxLead} bytes ahead of the frames delivered`);
});
