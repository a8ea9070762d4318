import fc from "fast-check";
import t from "tap";
import type { CapturedFrame } from "../../src/capture/frame.js";
import {
    CaptureFileParser,
    type CaptureFileParserOptions,
    type CaptureFileStats,
    parseCapture,
} from "../../src/capture/pcapFile.js";
import { CaptureError } from "../../src/errors.js";
import {
    block,
    concat,
    copyFrame,
    END_OPT,
    epb,
    type FrameCopy,
    idb,
    opt,
    payload,
    pcap,
    shb,
    spb,
} from "../helpers/pcapFileBuilders.js";
import "../helpers/seed.js";

interface Result {
    frames: FrameCopy[];
    stats: CaptureFileStats;
}

/** Feeds `bytes` cut at the given offsets and collects copies of every frame. */
function feed(bytes: Uint8Array, cuts: number[] = [], opts?: CaptureFileParserOptions): Result {
    const frames: FrameCopy[] = [];
    const sink = (f: CapturedFrame): void => {
        frames.push(copyFrame(f));
    };
    const parser = new CaptureFileParser(opts);
    let prev = 0;
    for (const c of [...cuts, bytes.length]) {
        // Copy each chunk so no test passes by accident through a shared buffer.
        parser.push(bytes.slice(prev, c), sink);
        prev = c;
    }
    return { frames, stats: parser.end() };
}

function close(a: number | undefined, b: number, eps = 1e-7): boolean {
    return a !== undefined && Math.abs(a - b) <= eps;
}

// ---- fixtures -------------------------------------------------------------------------------------------

const P1 = payload(60, 1);
const P2 = payload(42, 2);
const P3 = payload(1514, 3);

function pcapFixture(le: boolean, ns: boolean): Uint8Array {
    return pcap({ le, ns, linkType: 1, snaplen: 65535 }, [
        { sec: 1700000000, frac: ns ? 123456789 : 123456, data: P1 },
        { sec: 1700000001, frac: ns ? 999999999 : 999999, data: P2, origLen: 100 },
        { sec: 1700000002, frac: 0, data: P3 },
    ]);
}

const NG_LE = concat(
    shb(true),
    idb({ le: true, linkType: 1, snaplen: 262144 }),
    epb({ le: true, ts: 1700000000123456n, data: P1 }),
    epb({ le: true, ts: 1700000001000001n, data: P2, origLen: 200 }),
);
const NG_BE = concat(
    shb(false),
    idb({ le: false, linkType: 1, snaplen: 262144 }),
    epb({ le: false, ts: 1700000000123456n, data: P1 }),
    epb({ le: false, ts: 1700000001000001n, data: P2, origLen: 200 }),
);

const NG_TSRESOL = concat(
    shb(true),
    idb({ linkType: 1, tsresol: 9 }), // 10^-9
    idb({ linkType: 1, tsresol: 3 }), // 10^-3
    idb({ linkType: 1, tsresol: 0x80 | 10 }), // 2^-10
    idb({ linkType: 1, tsresol: 6, tsoffset: 1000000000n }),
    idb({ linkType: 1, tsresol: 0x80 | 20, tsoffset: -5n }),
    epb({ ifId: 0, ts: 1700000000123456789n, data: P1 }),
    epb({ ifId: 1, ts: 1700000000123n, data: P1 }),
    epb({ ifId: 2, ts: 1700000000n * 1024n + 512n, data: P1 }),
    epb({ ifId: 3, ts: 700000000250000n, data: P1 }),
    epb({ ifId: 4, ts: 1700000005n * 1048576n + 262144n, data: P1 }),
);

const NG_MULTI_IF = concat(
    shb(true),
    idb({ linkType: 1, snaplen: 65535 }),
    idb({ linkType: 113, snaplen: 65535, tsresol: 9 }),
    epb({ ifId: 1, ts: 1700000000500000000n, data: P2 }),
    epb({ ifId: 0, ts: 1700000000600000n, data: P1 }),
    epb({ ifId: 1, ts: 1700000000700000000n, data: P3 }),
);

