/**
 * Issue D's first "done when": the simulator's real traffic, captured live on lo, is decoded by tshark
 * without a single malformed packet, and the message sequences of the standard scenarios (busy call,
 * ringback without answer, connected call, forward all) are the ones of SCCP-REFERENCE section 4 — for
 * static CM 4.x phones and for V20 phones.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { loadPcapAddon } from "../../src/capture/pcapChild.js";
import { Branch } from "../../src/sim/branch.js";
import { LiveCaptureFile } from "../../src/sim/liveCapture.js";
import { testPort } from "../helpers/ports.js";
import { needCapturePrivilege, needTool } from "../helpers/tools.js";
import { subsequence } from "./helpers/sim.js";
import { malformedFrames, skinnyMessages, tsharkToken } from "./helpers/tshark.js";

const addon = loadPcapAddon();
const skip =
    needCapturePrivilege() ||
    needTool("tshark", "tshark") ||
    ("error" in addon ? "needs the pcap addon: install libpcap-dev and run npm ci" : false);

const dir = mkdtempSync(join(tmpdir(), "sim-live-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// Section 4 sequences, per phone, in scenario order (CM to phone "<", phone to CM ">"; gaps allowed).
const OUTBOUND_DIAL = [
    "<CallState:1",
    "<SelectSoftKeys:4",
    "<StartTone:0x21",
    ">KeypadButton",
    "<StopTone",
    "<DialedNumber",
    "<CallState:12",
    "<CallInfo:2",
];
const HANG_UP = ["<CallState:2", "<SelectSoftKeys:0"];
const CALLER = [
    // busy
    ...OUTBOUND_DIAL,
    "<StartTone:0x23",
    "<CallState:6",
    "<SelectSoftKeys:8",
    ">SoftKeyEvent",
    ...HANG_UP,
    // ringback, no answer: reorder at the timeout, CallBack pressed
    ...OUTBOUND_DIAL,
    "<StartTone:0x24",
    "<CallState:3",
    "<SelectSoftKeys:8",
    "<StartTone:0x25",
    ">SoftKeyEvent",
    ...HANG_UP,
    // connected
    ...OUTBOUND_DIAL,
    "<StartTone:0x24",
    "<CallState:3",
    "<SelectSoftKeys:8",
    "<StopTone",
    "<CallState:5",
    "<SelectSoftKeys:1",
    ...HANG_UP,
    // forward all: ringback from the forward target
    ...OUTBOUND_DIAL,
    "<StartTone:0x24",
    "<CallState:3",
    "<CallState:5",
    ...HANG_UP,
];
const INBOUND = ["<CallState:4", "<SelectSoftKeys:3", "<CallInfo:1", "<SetLamp:5", "<SetRinger:2"];
const CALLEE_1002 = [
    // ringback without answer: rings, then cleared
    ...INBOUND,
    "<SetRinger:1",
    ...HANG_UP,
    // connected
    ...INBOUND,
    ">OffHook",
    "<CallState:1",
    "<CallState:5",
    "<SelectSoftKeys:1",
    ...HANG_UP,
    // forward all set on the line
    "<ForwardStatRes",
];
const TARGET_1004 = [
    // answers 1003 (the busy callee's call)
    ...INBOUND,
    ">OffHook",
    "<CallState:5",
    ...HANG_UP,
    // forward all target
    ...INBOUND,
    ">OffHook",
    "<CallState:5",
    ...HANG_UP,
];

/** Runs the four standard scenarios with a live capture; retried when libpcap drops packets (busy host). */
async function capture(model: string, pcap: string, attempt = 1): Promise<{ b: Branch; port: number }> {
    const b = await Branch.start({
        phones: [
            { dn: "1001", model },
            { dn: "1002", model },
            { dn: "1003", model: "7912" },
            { dn: "1004", model },
        ],
        cm: { noAnswerTimeoutMs: 12_000 },
    });
    const port = b.cm.address.port;
    const cap = new LiveCaptureFile(pcap, { filter: `tcp port ${port}` });
    // A short pause between steps keeps the capture child ahead of the traffic on a loaded machine.
    const pause = () => new Promise((r) => setTimeout(r, 5));
    let dropped = false;
    try {
        await cap.start();
        // Busy
        await b.call("1003", "1004");
        await b.answer("1004");
        await pause();
        await b.call("1001", "1003");
        await b.press("1001", "CallBack");
        await b.hangUp("1001");
        await b.hangUp("1003");
        await pause();
        // Ringback without answer
        await b.call("1001", "1002");
        await b.advance(12_500);
        await b.press("1001", "CallBack");
        await b.hangUp("1001");
        await pause();
        // Connected call
        await b.call("1001", "1002");
        await b.answer("1002");
        await b.hangUp("1002");
        await pause();
        // Forward all
        await b.forward("1002", { all: "1004" });
        await b.call("1001", "1002");
        await b.answer("1004");
        await b.hangUp("1001");
        await b.advance(200);
    } finally {
        dropped = await cap.stop().then(
            () => false,
            (err: { code?: string }) => {
                if (err.code !== "SIM_CAPTURE_DROPS" || attempt >= 3) throw err;
                return true;
            },
        );
        await b.stop();
    }
    if (dropped) return capture(model, pcap, attempt + 1);
    return { b, port };
}

