#!/usr/bin/env node
// Cluster model memory and speed at branch scale (issue E): 20,000 registered phones and 100,000
// calls/hour in steady state, one simulated hour of capture time fed straight into the model (decoded
// messages, no wire). Reports heap per device after registration and in steady state, and the model's
// message rate. Run after `npm run build`: node --expose-gc <this file> [--devices N] [--calls-per-hour N]
// [--hold-s S] [--hours H]. Prints one JSON object (and a Markdown row on stderr).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = [join(here, "..")].find((r) => existsSync(join(r, "dist/cluster/model.js")));
if (root === undefined) throw new Error("dist/ not found: run npm run build first");
const { ClusterModel } = await import(join(root, "dist/cluster/model.js"));
const { decodeSccpFrame, encodeSccp } = await import(join(root, "dist/sccp/codec.js"));
const { SCCP_MESSAGE_TABLE } = await import(join(root, "dist/sccp/tables/messages.js"));
const { TcpConnection } = await import(join(root, "dist/wire/reassembly.js"));

const { values } = parseArgs({
    options: {
        devices: { type: "string", default: "20000" },
        "calls-per-hour": { type: "string", default: "100000" },
        "hold-s": { type: "string", default: "180" },
        hours: { type: "string", default: "1" },
    },
});
const DEVICES = Number(values.devices);
const CALLS_PER_HOUR = Number(values["calls-per-hour"]);
const HOLD_S = Number(values["hold-s"]);
const SECONDS = Math.round(Number(values.hours) * 3600);
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");

const ids = new Map(SCCP_MESSAGE_TABLE.map(([id, name]) => [name, id]));
/** A decoded message; its fields object is reused (the model copies what it keeps). */
const msg = (name, fields) => decodeSccpFrame(encodeSccp({ hv: 0, id: ids.get(name), fields }));

let seed = 12345;
const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
};

function heapMiB() {
    globalThis.gc();
    globalThis.gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
}

// --- message templates (fields mutated per use) ---
const TEMPLATE = [1, 2, 3, 4, 5, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 0x41].map((code, i) => ({
    softKeyLabel: `\u0080${String.fromCharCode(code)}`,
    softKeyEvent: code === 0x41 ? 20 : code,
    _i: i,
}));
const pad16 = (a) => [...a, ...new Array(16 - a.length).fill(0)];
const m = {
    register: msg("RegisterReq", {
        deviceName: "SEP000000000000",
        stationIpAddr: "10.0.0.1",
        deviceType: 7,
        maxStreams: 0,
        activeStreams: 0,
        protocolVer: 6,
        phoneFeatures: 0,
        maxConferences: 0,
    }),
    ack: msg("RegisterAck", {
        keepAliveInterval: 30,
        dateTemplate: "D.M.Y",
        secondaryKeepAliveInterval: 60,
        maxProtocolVer: 6,
        phoneFeatures: 0,
    }),
    buttons: msg("ButtonTemplateRes", {
        buttonOffset: 0,
        buttonCount: 1,
        totalButtonCount: 1,
        definition: [{ instanceNumber: 1, buttonDefinition: 9 }],
    }),
    template: msg("SoftKeyTemplateRes", {
        softKeyOffset: 0,
        softKeyCount: TEMPLATE.length,
        totalSoftKeyCount: TEMPLATE.length,
        definition: TEMPLATE.map(({ softKeyLabel, softKeyEvent }) => ({ softKeyLabel, softKeyEvent })),
    }),
    sets: msg("SoftKeySetRes", {
        softKeySetOffset: 0,
        softKeySetCount: 11,
        totalSoftKeySetCount: 11,
        definition: Array.from({ length: 11 }, (_, i) => ({
            softKeyTemplateIndex: pad16(i === 0 ? [1, 2, 5, 16] : i === 8 ? [7, 16] : [7, 3]),
            softKeyInfoIndex: pad16([301]),
        })),
    }),
    lineStat: msg("LineStatRes", {
        lineNumber: 1,
        lineDirNumber: "10000",
        lineFullyQualifiedDisplayName: "User 10000",
        lineTextLabel: "10000",
        lineDisplayOptions: 9,
    }),
    forward: msg("ForwardStatRes", {
        activeForward: 0,
        lineNumber: 1,
        forwardAllActive: 0,
        forwardAllNumber: "",
        forwardBusyActive: 0,
        forwardBusyNumber: "",
        forwardNoAnswerActive: 0,
        forwardNoAnswerNumber: "",
    }),
    time: msg("TimeDateRes", {
        wYear: 2026,
        wMonth: 6,
        wDayOfWeek: 3,
        wDay: 3,
        wHour: 8,
        wMinute: 0,
        wSecond: 0,
        wMilliseconds: 0,
        systemTime: 1780473600,
    }),
    keepAlive: msg("KeepAliveReq", {}),
    keepAliveAck: msg("KeepAliveAck", {}),
    callState: msg("CallState", {
        callState: 1,
        lineInstance: 1,
        callReference: 1,
        privacy: 0,
        precedenceLevel: 4,
        precedenceDomain: 0,
    }),
    select: msg("SelectSoftKeys", { lineInstance: 1, callReference: 1, softKeySetIndex: 4, validKeyMask: 0xffffffff }),
    startTone: msg("StartTone", { tone: 0x21, "tone.output.direction": 0, lineInstance: 1, callReference: 1 }),
    stopTone: msg("StopTone", { lineInstance: 1, callReference: 1 }),
    keypad: msg("KeypadButton", { kpButton: 1, lineInstance: 1, callReference: 1 }),
    dialed: msg("DialedNumber", { dialedNumber: "10000", lineInstance: 1, callReference: 1 }),
    callInfo: msg("CallInfo", {
        callingPartyName: "User 10000",
        callingParty: "10000",
        calledPartyName: "User 10001",
        calledParty: "10001",
        lineInstance: 1,
        callReference: 1,
        callType: 2,
        originalCalledParty: "10001",
    }),
    ringer: msg("SetRinger", { ringMode: 2, ringDuration: 1, lineInstance: 1, callReference: 1 }),
    lamp: msg("SetLamp", { stimulus: 9, stimulusInstance: 1, lampMode: 5 }),
    offHook: msg("OffHook", { lineInstance: 1, callReference: 1 }),
    softKey: msg("SoftKeyEvent", { softKeyEvent: 9, lineInstance: 1, callReference: 1 }),
};