const NG_MULTI_SECTION = concat(
    shb(true),
    idb({ le: true, linkType: 1 }),
    epb({ le: true, ifId: 0, ts: 1700000000000001n, data: P1 }),
    shb(false),
    idb({ le: false, linkType: 101 }),
    idb({ le: false, linkType: 276, tsresol: 9 }),
    epb({ le: false, ifId: 1, ts: 1700000000000000002n, data: P2 }),
    epb({ le: false, ifId: 0, ts: 1700000000000003n, data: P3 }),
    shb(true),
    idb({ le: true, linkType: 0 }),
    epb({ le: true, ifId: 1, ts: 1n, data: P1 }), // interface 1 does not exist in this section
    epb({ le: true, ifId: 0, ts: 1700000000000004n, data: P1 }),
);

const NG_SPB_PB = concat(
    shb(true),
    idb({ linkType: 1, snaplen: 50 }),
    epb({ ts: 1700000000000007n, data: P2 }),
    spb(P1.subarray(0, 50), 60), // captured part of a 60-byte frame
    spb(P2, 42), // shorter than snaplen: caplen = origLen
    epb({ type: 2, ifId: 0, ts: 1700000000000009n, data: P2, origLen: 99 }),
);

const NG_UNKNOWN = concat(
    shb(true, 1, [opt(4, new TextEncoder().encode("callbackd test")), END_OPT]),
    block(4, concat(opt(1, Uint8Array.of(10, 0, 0, 1, 104, 111, 115, 116, 0)), END_OPT)), // NRB
    idb({ linkType: 1, extra: [opt(2, new TextEncoder().encode("eth0"))] }),
    block(0x0a, new Uint8Array(24)), // DSB
    epb({ ts: 1700000000000001n, data: P1, options: [opt(2, Uint8Array.of(1, 0, 0, 0)), END_OPT] }),
    block(5, new Uint8Array(20)), // ISB
    block(0x00000bad, new Uint8Array(9)), // custom
    block(0x40000bad, new Uint8Array(0)), // custom, no-copy
    block(0x12345678, new Uint8Array(5)), // unknown
    epb({ ts: 1700000000000002n, data: P2 }),
);

const NG_MALFORMED = concat(
    shb(true),
    idb({ linkType: 1 }),
    block(1, new Uint8Array(4)), // IDB too short
    idb({ linkType: 113, extra: [Uint8Array.of(2, 0, 200, 0)] }), // option runs past the block: interface kept
    epb({ ifId: 7, ts: 1700000000000001n, data: P1 }), // unknown interface
    epb({ ts: 1700000000000002n, data: P1, caplen: 500 }), // caplen beyond the block
    block(6, new Uint8Array(16)), // EPB too short
    block(2, new Uint8Array(16)), // PB too short
    block(3, new Uint8Array(0)), // SPB too short
    epb({ ts: 1700000000000003n, data: P2 }),
    epb({ ifId: 1, ts: 1700000000000004n, data: P3 }),
);

const NG_BAD_VERSION_SECTION = concat(
    shb(true),
    idb({ linkType: 1 }),
    epb({ ts: 1700000000000001n, data: P1 }),
    shb(true, 2),
    idb({ linkType: 1 }),
    epb({ ts: 1700000000000002n, data: P1 }),
    shb(false),
    idb({ le: false, linkType: 1 }),
    epb({ le: false, ts: 1700000000000003n, data: P2 }),
);

/** Every well-formed or recoverable fixture: used by the chunk-boundary properties. */
const FIXTURES: Record<string, Uint8Array> = {
    pcapLeUs: pcapFixture(true, false),
    pcapBeUs: pcapFixture(false, false),
    pcapLeNs: pcapFixture(true, true),
    pcapBeNs: pcapFixture(false, true),
    pcapCorrupt: concat(pcapFixture(true, false), pcap({}, [{ sec: 1, frac: 0, data: P1, caplen: 1 << 30 }]).slice(24)),
    pcapTruncated: pcapFixture(false, true).slice(0, -7),
    ngLe: NG_LE,
    ngBe: NG_BE,
    ngTsresol: NG_TSRESOL,
    ngMultiIf: NG_MULTI_IF,
    ngMultiSection: NG_MULTI_SECTION,
    ngSpbPb: NG_SPB_PB,
    ngUnknown: NG_UNKNOWN,
    ngMalformed: NG_MALFORMED,
    ngBadVersionSection: NG_BAD_VERSION_SECTION,
    ngCorrupt: concat(NG_LE, block(6, new Uint8Array(40), true, 46), NG_LE.slice(28)),
    ngTruncated: NG_MULTI_IF.slice(0, -10),
};

