import fc from "fast-check";
import t from "tap";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import { newWireCounters, type TcpSegment, type WireCounters } from "../../src/wire/types.js";
import {
    ahExt,
    concat,
    ether,
    fragExt,
    frame,
    ipv4,
    ipv6,
    nullHdr,
    optsExt,
    sll,
    sll2,
    tcp,
    u16,
    u32,
} from "../helpers/frameBuilders.js";
import "../helpers/seed.js";

const OUTCOMES = ["tcp", "unsupportedLinkType", "nonIp", "nonTcp", "ipFragments", "malformed"] as const;
const LINK_TYPES = [0, 1, 12, 101, 108, 113, 228, 229, 276];

const seg4 = tcp({
    options: [2, 4, ...u16(1460), 1, 3, 3, 7, 4, 2, 8, 10, ...u32(1), ...u32(2), 5, 10, ...u32(5), ...u32(9)],
    payload: [1, 2, 3, 4, 5, 6, 7, 8],
});
const v4 = ipv4(seg4, { options: [1, 1, 1, 0] });
const v6 = ipv6(seg4, { ext: [optsExt(0), optsExt(43, 1), fragExt(0, false), ahExt(2), optsExt(60)] });

/** Valid frames of every kind the decoder supports, each yielding a TCP segment. */
const VALID: Array<[string, number, Uint8Array]> = [
    ["ethernet v4", 1, ether(v4, 0x0800)],
    ["ethernet v6", 1, ether(v6, 0x86dd)],
    ["802.1Q v4", 1, ether(v4, 0x0800, [[0x8100, 1]])],
    [
        "QinQ v6",
        1,
        ether(v6, 0x86dd, [
            [0x88a8, 1],
            [0x8100, 2],
        ]),
    ],
    ["0x9100 v4", 1, ether(v4, 0x0800, [[0x9100, 3]])],
    ["SLL v4", 113, sll(v4, 0x0800)],
    ["SLL2 v6", 276, sll2(v6, 0x86dd)],
    ["null LE v4", 0, nullHdr(v4, 2, true)],
    ["null BE v6", 0, nullHdr(v6, 30, false)],
    ["loop v4", 108, nullHdr(v4, 2, false)],
    ["raw v4", 101, v4],
    ["raw v6", 12, v6],
    ["ipv4", 228, v4],
    ["ipv6", 229, v6],
];

/** Decodes and checks the counter invariants; returns the segment and which outcome moved. */
function decodeChecked(f: CapturedFrame): { seg: TcpSegment | null; outcome: string; counters: WireCounters } {
    const counters = newWireCounters();
    const seg = decodeFrame(f, counters);
    const moved = OUTCOMES.filter((k) => counters[k] !== 0);
    if (counters.frames !== 1 || counters.bytes !== f.bytes.length) throw new Error("frames/bytes not counted");
    if (moved.length !== 1 || counters[moved[0]!] !== 1) throw new Error(`outcomes moved: ${moved.join(",")}`);
    if ((seg !== null) !== (moved[0] === "tcp")) throw new Error("segment returned without tcp count or vice versa");
    if (seg !== null) {
        const p = seg.payload;
        if (p.buffer !== f.bytes.buffer) throw new Error("payload is not a view of the frame");
        if (p.byteOffset < f.bytes.byteOffset || p.byteOffset + p.length > f.bytes.byteOffset + f.bytes.length) {
            throw new Error("payload outside the frame");
        }
        if (seg.seq < 0 || seg.seq > 0xffffffff || seg.ack < 0 || seg.ack > 0xffffffff) throw new Error("seq/ack");
    }
    return { seg, outcome: moved[0]!, counters };
}

t.test("every supported link type decodes the same segment", async (t) => {
    for (const [name, linkType, bytes] of VALID) {
        const { seg, outcome } = decodeChecked(frame(linkType, bytes));
        t.equal(outcome, "tcp", name);
        t.match(
            seg,
            {
                srcPort: 51000,
                dstPort: 2000,
                seq: 0x01020304,
                ack: 0xfffffffe,
                options: { mss: 1460, windowScale: 7, sackPermitted: true, tsVal: 1, tsEcr: 2, sack: [[5, 9]] },
            },
            name,
        );
        t.same([...(seg?.payload ?? [])], [1, 2, 3, 4, 5, 6, 7, 8], name);
    }
});

