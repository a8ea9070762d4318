/** The commands on a service with sparse data (unknown names, models, addresses): every fallback renders. */
import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { type ConsoleContext, commandTree } from "../../src/console/commands.js";
import { resolve } from "../../src/console/commandTree.js";
import type { CallbackService } from "../../src/service/callbackService.js";

const config = loadConfig({ env: {}, overrides: { log: { level: "silent" } } });
const line = {
    instance: 1,
    dn: null,
    dnSource: null,
    displayName: null,
    label: null,
    state: "busy",
    uncertain: false,
    forwarding: { all: "2000" },
    calls: [
        {
            callRef: 9,
            stateName: "Proceed",
            direction: "outbound",
            callingParty: null,
            calledParty: null,
            dialed: "12",
        },
    ],
};
const anon = {
    key: "@10.0.0.9",
    name: null,
    mac: null,
    ip: null,
    model: null,
    supportsCallBackSoftkey: false,
    firmware: null,
    userName: null,
    registration: "registered",
    inferred: true,
    registeredAt: 5,
    keepAliveS: null,
    cm: null,
    lastSeen: 6,
    uncertain: true,
    links: [],
    lines: [line],
    softKeys: { callBackInOnHook: false, callBackInRingOut: null },
    ctiRegistered: true,
    knowledge: { learnedBy: "traffic", learnedAt: 5, restored: false, seenAt: 5, missing: ["callback-key", "numbers"] },
};
const noLines = {
    ...anon,
    key: "SEPAAA",
    name: "SEPAAA",
    ip: "10.0.0.8",
    lines: [],
    softKeys: { callBackInOnHook: true, callBackInRingOut: false },
    knowledge: { learnedBy: "registration", learnedAt: 5, restored: true, seenAt: null, missing: [] },
};
const request = {
    id: "cb-7",
    caller: { device: "@10.0.0.9", name: null, dn: null, ip: null, line: null, model: null },
    calledDn: "1002",
    trigger: "noAnswer",
    phase: "waiting",
    suspended: true,
    createdAt: 0,
    expiresAt: Number.NaN,
};
const devices = [anon, noLines];
const fake = {
    config,
    role: "active",
    counters: { pushOk: 0, pushFailed: 0, notifications: 0 },
    state: { requests: [request], alarms: ["flash.write-rate"] },
    push: null,
    http: { baseUrl: "http://127.0.0.1:1" },
    pipeline: { counters: { frames: 3, note: "text" } },
    writer: { stats: { writes: 0 } },
    store: { generation: 0n, stats: { writes: 0 } },
    model: {
        allDevices: () => devices,
        device: (k: string) => devices.find((d) => d.key === k) ?? null,
        allDns: () => ["1002"],
        dn: () => ({ devices: [] }),
        dnState: () => "idle",
        liveCalls: () => [{ device: "@10.0.0.9", line: 1, ...line.calls[0] }],
        ctiStatus: () => ({ status: "up", sessions: [{ session: "s1", state: "up", since: 1, reason: null }] }),
        callManagers: () => [{ cm: "10.0.0.1:2000", primary: 1, standby: 0 }],
        stats: () => ({ devices: 2, calls: 1 }),
        knowledgeSummary: () => ({ devices: 2, registration: 0, restored: 1, confirmed: 0, inferred: 0, unlearned: 1 }),
        unlearnedPhones: () => [
            { device: "@10.0.0.9", name: null, ip: null, seenAt: 5, missing: ["callback-key", "numbers"] },
        ],
    },
} as unknown as CallbackService;

const tree = commandTree();
const cancelled: string[] = [];
(fake as unknown as { cancel: (id: string) => boolean }).cancel = (id) => {
    cancelled.push(id);
    return true;
};

async function run(line: string, providers: ConsoleContext["providers"] = {}): Promise<string> {
    const r = resolve(tree, line);
    if (r.kind !== "ok" || r.node.run === undefined) throw new Error(`${line}: ${r.kind}`);
    const ctx: ConsoleContext = {
        service: fake,
        providers,
        session: { privileged: true, setPrivileged() {}, setTermLength() {}, logout() {}, promptEnable() {} },
        debug: { channels: new Set(), device: null },
        history: () => ({ events: [], alarms: [] }),
        startedAt: Date.now() - 90_061_000,
        onDebugChanged() {},
    };
    return (await r.node.run(ctx, r.args)).join("\n");
}