// ---- pcap -----------------------------------------------------------------------------------------------

t.test("pcap: both byte orders, micro- and nanosecond timestamps", async (t) => {
    for (const le of [true, false]) {
        for (const ns of [false, true]) {
            const bytes = pcapFixture(le, ns);
            const { frames, stats } = feed(bytes);
            const what = `${le ? "LE" : "BE"} ${ns ? "ns" : "us"}`;
            t.equal(frames.length, 3, what);
            t.ok(
                close(frames[0]?.ts, ns ? 1700000000 + 0.123456789 : 1700000000.123456),
                `${what} ts0 ${frames[0]?.ts}`,
            );
            t.ok(close(frames[1]?.ts, ns ? 1700000001 + 0.999999999 : 1700000001.999999), `${what} ts1`);
            t.equal(frames[2]?.ts, 1700000002, `${what} ts2`);
            t.same(frames[0], { ...frames[0], linkType: 1, bytes: Array.from(P1), origLen: 60, ifIndex: 0 });
            t.same(frames[1]?.bytes, Array.from(P2));
            t.equal(frames[1]?.origLen, 100, "origLen from the record, not caplen");
            t.equal(frames[2]?.bytes.length, 1514);
            t.same(stats, {
                format: "pcap",
                frames: 3,
                bytes: bytes.length,
                interfaces: [{ linkType: 1, snaplen: 65535, tsResolution: ns ? 1e-9 : 1e-6, tsOffset: 0 }],
                skippedBlocks: 0,
                malformed: 0,
                truncatedTail: false,
                corrupt: false,
                corruptOffset: null,
                corruptReason: null,
                stopped: false,
            });
        }
    }
});

t.test("pcap: link type from the global header, FCS flag bits masked off", async (t) => {
    const { frames, stats } = feed(pcap({ linkType: 0x10000000 | 113, snaplen: 128 }, [{ sec: 5, frac: 6, data: P1 }]));
    t.equal(frames[0]?.linkType, 113);
    t.same(stats.interfaces, [{ linkType: 113, snaplen: 128, tsResolution: 1e-6, tsOffset: 0 }]);
    const empty = feed(pcap({ linkType: 276 }, []));
    t.equal(empty.stats.frames, 0);
    t.equal(empty.stats.format, "pcap");
    t.equal(empty.stats.truncatedTail, false);
});

t.test("pcap: a huge caplen means corrupt: stop, report the offset, keep earlier frames", async (t) => {
    const good = pcapFixture(true, false);
    const { frames, stats } = feed(FIXTURES.pcapCorrupt!);
    t.equal(frames.length, 3);
    t.equal(stats.corrupt, true);
    t.equal(stats.corruptOffset, good.length);
    t.equal(stats.bytes, good.length);
    t.equal(stats.malformed, 1);
    t.match(stats.corruptReason, /1073741824 exceeds 262144/);
    t.equal(stats.truncatedTail, false);

    // A smaller configured cap applies too.
    const capped = feed(good, [], { maxCapLen: 100 });
    t.equal(capped.frames.length, 2);
    t.equal(capped.stats.corruptOffset, 24 + 16 + 60 + 16 + 42);
});

t.test("pcap: a file cut short keeps the earlier frames and flags the tail", async (t) => {
    const full = pcapFixture(false, true);
    const two = 24 + 16 + 60 + 16 + 42;
    for (const [cut, frames, bytes] of [
        [7, 2, two],
        [1529, 2, two],
        [1535, 1, 24 + 16 + 60],
    ] as const) {
        const r = feed(full.slice(0, full.length - cut));
        t.equal(r.frames.length, frames, `cut ${cut}`);
        t.equal(r.stats.truncatedTail, true);
        t.equal(r.stats.corrupt, false);
        t.equal(r.stats.bytes, bytes);
    }
    t.equal(feed(full.slice(0, two)).stats.truncatedTail, false, "cut exactly between records");
    const hdrOnly = feed(full.slice(0, 20));
    t.equal(hdrOnly.stats.format, "pcap");
    t.equal(hdrOnly.stats.truncatedTail, true);
    t.equal(hdrOnly.stats.frames, 0);
    t.same(hdrOnly.stats.interfaces, []);
});

// ---- not a capture --------------------------------------------------------------------------------------

