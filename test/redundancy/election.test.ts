import t from "tap";
import {
    addressKey,
    compareMembers,
    compareProgress,
    decide,
    type ElectionInput,
    type Member,
    RedundancyError,
} from "../../src/redundancy/election.js";

const m = (node: string, address: string, extra: Partial<Member> = {}): Member => ({
    node,
    address,
    priority: 100,
    role: "standby",
    term: 0,
    seq: 0,
    handoverTo: null,
    ...extra,
});

const input = (self: Member, peers: Member[], extra: Partial<ElectionInput> = {}): ElectionInput => ({
    self,
    peers,
    connected: true,
    settled: true,
    safePoint: true,
    syncWaitOver: false,
    ...extra,
});

t.test("addresses order numerically, IPv4 as IPv4-mapped IPv6", async (t) => {
    t.ok(addressKey("10.0.0.9") < addressKey("10.0.0.10"), "numeric, not text (9 < 10)");
    t.ok(addressKey("9.255.255.255") < addressKey("10.0.0.0"));
    t.equal(addressKey("10.1.2.3"), addressKey("::ffff:10.1.2.3"), "mapped form is the same key");
    t.equal(addressKey("::ffff:a01:203"), addressKey("10.1.2.3"));
    t.ok(addressKey("::1") < addressKey("127.0.0.1"), "::1 before any IPv4 (::ffff:0:0/96)");
    t.ok(addressKey("127.0.0.1") < addressKey("fe80::1"), "IPv4 before fe80::");
    t.equal(addressKey("2001:db8::1"), (0x20010db8n << 96n) | 1n);
    t.equal(addressKey("fe80::1%eth0"), addressKey("fe80::1"), "zone ignored");
    t.equal(addressKey("1:2:3:4:5:6:7:8"), 0x00010002000300040005000600070008n);
    t.throws(() => addressKey("host.example"), RedundancyError);
    t.throws(() => addressKey(""), { code: "REDUNDANCY_BAD_ADDRESS" });
});

t.test("ordering: priority, then address, then node id", async (t) => {
    const list = [
        m("c", "10.0.0.10"),
        m("a", "10.0.0.9"),
        m("p", "10.0.0.200", { priority: 5 }),
        m("b", "10.0.0.9"),
        m("v6", "2001:db8::1"),
    ].sort(compareMembers);
    t.same(
        list.map((x) => x.node),
        ["p", "a", "b", "c", "v6"],
    );
    t.equal(compareProgress({ term: 2, seq: 1 }, { term: 1, seq: 99 }) > 0, true, "term first");
    t.equal(compareProgress({ term: 2, seq: 5 }, { term: 2, seq: 5 }), 0);
});

t.test("without the broker, or before settling, a box keeps its role", async (t) => {
    const self = m("a", "10.0.0.1");
    t.match(decide(input(self, [], { connected: false })), { action: "stay", reason: /broker/ });
    t.match(decide(input({ ...self, role: "active" }, [], { connected: false })), { action: "stay" });
    t.match(decide(input(self, [], { settled: false })), { action: "stay", reason: /settling/ });
});

t.test("lowest address promotes when there is no active box; the others stay standby", async (t) => {
    const a = m("a", "10.0.0.1", { term: 4, seq: 2 });
    const b = m("b", "10.0.0.2", { term: 4, seq: 2 });
    t.same(decide(input(a, [b])), { action: "promote", term: 5, reason: "no active box and this box comes first" });
    t.match(decide(input(b, [a])), { action: "stay", reason: /a comes first/ });
    t.match(decide(input(m("x", "10.0.0.9"), [])), { action: "promote", term: 1 }, "a box alone promotes");
});

t.test("a standby that comes first waits for newer state, then promotes anyway after the wait", async (t) => {
    const a = m("a", "10.0.0.1", { seq: 3, term: 1 });
    const b = m("b", "10.0.0.2", { seq: 7, term: 1 });
    t.match(decide(input(a, [b])), { action: "wait", reason: /b/ });
    t.match(decide(input(a, [b], { syncWaitOver: true })), { action: "promote", term: 2 });
});

t.test("a standby stays while another box is active, even when it comes first", async (t) => {
    const a = m("a", "10.0.0.1");
    const b = m("b", "10.0.0.2", { role: "active", term: 1, seq: 4 });
    t.match(decide(input(a, [b])), { action: "stay", reason: /standby for b/ });
});

t.test("handback: the active hands over to a better box once it holds the state, at a safe point", async (t) => {
    const a = m("a", "10.0.0.1", { term: 1, seq: 3 });
    const b = m("b", "10.0.0.2", { role: "active", term: 1, seq: 4 });
    t.match(decide(input(b, [a])), { action: "stay", reason: "active" }, "a is behind: no handover yet");
    const synced = { ...a, seq: 4 };
    t.match(decide(input(b, [synced], { safePoint: false })), { action: "wait", reason: /safe point/ });
    t.same(decide(input(b, [synced])), {
        action: "demote",
        handoverTo: "a",
        reason: "a comes first and holds the state",
        splitBrain: false,
    });
    // after b stepped down, a promotes with the next term
    t.match(decide(input(synced, [{ ...b, role: "standby", handoverTo: "a" }])), { action: "promote", term: 2 });
});

t.test("two actives: the one first in the ordering stays, the other steps down", async (t) => {
    const a = m("a", "10.0.0.1", { role: "active", term: 2 });
    const b = m("b", "10.0.0.2", { role: "active", term: 3 });
    t.match(decide(input(a, [b])), { action: "stay", splitBrain: true });
    t.match(decide(input(b, [a])), { action: "demote", handoverTo: "a", splitBrain: true });
    // a priority override wins over the address
    const bp = { ...b, priority: 1 };
    t.match(decide(input(a, [bp])), { action: "demote", handoverTo: "b", splitBrain: true });
});