t.test("sparse data renders with placeholders", async (t) => {
    t.match(await run("show version"), /uptime 1d 1h 1m 1s/);
    t.match(await run("show status", { mqtt: { connected: false, status: () => ({}) } }), /MQTT {15}: disconnected/);
    t.match(await run("show phones"), /@10\.0\.0\.9\s+-\s+-\s+registered\s+-\s+NO\/\?/);
    t.match(await run("show phones zzz"), /0 of 2 phones/);
    const phones = await run("show phones");
    t.match(phones, /@10\.0\.0\.9 .* traffic; LACKS CallBack key \+ numbers/);
    t.match(phones, /SEPAAA .* restored\n/);
    t.match(phones, /1 marked LACKS: .*reset them from CallManager, or wait for their next registration/);
    t.match(
        await run("show cluster knowledge"),
        /Restored from flash {9}: 1 \(0 seen since\)[\s\S]*Unlearned \(with traffic\) {4}: 1\n {2}@10\.0\.0\.9 lacks callback-key and numbers/,
    );
    const p = await run("show phone @10.0.0.9");
    t.match(p, /Phone @10\.0\.0\.9 \(unknown model, cannot press CallBack\)/);
    t.match(p, /Registration registered \(inferred\) since 1970-01-01T00:00:05, CallManager -/);
    t.match(p, /state uncertain/);
    t.match(p, /Learned: from its traffic 1970-01-01T00:00:05; LACKS callback-key and numbers/);
    t.match(p, /Line 1: - {2}busy \(forward all to 2000\)/);
    t.match(p, /call 9 Proceed outbound - -> 12/);
    t.match(p, /Call-back cb-7 to 1002: waiting \(suspended\)/);
    t.match(await run("show phone sepaaa"), /Phone SEPAAA/, "names match case-insensitively");
    t.match(await run("show calls"), /@10\.0\.0\.9\s+1\s+9\s+Proceed\s+outbound\s+-\s+12/);
    t.match(
        await run("show callbacks"),
        /cb-7\s+@10\.0\.0\.9\s+-\s+1002\s+noAnswer\s+waiting\*\s+00:00:00\s+-[\s\S]*\(\* suspended\)/,
    );
    t.match(await run("show alarms"), /ACTIVE {2}flash\.write-rate/);
    t.match(await run("show cti"), /s1\s+up/);
    t.match(await run("show redundancy"), /10\.0\.0\.1:2000\s+1\s+0/);
    t.match(await run("show log"), /Log is empty/);
    t.match(
        await run("show capture", { capture: () => ({ interface: null, packets: 1, drops: 0 }) }),
        /Drops {7}: 0\n/,
    );
    t.match(await run("show capture"), /frames: 3/);
    t.match(await run("test push @10.0.0.9"), /has no known address/);
    t.match(await run("test push SEPAAA"), /pushUser\/pushPassword are not configured/);
    t.match(await run("clear callback 1003"), /% No call-back 1003/);
    t.match(await run("clear callback @10.0.0.9"), /Call-back cb-7 cancelled/);
    t.same(cancelled, ["cb-7"]);
});

t.test("show redundancy: this box, the active one, the other boxes, then the CallManagers", async (t) => {
    const single = await run("show redundancy");
    t.match(single, /This box\s+: single \(redundancy not enabled\)/);
    const status = {
        node: "cbk2",
        role: "standby" as const,
        connected: false,
        term: 3,
        seq: 41,
        active: "cbk1",
        splitBrain: true,
        lastChange: { at: 0, role: "standby" as const, reason: "cbk1 comes first and holds the state" },
        members: [
            { node: "cbk1", address: "10.0.0.1", priority: 100, role: "active" as const, term: 3, seq: 41, ageMs: 120 },
        ],
        stats: {
            promotions: 1,
            demotions: 1,
            statesPublished: 4,
            statesApplied: 9,
            knowledgePublished: 2,
            knowledgeApplied: 0,
            refused: 0,
        },
    };
    const out = await run("show redundancy", { redundancy: () => status });
    t.match(out, /This box\s+: cbk2, standby \(broker not connected: role kept\)/);
    t.match(out, /Active box\s+: cbk1 — SPLIT BRAIN/);
    t.match(out, /term 3, sequence 41/);
    t.match(out, /1970-01-01T00:00:00.000Z → standby: cbk1 comes first/);
    t.match(out, /cbk1\s+10\.0\.0\.1\s+100\s+active\s+3\s+41\s+120 ms ago/);
    const alone = await run("show redundancy", {
        redundancy: () => ({ ...status, members: [], lastChange: null, splitBrain: false, connected: true }),
    });
    t.match(alone, /Other boxes\s+: none seen/);
    t.notMatch(alone, /Last change/);
});