t.test("not a capture file: CAPTURE_FORMAT with the first bytes in hex", async (t) => {
    const parser = new CaptureFileParser({ name: "notes.txt" });
    let err: unknown;
    try {
        parser.push(new TextEncoder().encode("hello world, no capture"), () => {});
    } catch (e) {
        err = e;
    }
    t.ok(err instanceof CaptureError);
    t.match(err, {
        code: "CAPTURE_FORMAT",
        message:
            /notes\.txt: not a pcap or pcapng file \(starts with 68 65 6c 6c 6f 20 77 6f 72 6c 64 2c 20 6e 6f 20\)/,
    });
    t.equal(parser.done, true);
    parser.push(Uint8Array.of(1, 2, 3), () => t.fail("no frames after a format error"));

    t.throws(() => parseCapture(new Uint8Array(0), () => {}), { code: "CAPTURE_FORMAT", message: /empty input/ });
    t.throws(() => parseCapture(Uint8Array.of(0xa1, 0xb2), () => {}), {
        code: "CAPTURE_FORMAT",
        message: /only 2 byte\(s\).*starts with a1 b2/,
    });
    // Magic split over pushes still identifies (or rejects) correctly.
    const split = new CaptureFileParser();
    split.push(Uint8Array.of(0x7f, 0x45), () => {});
    t.throws(() => split.push(Uint8Array.of(0x4c, 0x46, 2, 1), () => {}), {
        code: "CAPTURE_FORMAT",
        message: /starts with 7f 45 4c 46\)/,
    });
    // pcapng magic with a bad byte-order magic in the first block is not a capture either.
    const badBom = shb(true);
    badBom.set([1, 2, 3, 4], 8);
    t.throws(() => parseCapture(badBom, () => {}), { code: "CAPTURE_FORMAT", details: { magic: "0a0d0d0a" } });
    // A first section of an unknown major version: we cannot read anything.
    t.throws(() => parseCapture(concat(shb(true, 2), idb()), () => {}), {
        code: "CAPTURE_FORMAT",
        message: /unsupported pcapng version 2\.0/,
    });
});

// ---- pcapng ---------------------------------------------------------------------------------------------

t.test("pcapng: both byte orders", async (t) => {
    for (const [name, bytes] of [
        ["LE", NG_LE],
        ["BE", NG_BE],
    ] as const) {
        const { frames, stats } = feed(bytes);
        t.equal(frames.length, 2, name);
        t.ok(close(frames[0]?.ts, 1700000000.123456), `${name} ts ${frames[0]?.ts}`);
        t.ok(close(frames[1]?.ts, 1700000001.000001), name);
        t.same(frames[0]?.bytes, Array.from(P1));
        t.equal(frames[1]?.origLen, 200);
        t.equal(frames[1]?.linkType, 1);
        t.same(stats, {
            format: "pcapng",
            frames: 2,
            bytes: bytes.length,
            interfaces: [{ linkType: 1, snaplen: 262144, tsResolution: 1e-6, tsOffset: 0 }],
            skippedBlocks: 0,
            malformed: 0,
            truncatedTail: false,
            corrupt: false,
            corruptOffset: null,
            corruptReason: null,
            stopped: false,
        });
    }
});

t.test("pcapng: if_tsresol (10^-n and 2^-n) and if_tsoffset", async (t) => {
    const { frames, stats } = feed(NG_TSRESOL);
    t.equal(frames.length, 5);
    t.ok(close(frames[0]?.ts, 1700000000 + 0.123456789), `ns ${frames[0]?.ts}`);
    t.ok(close(frames[1]?.ts, 1700000000.123), "ms");
    t.equal(frames[2]?.ts, 1700000000.5, "2^-10");
    t.ok(close(frames[3]?.ts, 1700000000.25), "tsoffset +1e9 s");
    t.equal(frames[4]?.ts, 1700000000.25, "2^-20 with tsoffset -5 s");
    t.same(
        stats.interfaces.map((i) => [i.tsResolution, i.tsOffset]),
        [
            [1e-9, 0],
            [1e-3, 0],
            [2 ** -10, 0],
            [1e-6, 1000000000],
            [2 ** -20, -5],
        ],
    );
    t.same(
        frames.map((f) => f.ifIndex),
        [0, 1, 2, 3, 4],
    );
});

