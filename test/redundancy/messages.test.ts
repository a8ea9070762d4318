import t from "tap";
import { RedundancyError } from "../../src/redundancy/election.js";
import {
    type Announcement,
    decodeState,
    encodeAnnouncement,
    encodeState,
    parseAnnouncement,
} from "../../src/redundancy/messages.js";

const ann: Announcement = {
    node: "cbk1",
    address: "10.0.0.1",
    priority: 100,
    role: "active",
    term: 2,
    seq: 17,
    handoverTo: null,
    online: true,
    boot: "b-1",
    ts: 1795655723823,
    url: "http://10.0.0.1:8080",
};

t.test("announcements and departures round-trip", async (t) => {
    t.same(parseAnnouncement(encodeAnnouncement(ann)), ann);
    const gone = { node: "cbk1", online: false as const, boot: "b-1", ts: 5, clean: true };
    t.same(parseAnnouncement(encodeAnnouncement(gone)), gone);
    t.same(parseAnnouncement(Buffer.from('{"v":1,"node":"x","online":false,"boot":"","ts":1}')), {
        node: "x",
        online: false,
        boot: "",
        ts: 1,
        clean: false,
    });
});

t.test("malformed announcements are refused with a typed error", async (t) => {
    const bad = (v: unknown, what: string) =>
        t.throws(
            () => parseAnnouncement(Buffer.from(typeof v === "string" ? v : JSON.stringify(v))),
            RedundancyError,
            what,
        );
    bad("not json", "not JSON");
    bad([1], "an array");
    bad({ ...ann, v: 2 }, "unknown version");
    bad({ ...ann, v: 1, address: "host" }, "address not an IP");
    bad({ ...ann, v: 1, priority: 256 }, "priority out of range");
    bad({ ...ann, v: 1, role: "boss" }, "unknown role");
    bad({ ...ann, v: 1, seq: -1 }, "negative seq");
    bad({ ...ann, v: 1, online: "yes" }, "online not a boolean");
    bad({ ...ann, v: 1, node: "" }, "empty node");
    bad({ ...ann, v: 1, handoverTo: 3 }, "handoverTo not a string");
    bad("x".repeat(2000), "too long");
    t.throws(() => parseAnnouncement(Buffer.from("{}")), { code: "REDUNDANCY_BAD_MESSAGE" });
});

t.test("replicated state: header line then the payload bytes untouched", async (t) => {
    const payload = new Uint8Array([0x0a, 0x00, 0xff, 0x0a, 0x01]);
    const msg = encodeState({ node: "cbk1", term: 3, seq: 9, ts: 1, format: 2 }, payload);
    const { header, payload: body } = decodeState(msg);
    t.same(header, { node: "cbk1", term: 3, seq: 9, ts: 1, format: 2 });
    t.same([...body], [...payload], "payload with newlines in it survives");
    t.throws(() => decodeState(Buffer.from("no newline at all")), { code: "REDUNDANCY_BAD_MESSAGE" });
    t.throws(() => decodeState(Buffer.from('{"node":"x"}\n')), { code: "REDUNDANCY_BAD_MESSAGE" });
    t.throws(() => decodeState(Buffer.from('{"node":"x","term":1,"seq":1.5,"ts":0,"format":2}\n')), {
        code: "REDUNDANCY_BAD_MESSAGE",
    });
});
