import { SocketAddress } from "node:net";
import fc from "fast-check";
import t from "tap";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import {
    decodeIpv4,
    decodeIpv6,
    ipv4ToString,
    ipv6ToString,
    MAX_IPV6_EXT_HEADERS,
    newIpInfo,
} from "../../src/wire/ip.js";
import { Drop } from "../../src/wire/outcome.js";
import { newWireCounters, type TcpSegment, type WireCounters } from "../../src/wire/types.js";
import {
    ahExt,
    concat,
    ether,
    fragExt,
    frame,
    type Ipv4Spec,
    type Ipv6Ext,
    type Ipv6Spec,
    ipv4,
    ipv6,
    optsExt,
    tcp,
    v6bytes,
} from "../helpers/frameBuilders.js";
import "../helpers/seed.js";

const PAYLOAD = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70];

/** Decodes an Ethernet/IPv4 frame built from `spec` (plus extra trailing bytes). */
function v4(spec: Ipv4Spec, trailer: number[] = [], payload: ArrayLike<number> = tcp({ payload: PAYLOAD })) {
    const counters = newWireCounters();
    const seg = decodeFrame(frame(1, concat(ether(ipv4(payload, spec), 0x0800), trailer)), counters);
    return { seg, counters };
}

/** Decodes an Ethernet/IPv6 frame built from `spec` (plus extra trailing bytes). */
function v6(spec: Ipv6Spec, trailer: number[] = [], payload: ArrayLike<number> = tcp({ payload: PAYLOAD })) {
    const counters = newWireCounters();
    const seg = decodeFrame(frame(1, concat(ether(ipv6(payload, spec), 0x86dd), trailer)), counters);
    return { seg, counters };
}

/** Name of the one outcome counter that moved. */
function outcomeOf(c: WireCounters): string {
    const moved = (["tcp", "unsupportedLinkType", "nonIp", "nonTcp", "ipFragments", "malformed"] as const).filter(
        (k) => c[k] !== 0,
    );
    return moved.join(",");
}

/** The payload bytes of a segment as an array. */
function bytesOf(seg: TcpSegment | null): number[] {
    return [...(seg?.payload ?? [])];
}

t.test("IPv4 header: options skipped, padding trimmed", async (t) => {
    let r = v4({});
    t.equal(outcomeOf(r.counters), "tcp");
    t.same(bytesOf(r.seg), PAYLOAD);
    // Record route (7) + NOP/EOL padding: 12 bytes of options, IHL 8.
    r = v4({ options: [7, 11, 4, 1, 2, 3, 4, 5, 6, 7, 8, 1] });
    t.equal(outcomeOf(r.counters), "tcp");
    t.same(bytesOf(r.seg), PAYLOAD);
    t.equal(r.seg?.srcPort, 51000);
    // Maximum IHL (15 words = 40 bytes of options).
    r = v4({ options: new Array<number>(40).fill(1) });
    t.same(bytesOf(r.seg), PAYLOAD);
    // Ethernet pads short frames to 60 bytes and may carry an FCS: both are cut by the total length.
    r = v4({}, new Array<number>(16).fill(0xee));
    t.same(bytesOf(r.seg), PAYLOAD);
    t.equal(r.seg?.payload.byteOffset, 14 + 20 + 20, "payload is a view of the frame, not a copy");
});

t.test("IPv4 header: bad fields are malformed", async (t) => {
    t.equal(outcomeOf(v4({ version: 5 }).counters), "malformed");
    t.equal(outcomeOf(v4({ ihl: 4 }).counters), "malformed");
    t.equal(outcomeOf(v4({ ihl: 15 }).counters), "malformed", "IHL past the total length");
    t.equal(outcomeOf(v4({ totalLength: 19 }).counters), "malformed");
    t.equal(outcomeOf(v4({ totalLength: 20 + 20 + PAYLOAD.length + 1 }).counters), "malformed");
    t.equal(outcomeOf(v4({ totalLength: 30 }).counters), "malformed", "TCP header cut by total length");
});

t.test("IPv4 total length 0 (segmentation offload) uses the captured length unless cut", async (t) => {
    const r = v4({ totalLength: 0 });
    t.equal(outcomeOf(r.counters), "tcp");
    t.same(bytesOf(r.seg), PAYLOAD);
    const bytes = ether(ipv4(tcp({ payload: PAYLOAD }), { totalLength: 0 }), 0x0800);
    const c = newWireCounters();
    t.equal(decodeFrame(frame(1, bytes, bytes.length + 100), c), null);
    t.equal(outcomeOf(c), "malformed");
});