t.test("pcapng: big-endian tsoffset and tsresol", async (t) => {
    const bytes = concat(
        shb(false),
        idb({ le: false, tsresol: 0x80 | 1, tsoffset: -1700000000n }),
        epb({ le: false, ts: 3400000003n, data: P1 }),
    );
    const { frames, stats } = feed(bytes);
    t.equal(frames[0]?.ts, 1.5);
    t.same(stats.interfaces[0], { linkType: 1, snaplen: 0, tsResolution: 0.5, tsOffset: -1700000000 });
});

t.test("pcapng: multiple interfaces carry their own link type and index", async (t) => {
    const { frames, stats } = feed(NG_MULTI_IF);
    t.same(
        frames.map((f) => [f.ifIndex, f.linkType, f.bytes.length]),
        [
            [1, 113, 42],
            [0, 1, 60],
            [1, 113, 1514],
        ],
    );
    t.ok(close(frames[0]?.ts, 1700000000.5));
    t.ok(close(frames[1]?.ts, 1700000000.6));
    t.ok(close(frames[2]?.ts, 1700000000.7));
    t.equal(stats.interfaces.length, 2);
});

t.test("pcapng: multiple sections, each with its byte order and interfaces", async (t) => {
    const { frames, stats } = feed(NG_MULTI_SECTION);
    t.same(
        frames.map((f) => [f.ifIndex, f.linkType, f.bytes.length]),
        [
            [0, 1, 60],
            [2, 276, 42],
            [1, 101, 1514],
            [3, 0, 60],
        ],
    );
    t.ok(close(frames[0]?.ts, 1700000000.000001));
    t.ok(close(frames[1]?.ts, 1700000000 + 2e-9));
    t.ok(close(frames[2]?.ts, 1700000000.000003));
    t.ok(close(frames[3]?.ts, 1700000000.000004));
    t.same(
        stats.interfaces.map((i) => i.linkType),
        [1, 101, 276, 0],
    );
    t.equal(stats.malformed, 1, "interface ids do not leak across sections");
    t.equal(stats.corrupt, false);
});

t.test("pcapng: simple packet blocks and obsolete packet blocks", async (t) => {
    const { frames, stats } = feed(NG_SPB_PB);
    t.same(
        frames.map((f) => [f.bytes.length, f.origLen, f.ifIndex, f.linkType]),
        [
            [42, 42, 0, 1],
            [50, 60, 0, 1],
            [42, 42, 0, 1],
            [42, 99, 0, 1],
        ],
    );
    t.same(frames[1]?.bytes, Array.from(P1.subarray(0, 50)));
    t.equal(frames[1]?.ts, frames[0]?.ts, "SPB has no timestamp: the previous one is reused");
    t.ok(close(frames[3]?.ts, 1700000000.000009));
    t.equal(stats.malformed, 0);

    // SPB before any IDB, and SPB in a section without interface 0.
    const orphan = feed(concat(shb(), spb(P1), idb(), spb(P1)));
    t.equal(orphan.stats.malformed, 1);
    t.equal(orphan.frames.length, 1);
    t.equal(orphan.frames[0]?.ts, 0, "no earlier timestamp");
    // SPB larger than the configured caplen cap.
    const big = feed(concat(shb(), idb(), spb(P3)), [], { maxCapLen: 1000 });
    t.equal(big.stats.malformed, 1);
    t.equal(big.frames.length, 0);
});

t.test("pcapng: other block types are skipped by length", async (t) => {
    const { frames, stats } = feed(NG_UNKNOWN);
    t.equal(frames.length, 2);
    t.same(frames[1]?.bytes, Array.from(P2));
    t.equal(stats.skippedBlocks, 6);
    t.equal(stats.malformed, 0);
    t.equal(stats.bytes, NG_UNKNOWN.length);
});

t.test("pcapng: malformed blocks are counted and skipped", async (t) => {
    const { frames, stats } = feed(NG_MALFORMED);
    t.same(
        frames.map((f) => [f.ifIndex, f.linkType, f.bytes.length]),
        [
            [0, 1, 42],
            [1, 113, 1514],
        ],
    );
    t.equal(stats.malformed, 7);
    t.equal(stats.interfaces.length, 2);
    t.equal(stats.corrupt, false);
    // A caplen over the configured cap inside a sound block: malformed, not corrupt.
    const capped = feed(NG_LE, [], { maxCapLen: 50 });
    t.equal(capped.frames.length, 1);
    t.equal(capped.stats.malformed, 1);
    t.equal(capped.stats.corrupt, false);
});