const dn = (i) => String(10000 + i);
const name = (i) => `SEP${(0x001e4a000000 + i).toString(16).toUpperCase().padStart(12, "0")}`;
const ip = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

let messages = 0;
let events = 0;
const model = new ClusterModel({ onEvent: () => events++ });
const ctxs = [];
const feed = (i, dir, message, t) => {
    messages++;
    model.onSccpMessage(ctxs[i], dir, message, t);
};
const setCall = (message, ref) => {
    message.fields.callReference = ref;
    return message;
};
function state(i, s, ref, t) {
    m.callState.fields.callState = s;
    feed(i, 1, setCall(m.callState, ref), t);
}
function select(i, set, ref, t) {
    m.select.fields.softKeySetIndex = set;
    m.select.fields.lineInstance = ref === 0 ? 0 : 1;
    feed(i, 1, setCall(m.select, ref), t);
}

const T0 = 1780473600;
// The connections belong to the pipeline, not the model: made before the baseline.
for (let i = 0; i < DEVICES; i++) {
    const conn = new TcpConnection(
        i + 1,
        4,
        { addr: ip(i), port: 50000 },
        { addr: "10.255.0.1", port: 2000 },
        T0,
        false,
    );
    ctxs.push({ conn, names: [`${ip(i)}:50000`, "10.255.0.1:2000"], emit: () => {} });
}
const heapBase = heapMiB();

// --- register every phone ---
for (let i = 0; i < DEVICES; i++) {
    const t = T0 + (i % 30);
    m.register.fields.deviceName = name(i);
    m.register.fields.stationIpAddr = ip(i);
    feed(i, 0, m.register, t);
    feed(i, 1, m.ack, t);
    feed(i, 1, m.buttons, t);
    feed(i, 1, m.template, t);
    feed(i, 1, m.sets, t);
    m.lineStat.fields.lineDirNumber = dn(i);
    m.lineStat.fields.lineFullyQualifiedDisplayName = `User ${dn(i)}`;
    m.lineStat.fields.lineTextLabel = dn(i);
    feed(i, 1, m.lineStat, t);
    feed(i, 1, m.forward, t);
    feed(i, 1, m.time, t);
    select(i, 0, 0, t);
}
const heapRegistered = heapMiB();