t.test("IPv4 snaplen cuts", async (t) => {
    const full = ether(ipv4(tcp({ payload: new Array<number>(100).fill(7) })), 0x0800);
    const c = newWireCounters();
    t.equal(decodeFrame(frame(1, full.subarray(0, 96), full.length), c), null);
    t.equal(outcomeOf(c), "malformed", "payload cut by snaplen");
    // A cut that only loses the Ethernet trailer keeps the whole IP packet.
    const padded = concat(ether(ipv4(tcp({ payload: [1] })), 0x0800), new Array<number>(5).fill(0));
    const c2 = newWireCounters();
    const seg = decodeFrame(frame(1, padded.subarray(0, padded.length - 5), padded.length + 4), c2);
    t.same(bytesOf(seg), [1]);
});

t.test("IPv4 fragments are counted and dropped", async (t) => {
    t.equal(outcomeOf(v4({ flagsFrag: 0x2000 }).counters), "ipFragments", "MF, offset 0");
    t.equal(outcomeOf(v4({ flagsFrag: 0x0001 }).counters), "ipFragments", "last fragment");
    t.equal(outcomeOf(v4({ flagsFrag: 0x1000 }).counters), "ipFragments", "high offset bit");
    t.equal(outcomeOf(v4({ flagsFrag: 0x2000, protocol: 17 }).counters), "ipFragments", "UDP fragments too");
    t.equal(outcomeOf(v4({ flagsFrag: 0x4000 }).counters), "tcp", "DF is fine");
    t.equal(outcomeOf(v4({ flagsFrag: 0x8000 }).counters), "tcp", "reserved bit is ignored");
    t.equal(outcomeOf(v4({ flagsFrag: 0 }).counters), "tcp");
});

t.test("IPv4 non-TCP protocols", async (t) => {
    for (const protocol of [1, 17, 47, 50, 132]) {
        t.equal(outcomeOf(v4({ protocol }).counters), "nonTcp", `protocol ${protocol}`);
    }
});

t.test("IPv6 plain, padding trimmed, bad fields", async (t) => {
    let r = v6({ src: "fe80::21b:21ff:fe3a:1", dst: "ff02::1:2" }, [0, 0, 0, 0]);
    t.equal(outcomeOf(r.counters), "tcp");
    t.equal(r.seg?.srcAddr, "fe80::21b:21ff:fe3a:1");
    t.equal(r.seg?.dstAddr, "ff02::1:2");
    t.equal(r.seg?.ipVersion, 6);
    t.same(bytesOf(r.seg), PAYLOAD);
    t.equal(outcomeOf(v6({ version: 4 }).counters), "malformed");
    t.equal(outcomeOf(v6({ payloadLength: 20 + PAYLOAD.length + 1 }).counters), "malformed");
    t.equal(outcomeOf(v6({ payloadLength: 19 }).counters), "malformed");
    // Payload length 0 (jumbogram / offload): use the captured bytes.
    r = v6({ payloadLength: 0 });
    t.same(bytesOf(r.seg), PAYLOAD);
    const bytes = ether(ipv6(tcp(), { payloadLength: 0 }), 0x86dd);
    const c = newWireCounters();
    decodeFrame(frame(1, bytes, bytes.length + 1), c);
    t.equal(outcomeOf(c), "malformed");
});

t.test("IPv6 extension headers", async (t) => {
    const chains: Array<[string, Ipv6Ext[]]> = [
        ["hop-by-hop", [optsExt(0)]],
        ["routing", [optsExt(43, 2)]],
        ["destination options", [optsExt(60, 1)]],
        ["atomic fragment", [fragExt(0, false)]],
        ["AH", [ahExt(3)]],
        ["AH (minimal)", [ahExt(0)]],
        ["all of them", [optsExt(0), optsExt(60), optsExt(43, 3), fragExt(0, false), ahExt(4), optsExt(60, 2)]],
    ];
    for (const [name, ext] of chains) {
        const r = v6({ ext }, [0, 0]);
        t.equal(outcomeOf(r.counters), "tcp", name);
        t.same(bytesOf(r.seg), PAYLOAD, name);
    }
    t.equal(outcomeOf(v6({ ext: [fragExt(0, true)] }).counters), "ipFragments", "first fragment");
    t.equal(outcomeOf(v6({ ext: [fragExt(185, false)] }).counters), "ipFragments", "last fragment");
    t.equal(outcomeOf(v6({ ext: [optsExt(0), fragExt(1, true)] }).counters), "ipFragments");
    t.equal(outcomeOf(v6({ ext: [fragExt(0, true)], protocol: 17 }).counters), "ipFragments");
    t.equal(outcomeOf(v6({ protocol: 50 }).counters), "nonTcp", "ESP");
    t.equal(outcomeOf(v6({ ext: [ahExt(3)], protocol: 50 }).counters), "nonTcp", "AH then ESP");
    t.equal(outcomeOf(v6({ protocol: 59 }, [], []).counters), "nonTcp", "no next header");
    t.equal(outcomeOf(v6({ protocol: 17 }).counters), "nonTcp", "UDP");
    t.equal(outcomeOf(v6({ ext: [optsExt(0)], protocol: 58 }).counters), "nonTcp", "ICMPv6");
});