t.test("pcapng: a sound section of an unknown version is skipped whole", async (t) => {
    const { frames, stats } = feed(NG_BAD_VERSION_SECTION);
    t.same(
        frames.map((f) => [f.ifIndex, f.bytes.length]),
        [
            [0, 60],
            [1, 42],
        ],
    );
    t.equal(stats.skippedBlocks, 3);
    t.equal(stats.interfaces.length, 2);
});

t.test("pcapng: bad block total lengths mean corrupt, with the offset", async (t) => {
    const cases: [string, Uint8Array, RegExp][] = [
        ["not a multiple of 4", block(6, new Uint8Array(40), true, 46), /bad total length 46/],
        ["too small", block(6, new Uint8Array(40), true, 8), /bad total length 8/],
        ["huge", block(6, new Uint8Array(40), true, 0x7ffffff0), /bad total length 2147483632/],
        ["trailer mismatch", block(6, new Uint8Array(40), true, undefined, 48), /trailing length/],
        ["SHB too small", block(0x0a0d0d0a, Uint8Array.of(0x4d, 0x3c, 0x2b, 0x1a)), /bad total length 16/],
        [
            "SHB bad byte order",
            (() => {
                const b = shb(true);
                b.set([9, 9, 9, 9], 8);
                return b;
            })(),
            /byte-order magic/,
        ],
    ];
    for (const [what, bad, reason] of cases) {
        const bytes = concat(NG_LE, bad, NG_LE.slice(28));
        const { frames, stats } = feed(bytes);
        t.equal(frames.length, 2, what);
        t.equal(stats.corrupt, true, what);
        t.equal(stats.corruptOffset, NG_LE.length, what);
        t.equal(stats.bytes, NG_LE.length, what);
        t.match(stats.corruptReason, reason, what);
        t.equal(stats.truncatedTail, false, what);
    }
    // Blocks larger than the configured maximum are corrupt too.
    const small = feed(concat(NG_LE, epb({ ts: 1n, data: P3 })), [], { maxBlockSize: 1024 });
    t.equal(small.frames.length, 2);
    t.equal(small.stats.corrupt, true);
});

t.test("pcapng: a file cut short keeps the earlier frames", async (t) => {
    for (const cut of [1, 4, 10, 1514 + 20]) {
        const { frames, stats } = feed(NG_MULTI_IF.slice(0, NG_MULTI_IF.length - cut));
        t.equal(frames.length, 2, `cut ${cut}`);
        t.equal(stats.truncatedTail, true);
        t.equal(stats.corrupt, false);
    }
    const shbOnly = feed(NG_LE.slice(0, 20));
    t.equal(shbOnly.stats.format, "pcapng");
    t.equal(shbOnly.stats.truncatedTail, true);
});

// ---- push mechanics -------------------------------------------------------------------------------------

t.test("frames are views of the chunk unless the record straddles chunks", async (t) => {
    const bytes = pcapFixture(true, false);
    const parser = new CaptureFileParser();
    const seen: { buffer: ArrayBufferLike; offset: number }[] = [];
    const sink = (f: CapturedFrame): void => {
        seen.push({ buffer: f.bytes.buffer, offset: f.bytes.byteOffset });
    };
    const cut = 24 + 16 + 60 + 10; // inside the second record
    const a = bytes.slice(0, cut);
    const b = bytes.slice(cut);
    parser.push(a, sink);
    parser.push(b, sink);
    parser.end();
    t.equal(seen.length, 3);
    t.equal(seen[0]?.buffer, a.buffer, "first record: view of chunk a");
    t.equal(seen[0]?.offset, 40);
    t.not(seen[1]?.buffer, a.buffer, "straddling record: copied");
    t.not(seen[1]?.buffer, b.buffer);
    t.equal(seen[2]?.buffer, b.buffer, "third record: view of chunk b");

    // A subarray chunk (non-zero byteOffset) is honoured.
    const host = new Uint8Array(bytes.length + 8);
    host.set(bytes, 8);
    const frames: FrameCopy[] = [];
    parseCapture(host.subarray(8), (f) => frames.push(copyFrame(f)));
    t.same(frames, feed(bytes).frames);
});

