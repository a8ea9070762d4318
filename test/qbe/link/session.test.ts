/** CTI session records: settings, field readers, bounded maps, intervals and the query snapshot. */
import t from "tap";
import {
    boundedSet,
    effective,
    handle,
    hkey,
    linkContext,
    newSession,
    num,
    obj,
    sessionInfo,
    str,
} from "../../../src/qbe/link/session.js";

const REF = { key: "c>s", client: "c", server: "s" };

t.test("settings have their defaults and bounds of at least one", async (t) => {
    const ctx = linkContext(() => {}, {});
    t.match(ctx, { hbDefault: 30, openTimeout: 30000, maxSessions: 1024, maxEntries: 4096 });
    t.match(
        linkContext(() => {}, { maxSessions: 0, maxEntriesPerSession: -5 }),
        { maxSessions: 1, maxEntries: 1 },
    );
});

t.test("absent or mistyped fields read as null", async (t) => {
    const f = { a: 1, b: "x", c: { d: 2 }, e: [1], cm: 3, id: 4 };
    t.equal(num(f, "a"), 1);
    t.equal(num(f, "b"), null);
    t.equal(str(f, "b"), "x");
    t.equal(str(f, "a"), null);
    t.same(obj(f, "c"), { d: 2 });
    t.equal(obj(f, "e"), null);
    t.equal(obj(f, "zz"), null);
    t.same(handle(f, "cm", "id"), { callManagerID: 3, id: 4 });
    t.equal(handle(f, "cm", "b"), null);
    t.equal(hkey({ callManagerID: 3, id: 4 }), "3:4");
});

t.test("a bounded map lets the oldest entry give way, and replacing an entry evicts nothing", async (t) => {
    const m = new Map<string, number>();
    boundedSet(m, "a", 1, 2);
    boundedSet(m, "b", 2, 2);
    boundedSet(m, "a", 3, 2);
    t.same(
        [...m],
        [
            ["a", 3],
            ["b", 2],
        ],
    );
    boundedSet(m, "c", 4, 2);
    t.same([...m.keys()], ["b", "c"]);
});

t.test("liveness uses negotiated intervals, else the default; a query gets a copy", async (t) => {
    const ctx = linkContext(() => {}, { heartbeatIntervalS: 12 });
    const s = newSession(REF, 500);
    t.match(s, { state: "connecting", since: 500, lastRx: [-1, -1], openSeq: -1, lastActivity: 500 });
    t.same(effective(ctx, s), [12, 12]);
    s.clientHb = 4;
    s.serverHb = 0;
    t.same(effective(ctx, s), [4, 12]);
    s.lines.set("1:2", { line: { callManagerID: 1, id: 2 }, deviceName: "SEP1", lineName: "1001", partition: null });
    s.legs.set("1:2/1:9", {
        line: { callManagerID: 1, id: 2 },
        call: { callManagerID: 1, id: 9 },
        state: 2,
        callingParty: "1001",
        calledParty: null,
    });
    const info = sessionInfo(ctx, s);
    t.match(info, { key: "c>s", client: "c", server: "s", effectiveHeartbeatS: [4, 12], openDeadline: null });
    t.match(info.calls, [{ state: 2, stateName: String, callingParty: "1001" }]);
    info.lines[0]!.line.id = 99;
    info.lastRx[0] = 7;
    t.equal(s.lines.get("1:2")?.line.id, 2, "the snapshot shares nothing with the record");
    t.equal(s.lastRx[0], -1);
});
