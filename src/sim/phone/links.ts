/**
 * The phone's CallManager links: connecting (next CallManager on failure, then a reconnect delay), the
 * registration exchange (RegisterReq, then one request per burst as a 7912 does), keepalives, the
 * keepalive-only standby link and failover to it, and what the CallManager sends on a link.
 */
import type { SccpFields, SccpMessage } from "../../sccp/index.js";
import { headerVersionOf, num, PhoneWire, text } from "../dialect.js";
import { SimError } from "../errors.js";
import { Msg, Ring, Stimulus } from "../ids.js";
import type { LinkCloseReason, SimLink } from "../network.js";
import { SccpSession } from "../session.js";
import type { SimGeneration } from "../types.js";
import { sendDigits } from "./keys.js";
import { showMessage } from "./screen.js";
import { checkIdle, type LinkState, type PhoneState, type RegStep, record, run } from "./state.js";
import type { CallManagerAddress } from "./types.js";

export function halt(s: PhoneState): void {
    s.running = false;
    s.clock.clearTimer(s.reconnectTimer);
    s.reconnectTimer = null;
    s.clock.clearTimer(s.dialTimer);
    s.dialTimer = null;
    s.pendingDigits = "";
}

export function closeLinks(s: PhoneState, reset: boolean, silent = false): void {
    for (const l of [s.primary, s.standby]) {
        if (l === null) continue;
        s.clock.clearTimer(l.kaTimer);
        l.kaTimer = null;
        if (silent) l.session.freeze();
        else if (reset) l.session.abort();
        else l.session.close();
    }
    s.primary = null;
    s.standby = null;
}

export function setUnregistered(s: PhoneState, reason: string): void {
    const was = s.registered;
    s.registered = false;
    s.calls.clear();
    s.hookOff = false;
    s.ringer = Ring.Off;
    s.tone = 0;
    if (was) s.events.emit("unregistered", reason);
    checkIdle(s);
}

export function connectPrimary(s: PhoneState, index: number): void {
    const cms = s.opts.callManagers;
    const cm = cms[index % cms.length] as CallManagerAddress;
    s.network.connect({ host: cm.host, port: cm.port, localAddress: s.ip }, (err, link) => {
        if (!s.running) {
            link?.destroy();
            return;
        }
        if (err !== null || link === null) {
            // Try the next CallManager, then wait and start over.
            if (index + 1 < cms.length) connectPrimary(s, index + 1);
            else scheduleReconnect(s, err ?? new Error("connect failed"));
            return;
        }
        const st = openLink(s, link, cm, false);
        s.primary = st;
        run(s, () => sendRegister(s, st));
    });
}

function openLink(s: PhoneState, link: SimLink, cm: CallManagerAddress, standby: boolean): LinkState {
    const st: LinkState = {
        session: null as unknown as SccpSession,
        wire: null as unknown as PhoneWire,
        cm,
        standby,
        kaTimer: null,
        missed: 0,
    };
    st.session = new SccpSession(link, {
        onMessage: (msg) => run(s, () => onMessage(s, st, msg)),
        onClose: (reason) => run(s, () => onClose(s, st, reason)),
        onDirty: (session) => s.dirty.add(session),
        onProtocolError: (text) => {
            s.stats.protocolErrors++;
            if (s.errors.length < 100) s.errors.push(text);
            s.events.emit("protocolError", text);
        },
        onChunkEnd: () => run(s, () => afterBurst(s, st)),
        onSend: (id, fields) => {
            s.stats.messagesSent++;
            record(s, "out", id, fields);
        },
    });
    st.wire = new PhoneWire(st.session, s.gen);
    return st;
}

function scheduleReconnect(s: PhoneState, err: Error): void {
    const ms = s.opts.reconnectMs ?? 10_000;
    if (ms <= 0 || !s.running) {
        s.running = false;
        const waiters = s.startWaiters;
        s.startWaiters = [];
        for (const w of waiters) {
            w.reject(new SimError("SIM_CONNECT", `${s.deviceName}: cannot reach a CallManager: ${err.message}`));
        }
        return;
    }
    s.reconnectTimer = s.clock.setTimer(ms, () => {
        s.reconnectTimer = null;
        if (s.running && s.primary === null) connectPrimary(s, 0);
    });
}

function sendRegister(s: PhoneState, st: LinkState): void {
    st.session.hv = 0;
    s.gen = s.baseGen;
    st.wire.gen = s.gen === "cm2" ? "cm4" : s.gen;
    st.wire.alarm(`Name=${s.deviceName} Load=${s.info.firmware} Last=Initialized`);
    st.wire.registerReq({
        deviceName: s.deviceName,
        ip: s.ip,
        deviceType: s.info.deviceType,
        protocolVer: s.gen === "v20" ? 20 : s.info.protocolVer,
        dynamic: s.gen === "v20",
        mac: s.mac,
        firmware: s.info.firmware,
        lines: s.info.maxLines,
    });
    st.wire.ipPort(s.opts.rtpPort ?? 16384);
}

