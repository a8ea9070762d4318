import fc from "fast-check";
import t from "tap";
import {
    buildTcpFrame,
    inetChecksum,
    parseIpv4,
    TCP_FRAME_HEADER_SIZE,
    TcpFrameBuilder,
} from "../../src/wire/build.js";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import { newWireCounters, TcpFlag } from "../../src/wire/types.js";
import "../helpers/seed.js";

function decode(bytes: Uint8Array) {
    const counters = newWireCounters();
    const seg = decodeFrame({ ts: 1, linkType: 1, bytes, origLen: bytes.length, ifIndex: 0 }, counters);
    return { seg, counters };
}

t.test("parseIpv4 accepts dotted quads only", async (t) => {
    t.equal(parseIpv4("10.1.2.3"), 0x0a010203);
    t.equal(parseIpv4("255.255.255.255"), 0xffffffff);
    t.equal(parseIpv4("0.0.0.0"), 0);
    for (const bad of ["1.2.3", "1.2.3.4.5", "256.1.1.1", "a.b.c.d", "1..2.3", "::1", "-1.2.3.4"]) {
        t.equal(parseIpv4(bad), -1, bad);
    }
});

t.test("buildTcpFrame decodes back to the same segment with valid checksums", async (t) => {
    const payload = Uint8Array.from({ length: 37 }, (_, i) => i * 7);
    const frame = buildTcpFrame({
        srcAddr: "127.0.1.5",
        dstAddr: "127.0.0.1",
        srcPort: 49152,
        dstPort: 2000,
        seq: 0xfffffff0,
        ack: 123456,
        ipId: 0x12345,
        ttl: 63,
        window: 1024,
        payload,
    });
    t.equal(frame.length, TCP_FRAME_HEADER_SIZE + 37);
    const { seg, counters } = decode(frame);
    t.equal(counters.tcp, 1);
    t.ok(seg);
    t.equal(seg?.srcAddr, "127.0.1.5");
    t.equal(seg?.dstAddr, "127.0.0.1");
    t.equal(seg?.srcPort, 49152);
    t.equal(seg?.dstPort, 2000);
    t.equal(seg?.seq, 0xfffffff0);
    t.equal(seg?.ack, 123456);
    t.equal(seg?.flags, TcpFlag.ACK | TcpFlag.PSH);
    t.equal(seg?.window, 1024);
    t.same([...(seg?.payload ?? [])], [...payload]);
    // IP header checksum verifies to 0, TCP checksum over pseudo-header + segment too.
    t.equal(inetChecksum(frame, 14, 20), 0);
    let pseudo = 6 + 20 + 37;
    for (let i = 26; i < 34; i += 2) pseudo += (frame[i]! << 8) | frame[i + 1]!;
    t.equal(inetChecksum(frame, 34, 20 + 37, pseudo), 0);
    t.equal((frame[18]! << 8) | frame[19]!, 0x2345, "IP id keeps 16 bits");
    t.equal(frame[22], 63);
});

t.test("defaults: empty payload, PSH/ACK, id 0, TTL 64, window 65535", async (t) => {
    const frame = buildTcpFrame({ srcAddr: "1.2.3.4", dstAddr: "5.6.7.8", srcPort: 1, dstPort: 2, seq: 0, ack: 0 });
    t.equal(frame.length, 54);
    t.equal(frame[47], TcpFlag.ACK | TcpFlag.PSH);
    t.equal(frame[22], 64);
    t.equal((frame[48]! << 8) | frame[49]!, 65535);
    t.equal(inetChecksum(frame, 14, 20), 0);
});

t.test("an invalid address is a RangeError", async (t) => {
    t.throws(() => new TcpFrameBuilder({ srcAddr: "x", dstAddr: "1.2.3.4", srcPort: 1, dstPort: 2 }), RangeError);
});

t.test("writeInto writes the same bytes as build, at any offset, for payload slices", async (t) => {
    await fc.assert(
        fc.property(
            fc.uint8Array({ maxLength: 300 }),
            fc.nat(300),
            fc.nat(300),
            fc.nat(0xffffffff),
            fc.nat(0xffffffff),
            fc.integer({ min: 0, max: 255 }),
            fc.nat(0xffff),
            fc.nat(40),
            (bytes, a, b, seq, ack, flags, ipId, off) => {
                const start = Math.min(a, b, bytes.length);
                const end = Math.min(Math.max(a, b), bytes.length);
                const builder = new TcpFrameBuilder({
                    srcAddr: "10.0.0.1",
                    dstAddr: "10.0.0.2",
                    srcPort: 5,
                    dstPort: 6,
                });
                const expect = builder.build(seq, ack, flags, bytes.slice(start, end), ipId);
                const out = new Uint8Array(off + TCP_FRAME_HEADER_SIZE + 300).fill(0xee);
                const n = builder.writeInto(out, off, seq, ack, flags, bytes, start, end, ipId);
                return n === expect.length && out.subarray(off, off + n).every((v, i) => v === expect[i]);
            },
        ),
    );
    const builder = new TcpFrameBuilder({ srcAddr: "10.0.0.1", dstAddr: "10.0.0.2", srcPort: 5, dstPort: 6 });
    const out = new Uint8Array(64);
    t.equal(builder.writeInto(out, 0, 1, 2, TcpFlag.SYN, null, 0, 0, 0), 54, "no payload");
    t.equal(decode(out.subarray(0, 54)).seg?.flags, TcpFlag.SYN);
    t.equal(builder.build(1, 2, TcpFlag.FIN).length, 54);
});

t.test("inetChecksum handles odd lengths and a starting sum", async (t) => {
    t.equal(inetChecksum(Uint8Array.of(0x01), 0, 1), ~0x0100 & 0xffff);
    // 0x1ffff + 0xffff + 0xffff folds to 1.
    t.equal(inetChecksum(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0, 4, 0x1ffff), 0xfffe);
});