// --- one hour of traffic ---
const busy = new Uint8Array(DEVICES);
const ends = []; // [endTime, a, b, refA, refB]
let nextRef = 16777217;
let calls = 0;
let peakLive = 0;
const perSecond = CALLS_PER_HOUR / 3600;
let carry = 0;
const started = process.hrtime.bigint();
for (let s = 0; s < SECONDS; s++) {
    const t = T0 + 30 + s;
    // keepalives: each phone every 30 s
    for (let i = s % 30; i < DEVICES; i += 30) {
        feed(i, 0, m.keepAlive, t);
        feed(i, 1, m.keepAliveAck, t);
    }
    // new calls
    carry += perSecond;
    while (carry >= 1) {
        carry -= 1;
        let a = 0;
        let b = 0;
        for (let tries = 0; tries < 100; tries++) {
            a = Math.floor(rnd() * DEVICES);
            b = Math.floor(rnd() * DEVICES);
            if (a !== b && !busy[a] && !busy[b]) break;
        }
        if (a === b || busy[a] || busy[b]) continue;
        busy[a] = 1;
        busy[b] = 1;
        const ra = nextRef++;
        const rb = nextRef++;
        calls++;
        state(a, 1, ra, t);
        select(a, 4, ra, t);
        m.startTone.fields.tone = 0x21;
        feed(a, 1, setCall(m.startTone, ra), t);
        for (let k = 0; k < 5; k++) feed(a, 0, setCall(m.keypad, ra), t);
        feed(a, 1, setCall(m.stopTone, ra), t);
        m.dialed.fields.dialedNumber = dn(b);
        feed(a, 1, setCall(m.dialed, ra), t);
        state(a, 12, ra, t);
        Object.assign(m.callInfo.fields, {
            callingParty: dn(a),
            calledParty: dn(b),
            originalCalledParty: dn(b),
            callType: 2,
        });
        feed(a, 1, setCall(m.callInfo, ra), t);
        state(b, 4, rb, t);
        select(b, 3, rb, t);
        m.callInfo.fields.callType = 1;
        feed(b, 1, setCall(m.callInfo, rb), t);
        feed(b, 1, setCall(m.ringer, rb), t);
        feed(b, 1, m.lamp, t);
        m.startTone.fields.tone = 0x24;
        feed(a, 1, setCall(m.startTone, ra), t);
        state(a, 3, ra, t);
        select(a, 8, ra, t);
        // answered a few seconds later (same second here: the model does not care)
        feed(b, 0, setCall(m.offHook, rb), t);
        state(b, 1, rb, t);
        state(b, 5, rb, t);
        select(b, 1, rb, t);
        feed(a, 1, setCall(m.stopTone, ra), t);
        state(a, 5, ra, t);
        select(a, 1, ra, t);
        ends.push([t + Math.round(HOLD_S * (0.5 + rnd())), a, b, ra, rb]);
    }
    // calls ending now
    peakLive = Math.max(peakLive, ends.length);
    for (let k = ends.length - 1; k >= 0; k--) {
        const e = ends[k];
        if (e[0] > t) continue;
        const [, a, b, ra, rb] = e;
        feed(a, 0, setCall(m.softKey, ra), t);
        state(a, 2, ra, t);
        select(a, 0, 0, t);
        state(b, 2, rb, t);
        select(b, 0, 0, t);
        busy[a] = 0;
        busy[b] = 0;
        ends[k] = ends[ends.length - 1];
        ends.pop();
    }
    model.tick(t);
}
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
const live = ends.length;
const heapSteady = heapMiB();
const st = model.stats();
const result = {
    devices: DEVICES,
    callsPerHour: CALLS_PER_HOUR,
    simulatedSeconds: SECONDS,
    callsPlaced: calls,
    liveCallsAtEnd: live,
    liveCallRecords: st.calls,
    peakLiveCalls: peakLive,
    messages,
    events,
    modelMessagesPerSecond: Math.round(messages / elapsed),
    heapBaseMiB: +heapBase.toFixed(1),
    heapRegisteredMiB: +heapRegistered.toFixed(1),
    heapSteadyMiB: +heapSteady.toFixed(1),
    bytesPerDeviceRegistered: Math.round(((heapRegistered - heapBase) * 2 ** 20) / DEVICES),
    bytesPerDeviceSteady: Math.round(((heapSteady - heapBase) * 2 ** 20) / DEVICES),
    stats: st,
    node: process.version,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(
    `| ${DEVICES} | ${CALLS_PER_HOUR} | ${live} | ${result.bytesPerDeviceRegistered} | ${result.bytesPerDeviceSteady} | ${(heapSteady - heapBase).toFixed(1)} | ${(result.modelMessagesPerSecond / 1e6).toFixed(2)} M |\n`,
);
// Keep the model alive until after the last measurement.
if (model.stats().devices !== DEVICES) process.exitCode = 1;