t.test("a frame cut at any length is malformed, cut by snaplen or not", async (t) => {
    let checked = 0;
    for (const [name, linkType, bytes] of VALID) {
        for (let len = 0; len < bytes.length; len++) {
            for (const origLen of [len, bytes.length]) {
                const { outcome } = decodeChecked(frame(linkType, bytes.subarray(0, len), origLen));
                if (outcome !== "malformed") t.fail(`${name} cut at ${len}/${origLen}: ${outcome}`);
                checked++;
            }
        }
    }
    t.ok(checked > 1000, `${checked} truncations checked`);
});

t.test("counters accumulate across frames", async (t) => {
    const counters = newWireCounters();
    const frames = [
        frame(1, ether(v4, 0x0800)),
        frame(1, ether(ipv4(tcp(), { protocol: 17 }), 0x0800)),
        frame(1, ether(ipv4(tcp(), { flagsFrag: 0x2001 }), 0x0800)),
        frame(1, ether([], 0x0806)),
        frame(147, v4),
        frame(1, new Uint8Array(3)),
    ];
    for (const f of frames) decodeFrame(f, counters);
    t.same(counters, {
        frames: 6,
        bytes: frames.reduce((n, f) => n + f.bytes.length, 0),
        tcp: 1,
        unsupportedLinkType: 1,
        nonIp: 1,
        nonTcp: 1,
        ipFragments: 1,
        malformed: 1,
    });
});

t.test("the segment payload is a zero-copy view even inside a larger buffer", async (t) => {
    const big = new Uint8Array(4096);
    const bytes = ether(v4, 0x0800);
    big.set(bytes, 1000);
    const view = big.subarray(1000, 1000 + bytes.length);
    const { seg } = decodeChecked(frame(1, view));
    t.equal(seg?.payload.buffer, big.buffer);
    t.equal(seg?.payload.byteOffset, 1000 + bytes.length - 8);
    // Buffers (as node_pcap hands out) work too.
    const buf = Buffer.from(bytes);
    t.equal(decodeChecked(frame(1, buf)).seg?.payload.length, 8);
});

t.test("property: random bytes never throw and move exactly one outcome", async (t) => {
    const linkType = fc.oneof(fc.constantFrom(...LINK_TYPES), fc.integer({ min: -1, max: 300 }));
    fc.assert(
        fc.property(linkType, fc.uint8Array({ maxLength: 200 }), fc.nat(300), (lt, bytes, extra) => {
            decodeChecked(frame(lt, bytes, bytes.length + (extra % 3 === 0 ? extra : 0)));
        }),
        { numRuns: 20000 },
    );
    t.pass("no throw");
});

t.test("property: truncated and corrupted valid frames never throw and move exactly one outcome", async (t) => {
    const pick = fc.integer({ min: 0, max: VALID.length - 1 });
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 });
    let segments = 0;
    fc.assert(
        fc.property(pick, fc.nat(), fc.boolean(), edits, (i, cut, snap, changes) => {
            const [, linkType, valid] = VALID[i]!;
            const bytes = valid.slice(0, cut % (valid.length + 1));
            for (const [pos, value] of changes) if (bytes.length > 0) bytes[pos % bytes.length] = value;
            if (decodeChecked(frame(linkType, bytes, snap ? valid.length : bytes.length)).seg) segments++;
        }),
        { numRuns: 30000 },
    );
    t.ok(segments > 0, `${segments} corrupted frames still decoded`);
});

t.test("property: random IPv6 extension chains never throw", async (t) => {
    const ext = fc.oneof(
        fc.integer({ min: 0, max: 3 }).map((n) => optsExt(0, n)),
        fc.integer({ min: 0, max: 3 }).map((n) => optsExt(43, n)),
        fc.integer({ min: 0, max: 3 }).map((n) => optsExt(60, n)),
        fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()).map(([o, m]) => fragExt(o, m)),
        fc.integer({ min: 0, max: 4 }).map((n) => ahExt(n)),
    );
    fc.assert(
        fc.property(fc.array(ext, { maxLength: 20 }), fc.constantFrom(6, 17, 50, 59), (chain, protocol) => {
            const { outcome } = decodeChecked(frame(229, concat(ipv6(tcp(), { ext: chain, protocol }))));
            const fragmented = chain.some((e) => e.type === 44 && (e.bytes[2] !== 0 || e.bytes[3] !== 0));
            const expected =
                chain.length > 16 ? "malformed" : fragmented ? "ipFragments" : protocol === 6 ? "tcp" : "nonTcp";
            // Past 16 headers the walk may stop at a fragment or non-TCP protocol before the limit.
            return chain.length > 16 ? ["malformed", "ipFragments"].includes(outcome) : outcome === expected;
        }),
        { numRuns: 3000 },
    );
    t.pass("ok");
});
