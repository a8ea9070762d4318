import t, { type Test } from "tap";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import { linkPayload, NetProto, payloadOffset, payloadProto } from "../../src/wire/link.js";
import { Drop } from "../../src/wire/outcome.js";
import { newWireCounters, type WireCounters } from "../../src/wire/types.js";
import { concat, ether, frame, ipv4, ipv6, nullHdr, sll, sll2, tcp, u16 } from "../helpers/frameBuilders.js";

const v4 = ipv4(tcp({ payload: [0xaa, 0xbb, 0xcc] }), { src: "172.16.5.9", dst: "10.1.2.3" });
const v6 = ipv6(tcp({ payload: [0xaa, 0xbb, 0xcc] }), { src: "fe80::1", dst: "2001:db8::2" });

/** Decodes and asserts a TCP segment with the builders' default ports. */
function expectSegment(t: Test, linkType: number, bytes: Uint8Array, version: 4 | 6): void {
    const counters = newWireCounters();
    const seg = decodeFrame(frame(linkType, bytes), counters);
    t.ok(seg, `link ${linkType} yields a segment`);
    t.equal(counters.tcp, 1);
    t.equal(counters.frames, 1);
    t.equal(counters.bytes, bytes.length);
    t.equal(seg?.ipVersion, version);
    t.equal(seg?.srcAddr, version === 4 ? "172.16.5.9" : "fe80::1");
    t.equal(seg?.dstAddr, version === 4 ? "10.1.2.3" : "2001:db8::2");
    t.equal(seg?.dstPort, 2000);
    t.same([...(seg?.payload ?? [])], [0xaa, 0xbb, 0xcc]);
}

/** Decodes and returns the counters. */
function outcome(linkType: number, bytes: Uint8Array): WireCounters {
    const counters = newWireCounters();
    t.equal(decodeFrame(frame(linkType, bytes), counters), null);
    return counters;
}

t.test("Ethernet II, IPv4 and IPv6", async (t) => {
    expectSegment(t, 1, ether(v4, 0x0800), 4);
    expectSegment(t, 1, ether(v6, 0x86dd), 6);
});

t.test("802.1Q, 802.1ad and 0x9100 stacked tags", async (t) => {
    expectSegment(t, 1, ether(v4, 0x0800, [[0x8100, 100]]), 4);
    expectSegment(t, 1, ether(v6, 0x86dd, [[0x8100, 7]]), 6);
    expectSegment(
        t,
        1,
        ether(v4, 0x0800, [
            [0x88a8, 10],
            [0x8100, 20],
        ]),
        4,
    );
    expectSegment(
        t,
        1,
        ether(v6, 0x86dd, [
            [0x9100, 10],
            [0x88a8, 11],
            [0x8100, 20],
        ]),
        6,
    );
    const tagged = ether(v4, 0x0800, [[0x8100, 100]]);
    t.equal(payloadOffset(linkPayload(1, tagged)), 18);
    t.equal(payloadProto(linkPayload(1, tagged)), NetProto.IPV4);
    // ARP inside a VLAN is still not IP.
    t.equal(outcome(1, ether([0, 1, 8, 0], 0x0806, [[0x8100, 5]])).nonIp, 1);
    // A tag cut in the middle is malformed.
    t.equal(outcome(1, ether([], 0x8100).subarray(0, 14 + 3)).malformed, 1);
    t.equal(outcome(1, concat(ether([], 0x8100), u16(5))).malformed, 1);
});

t.test("Ethernet non-IP: ARP, LLDP, 802.3 length frames", async (t) => {
    t.equal(outcome(1, ether(new Uint8Array(28), 0x0806)).nonIp, 1);
    t.equal(outcome(1, ether(new Uint8Array(28), 0x88cc)).nonIp, 1);
    // 802.3 + LLC (IPX, as in one of the real captures): the type field is a length <= 1500.
    t.equal(outcome(1, ether([0xe0, 0xe0, 0x03, ...new Uint8Array(40)], 43)).nonIp, 1);
    t.equal(outcome(1, ether(v4, 1500)).nonIp, 1);
    t.equal(linkPayload(1, ether(v4, 0)), Drop.NON_IP);
    t.equal(outcome(1, new Uint8Array(13)).malformed, 1);
});

t.test("Linux SLL (113) and SLL2 (276)", async (t) => {
    expectSegment(t, 113, sll(v4, 0x0800), 4);
    expectSegment(t, 113, sll(v6, 0x86dd), 6);
    expectSegment(t, 276, sll2(v4, 0x0800), 4);
    expectSegment(t, 276, sll2(v6, 0x86dd), 6);
    // libpcap leaves VLAN tags after the cooked header with protocol 0x8100.
    expectSegment(t, 113, sll(concat(u16(42), u16(0x0800), v4), 0x8100), 4);
    expectSegment(t, 276, sll2(concat(u16(42), u16(0x86dd), v6), 0x8100), 6);
    t.equal(outcome(113, sll(v4, 0x0806)).nonIp, 1);
    t.equal(outcome(276, sll2(v4, 0x0004)).nonIp, 1);
    t.equal(outcome(113, new Uint8Array(15)).malformed, 1);
    t.equal(outcome(276, new Uint8Array(19)).malformed, 1);
});

t.test("BSD null (0) in both byte orders, LOOP (108)", async (t) => {
    for (const le of [true, false]) {
        expectSegment(t, 0, nullHdr(v4, 2, le), 4);
        for (const family of [24, 28, 30]) expectSegment(t, 0, nullHdr(v6, family, le), 6);
        t.equal(outcome(0, nullHdr(v4, 7, le)).nonIp, 1);
    }
    expectSegment(t, 108, nullHdr(v4, 2, false), 4);
    expectSegment(t, 108, nullHdr(v6, 24, false), 6);
    // LOOP is always network order: a little-endian family is not one we know.
    t.equal(outcome(108, nullHdr(v4, 2, true)).nonIp, 1);
    t.equal(outcome(0, new Uint8Array([0xff, 0xff, 0xff, 0xff, ...v4])).nonIp, 1);
    t.equal(outcome(0, new Uint8Array(3)).malformed, 1);
    t.equal(outcome(108, new Uint8Array(3)).malformed, 1);
});

t.test("raw IP (101, 12) by version nibble, IPv4 (228), IPv6 (229)", async (t) => {
    for (const lt of [101, 12]) {
        expectSegment(t, lt, v4, 4);
        expectSegment(t, lt, v6, 6);
        t.equal(outcome(lt, new Uint8Array(0)).malformed, 1);
        t.equal(outcome(lt, concat([0x55], v4.subarray(1))).malformed, 1, "version 5 is not IP");
    }
    expectSegment(t, 228, v4, 4);
    expectSegment(t, 229, v6, 6);
    t.equal(outcome(228, v6).malformed, 1, "IPv6 bytes on the IPv4 link type");
    t.equal(outcome(229, v4).malformed, 1, "IPv4 bytes on the IPv6 link type");
    t.equal(outcome(1, ether(v6, 0x0800)).malformed, 1, "EtherType disagrees with the version");
});

t.test("unsupported link types", async (t) => {
    for (const lt of [105, 127, 147, 220, -1, 65536]) {
        t.equal(outcome(lt, v4).unsupportedLinkType, 1, `link type ${lt}`);
    }
});