function onClose(s: PhoneState, st: LinkState, reason: LinkCloseReason): void {
    s.clock.clearTimer(st.kaTimer);
    st.kaTimer = null;
    if (st === s.standby) {
        s.standby = null;
        return;
    }
    if (st !== s.primary) return;
    s.primary = null;
    setUnregistered(s, `CallManager link closed (${reason})`);
    if (!s.running) return;
    const standby = s.standby;
    if (standby !== null) {
        // Fail over: register on the standby link.
        s.stats.failovers++;
        s.standby = null;
        s.clock.clearTimer(standby.kaTimer);
        standby.kaTimer = null;
        standby.standby = false;
        s.primary = standby;
        sendRegister(s, standby);
        return;
    }
    scheduleReconnect(s, new Error(`link closed (${reason})`));
}

function openStandby(s: PhoneState): void {
    const cm = s.opts.callManagers.find((c) => c !== s.primary?.cm);
    if (cm === undefined || s.standby !== null || s.opts.callManagers.length < 2) return;
    s.network.connect({ host: cm.host, port: cm.port, localAddress: s.ip }, (err, link) => {
        if (err !== null || link === null || !s.running || s.standby !== null) {
            link?.destroy();
            return;
        }
        const st = openLink(s, link, cm, true);
        s.standby = st;
        run(s, () => {
            st.wire.empty(Msg.KeepAliveReq);
            armKeepAlive(s, st);
        });
    });
}

function armKeepAlive(s: PhoneState, st: LinkState): void {
    const ms = st.standby ? s.secondaryKeepAliveMs : s.keepAliveMs;
    st.kaTimer = s.clock.setTimer(ms, () =>
        run(s, () => {
            st.kaTimer = null;
            if (!st.session.open) return;
            if (st.missed >= 3) {
                // Three keepalives without an answer: the CallManager is gone.
                st.session.abort();
                onClose(s, st, "reset");
                return;
            }
            st.missed++;
            s.stats.keepAlives++;
            st.wire.empty(Msg.KeepAliveReq);
            armKeepAlive(s, st);
        }),
    );
}