t.test("IPv6 extension walk is bounded and length-checked", async (t) => {
    const many = (n: number) => Array.from({ length: n }, () => optsExt(60));
    t.equal(outcomeOf(v6({ ext: many(MAX_IPV6_EXT_HEADERS) }).counters), "tcp");
    t.equal(outcomeOf(v6({ ext: many(MAX_IPV6_EXT_HEADERS + 1) }).counters), "malformed");
    // Extension header length running past the payload.
    const long = optsExt(60);
    long.bytes[1] = 200;
    t.equal(outcomeOf(v6({ ext: [long] }).counters), "malformed");
    const ah = ahExt(1);
    ah.bytes[1] = 250;
    t.equal(outcomeOf(v6({ ext: [ah] }).counters), "malformed");
    // Chains that end right at the payload end.
    t.equal(outcomeOf(v6({ ext: [optsExt(0)], protocol: 0 }, [], []).counters), "malformed");
    t.equal(outcomeOf(v6({ ext: [optsExt(0)], protocol: 44 }, [], []).counters), "malformed");
    t.equal(outcomeOf(v6({ ext: [optsExt(0)], protocol: 51 }, [], []).counters), "malformed");
    t.equal(outcomeOf(v6({ ext: [optsExt(0)] }, [], []).counters), "malformed", "no room for TCP");
});

t.test("decodeIpv4/decodeIpv6 direct use", async (t) => {
    const info = newIpInfo();
    const packet = ipv4(tcp(), { src: "1.2.3.4", dst: "255.255.255.255", options: [1, 1, 1, 1] });
    t.equal(decodeIpv4(packet, 0, false, info), 0);
    t.same(info, { version: 4, src: "1.2.3.4", dst: "255.255.255.255", l4Start: 24, l4End: 44 });
    t.equal(decodeIpv4(packet, 1, false, info), Drop.MALFORMED);
    t.equal(decodeIpv6(packet, 0, false, info), Drop.MALFORMED);
    const p6 = ipv6(tcp(), { ext: [optsExt(0)] });
    t.equal(decodeIpv6(p6, 0, false, info), 0);
    t.same({ ...info }, { version: 6, src: "2001:db8::10", dst: "2001:db8::1", l4Start: 48, l4End: 68 });
});

t.test("IPv4 text form (cached) is exact for any address", async (t) => {
    const check = (a: number, b: number, c: number, d: number) =>
        ipv4ToString(new Uint8Array([9, a, b, c, d]), 1) === `${a}.${b}.${c}.${d}`;
    t.ok(check(0, 0, 0, 0));
    t.ok(check(255, 255, 255, 255));
    const byte = fc.integer({ min: 0, max: 255 });
    // Many distinct addresses force slot reuse; every answer must still be right.
    fc.assert(fc.property(byte, byte, byte, byte, check), { numRuns: 20000 });
    let wrong = 0;
    for (let i = 0; i < 10000; i++) if (!check(10, 0, i >> 8, i & 255) || !check(10, 0, 0, 1)) wrong++;
    t.equal(wrong, 0);
});

t.test("IPv6 text form matches Node's (inet_ntop) formatting", async (t) => {
    const fixed: Array<[string, string]> = [
        ["::", "::"],
        ["::1", "::1"],
        ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
        ["2001:db8:0:0:0:0:2:1", "2001:db8::2:1"],
        ["2001:db8::0:1", "2001:db8::1"],
        ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
        ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
        ["fe80::abcd:ef01:2345:6789", "fe80::abcd:ef01:2345:6789"],
        ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
        ["::1.2.3.4", "::1.2.3.4"],
        ["::ffff:0:0", "::ffff:0.0.0.0"],
        ["1::", "1::"],
        ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ];
    for (const [input, text] of fixed) {
        t.equal(ipv6ToString(new Uint8Array(v6bytes(input)), 0), text, input);
    }
    // Random addresses biased towards zero groups, against Node's own formatting.
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
        fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
            const bytes = new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));
            const expected = new SocketAddress({ address: groups.map((g) => g.toString(16)).join(":"), family: "ipv6" })
                .address;
            return ipv6ToString(bytes, 0) === expected && ipv6ToString(bytes, 0) === expected;
        }),
        { numRuns: 20000 },
    );
});