t.test("stop() from the sink ends delivery; later pushes are ignored", async (t) => {
    const parser = new CaptureFileParser();
    const got: number[] = [];
    const bytes = NG_MULTI_IF;
    parser.push(bytes.subarray(0, 50), () => {});
    t.equal(parser.format, "pcapng");
    t.equal(parser.stats().frames, 0);
    parser.push(bytes.subarray(50), (f) => {
        got.push(f.ifIndex);
        parser.stop();
    });
    parser.push(bytes, () => t.fail("stopped"));
    parser.stop();
    const stats = parser.end();
    t.same(got, [1]);
    t.equal(stats.stopped, true);
    t.equal(stats.frames, 1);
    t.equal(stats.truncatedTail, false);
    t.same(parser.end(), stats, "end() is idempotent");

    // Stopping before anything arrived: no format error at end().
    const idle = new CaptureFileParser();
    t.equal(idle.format, null);
    idle.stop();
    t.equal(idle.end().format, null);

    // Stopping while a record is half stashed.
    const half = new CaptureFileParser();
    half.push(bytes.subarray(0, bytes.length - 3), () => {});
    half.stop();
    t.equal(half.end().truncatedTail, false);
    // Stopping inside a sink that runs on a stashed record.
    const pc = pcapFixture(true, false);
    const mid = new CaptureFileParser();
    let n = 0;
    mid.push(pc.subarray(0, 50), () => {});
    mid.push(pc.subarray(50), () => {
        n++;
        mid.stop();
    });
    t.equal(n, 1);
    t.equal(mid.end().frames, 1);
});

t.test("stash grows to big records and shrinks back to views", async (t) => {
    const big = payload(200000, 9);
    const bytes = concat(NG_LE, epb({ ts: 1700000002000000n, data: big }), epb({ ts: 1700000003000000n, data: P1 }));
    const cuts: number[] = [];
    for (let c = 7; c < bytes.length; c += 4099) cuts.push(c);
    const { frames, stats } = feed(bytes, cuts);
    t.equal(frames.length, 4);
    t.same(frames[2]?.bytes, Array.from(big));
    t.equal(stats.bytes, bytes.length);
    // Header split from its body: the stash grows while holding the first bytes.
    const at = NG_LE.length;
    for (const cut of [at + 1, at + 8, at + 12, at + 30]) {
        t.same(feed(bytes, [cut, cut + 70000]).frames[2]?.bytes, Array.from(big), `cut at ${cut}`);
    }
    const ones: number[] = [];
    for (let i = 1; i < bytes.length; i++) ones.push(i);
    t.same(feed(bytes, ones), { frames, stats }, "one byte at a time");
});

// ---- chunk-boundary independence ------------------------------------------------------------------------

function summary(r: Result): unknown {
    return { frames: r.frames, stats: r.stats };
}

/** First split index whose result differs from the whole-buffer result, or -1. */
function firstDifferentSplit(bytes: Uint8Array, whole: string): number {
    for (let i = 0; i <= bytes.length; i++) if (JSON.stringify(summary(feed(bytes, [i]))) !== whole) return i;
    return -1;
}

t.test("every fixture gives identical results when split at every byte", async (t) => {
    for (const [name, bytes] of Object.entries(FIXTURES)) {
        const whole = summary(feed(bytes));
        const bad = firstDifferentSplit(bytes, JSON.stringify(whole));
        t.equal(bad, -1, `${name}: every two-chunk split`);
        if (bad >= 0) t.same(summary(feed(bytes, [bad])), whole, `${name} split at ${bad}`);
        const ones: number[] = [];
        for (let i = 1; i < bytes.length; i++) ones.push(i);
        t.same(summary(feed(bytes, ones)), whole, `${name} one byte at a time`);
    }
});

t.test("random chunkings give identical results (property)", async (t) => {
    const names = Object.keys(FIXTURES);
    const expected = new Map(names.map((n) => [n, JSON.stringify(summary(feed(FIXTURES[n]!)))]));
    t.doesNotThrow(() =>
        fc.assert(
            fc.property(fc.constantFrom(...names), fc.array(fc.nat(), { maxLength: 40 }), (name, raw) => {
                const bytes = FIXTURES[name]!;
                const cuts = [...new Set(raw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
                return JSON.stringify(summary(feed(bytes, cuts))) === expected.get(name);
            }),
            { numRuns: 500 },
        ),
    );
});