for (const model of ["7960", "7961"]) {
    t.test(`live on lo, ${model} phones: no malformed packet, section 4 sequences`, { skip }, async (t) => {
        const pcap = join(dir, `sim-${model}.pcap`);
        const { b, port } = await capture(model, pcap);
        t.same(b.errors().details, [], "no protocol error on either side");
        t.equal(malformedFrames(pcap, port), "", "tshark finds no malformed packet");
        const msgs = skinnyMessages(pcap, port);
        t.ok(msgs.length > 200, `${msgs.length} skinny messages`);
        const of = (dn: string) => {
            const ip = b.phone(dn).ip;
            return msgs
                .filter((m) => m.src.startsWith(`${ip}:`) || m.dst.startsWith(`${ip}:`))
                .map((m) => tsharkToken(m, "127.0.0.1"));
        };
        for (const [dn, expected] of [
            ["1001", CALLER],
            ["1002", CALLEE_1002],
            ["1004", TARGET_1004],
        ] as const) {
            const r = subsequence(of(dn), expected);
            t.ok(r.ok, r.ok ? `${dn} sequence` : `${dn}: missing ${r.missing} in ${of(dn).join(" ")}`);
        }
        const busyInfo = msgs.find(
            (m) =>
                m.name.startsWith("CallInfo") &&
                m.fields.originalCalledParty === "1002" &&
                m.fields.calledParty === "1004",
        );
        t.ok(busyInfo, "forwarded call: CallInfo with the original called party");
        const fwd = msgs.find((m) => m.name === "ForwardStatRes" && m.fields.forwardAllDirnum === "1004");
        t.ok(fwd, "ForwardStatRes carries the forward-all target");
        const v2 = msgs.some((m) => m.name === "CallInfoV2");
        t.equal(v2, model === "7961", "CallInfoV2 exactly for V20 phones");
        if (model === "7961")
            t.ok(
                msgs.some((m) => Number(m.fields.hdr_version) === 0x14),
                "header version 0x14",
            );
    });
}

t.test("live capture file: open timeout, and an empty capture", { skip }, async (t) => {
    const missing = new LiveCaptureFile(join(dir, "none.pcap"), {
        interface: "nosuch0",
        filter: "tcp",
        openTimeoutMs: 300,
    });
    await t.rejects(missing.start(), { code: "SIM_CAPTURE_TIMEOUT" });
    await missing.stop(10);
    // a filter no traffic of a parallel test can match (port 9 is where other tests send pushes to fail fast)
    const quiet = new LiveCaptureFile(join(dir, "quiet.pcap"), {
        filter: `tcp port ${await testPort()} and host 127.255.255.254`,
    });
    await quiet.start();
    t.equal(await quiet.stop(50), 0);
    t.equal(quiet.frames, 0);
});