function onMessage(s: PhoneState, st: LinkState, msg: SccpMessage): void {
    record(s, "in", msg.id, msg.fields, msg.name);
    const f = msg.fields;
    if (msg.id === Msg.KeepAliveAck) {
        st.missed = 0;
        return;
    }
    if (st.standby) return;
    const w = st.wire;
    switch (msg.id) {
        case Msg.RegisterAck: {
            s.keepAliveMs = num(f, "keepAliveInterval") * 1000 || 30_000;
            s.secondaryKeepAliveMs = num(f, "secondaryKeepAliveInterval") * 1000 || s.keepAliveMs * 2;
            s.dateTemplate = text(f, "dateTemplate");
            s.oldCm = f.maxProtocolVer === undefined;
            const negotiated = s.oldCm
                ? 0
                : Math.min(num(f, "maxProtocolVer"), s.gen === "v20" ? 20 : s.info.protocolVer);
            const gen: SimGeneration = s.oldCm ? "cm2" : negotiated >= 17 && s.gen === "v20" ? "v20" : "cm4";
            s.gen = gen;
            w.gen = gen;
            st.session.hv = headerVersionOf(gen);
            s.clock.clearTimer(st.kaTimer);
            armKeepAlive(s, st);
            return;
        }
        case Msg.RegisterReject: {
            halt(s);
            const waiters = s.startWaiters;
            s.startWaiters = [];
            for (const x of waiters)
                x.reject(new SimError("SIM_REGISTER_REJECTED", `${s.deviceName}: ${text(f, "text")}`));
            st.session.close();
            return;
        }
        case Msg.CapabilitiesReq:
            w.capabilities();
            w.empty(Msg.ButtonTemplateReq);
            return;
        case Msg.ButtonTemplateRes: {
            const defs = Array.isArray(f.definition) ? (f.definition as SccpFields[]) : [];
            s.lineCount = defs.filter((d) => d.buttonDefinition === Stimulus.Line).length;
            s.speedDials = defs.filter((d) => d.buttonDefinition === Stimulus.SpeedDial).length;
            const steps: RegStep[] = [];
            if (!s.oldCm && s.info.softKeys) steps.push(["skt", 0], ["sks", 0]);
            for (let i = 1; i <= s.lineCount; i++) steps.push(["line", i]);
            if (!s.oldCm) for (let i = 1; i <= s.lineCount; i++) steps.push(["fwd", i]);
            for (let i = s.speedDials; i >= 1; i--) steps.push(["sd", i]);
            steps.push(["avail", 0], ["time", 0]);
            s.regSteps = steps;
            s.lines = [];
            s.regAfterBurst = true;
            return;
        }
        case Msg.SoftKeyTemplateRes: {
            const defs = Array.isArray(f.definition) ? (f.definition as SccpFields[]) : [];
            s.template = defs.map((d) => {
                const wire =
                    typeof d.softKeyLabelCodes === "string" ? d.softKeyLabelCodes : String(d.softKeyLabel ?? "");
                return {
                    code: wire.charCodeAt(0) === 0x80 ? wire.charCodeAt(1) : -1,
                    label: String(d.softKeyLabel ?? ""),
                    wire,
                    event: typeof d.softKeyEvent === "number" ? d.softKeyEvent : 0,
                };
            });
            regStepDone(s, st, "skt");
            return;
        }
        case Msg.SoftKeySetRes: {
            const defs = Array.isArray(f.definition) ? (f.definition as SccpFields[]) : [];
            s.sets = defs.map((d) => ({
                template: Array.isArray(d.softKeyTemplateIndex) ? (d.softKeyTemplateIndex as number[]) : [],
            }));
            regStepDone(s, st, "sks");
            return;
        }
        case Msg.LineStatRes:
        case Msg.LineStatV2Res: {
            const line = num(f, "lineNumber");
            s.lines[line - 1] = text(f, "lineDirNumber");
            s.lineNames[line - 1] = text(f, "lineFullyQualifiedDisplayName");
            regStepDone(s, st, "line");
            return;
        }
        case Msg.ForwardStatRes:
            s.forward.set(num(f, "lineNumber"), {
                all: num(f, "forwardAllActive") !== 0 ? text(f, "forwardAllNumber") : "",
                busy: num(f, "forwardBusyActive") !== 0 ? text(f, "forwardBusyNumber") : "",
                noAnswer: num(f, "forwardNoAnswerActive") !== 0 ? text(f, "forwardNoAnswerNumber") : "",
            });
            regStepDone(s, st, "fwd");
            return;
        case Msg.SpeedDialStatRes:
            regStepDone(s, st, "sd");
            return;
        case Msg.TimeDateRes:
            s.time = {
                year: num(f, "wYear"),
                month: num(f, "wMonth"),
                dayOfWeek: num(f, "wDayOfWeek"),
                day: num(f, "wDay"),
                hour: num(f, "wHour"),
                minute: num(f, "wMinute"),
                second: num(f, "wSecond"),
                millisecond: num(f, "wMilliseconds"),
                systemTime: num(f, "systemTime"),
            };
            if (regStepDone(s, st, "time")) registrationDone(s);
            return;
        case Msg.UnregisterAck:
            st.session.close();
            onClose(s, st, "end");
            return;
        case Msg.Reset:
            // Restart: drop the link and register again after the reconnect delay.
            st.session.close();
            onClose(s, st, "end");
            return;
        case Msg.OpenReceiveChannel:
            w.openReceiveChannelAck(
                s.ip,
                s.opts.rtpPort ?? 16384,
                num(f, "passThroughPartyId"),
                num(f, "callReference"),
            );
            return;
    }
    showMessage(s, msg);
}

function nextRegStep(s: PhoneState, st: LinkState): void {
    const step = s.regSteps[0];
    if (step === undefined) return;
    const [kind, i] = step;
    const w = st.wire;
    switch (kind) {
        case "skt":
            w.empty(Msg.SoftKeyTemplateReq);
            return;
        case "sks":
            w.empty(Msg.SoftKeySetReq);
            return;
        case "line":
            w.lineStatReq(i);
            return;
        case "fwd":
            w.forwardStatReq(i);
            return;
        case "sd":
            w.speedDialStatReq(i);
            return;
        case "avail":
            w.availableLines(s.lineCount);
            s.regSteps.shift();
            nextRegStep(s, st);
            return;
        case "time":
            w.empty(Msg.TimeDateReq);
            return;
    }
}

/** Marks the pending registration step answered; true when it was the one expected. */
function regStepDone(s: PhoneState, st: LinkState, kind: RegStep[0]): boolean {
    const step = s.regSteps[0];
    if (step === undefined || step[0] !== kind) return false;
    s.regSteps.shift();
    // The next request goes out once the whole burst is handled, as a 7912 does.
    s.regAfterBurst = true;
    void st;
    return true;
}

function afterBurst(s: PhoneState, st: LinkState): void {
    if (s.regAfterBurst) {
        s.regAfterBurst = false;
        if (st === s.primary) nextRegStep(s, st);
    }
    if (s.dialAfterBurst) {
        s.dialAfterBurst = false;
        sendDigits(s);
    }
}

function registrationDone(s: PhoneState): void {
    s.registered = true;
    s.stats.registrations++;
    openStandby(s);
    s.events.emit("registered");
    const waiters = s.startWaiters;
    s.startWaiters = [];
    for (const w of waiters) w.resolve();
}
