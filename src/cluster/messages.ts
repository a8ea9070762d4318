/**
 * The model's inputs: each SCCP message, gap and close routed to the part it concerns; CTI events; time.
 */
import type { StreamContext } from "../protocol/dispatcher.js";
import type { CtiEvent } from "../qbe/link.js";
import type { SccpFields, SccpMessage } from "../sccp/codec.js";
import { SCCP_ID } from "../sccp/tables/messages.js";
import type { CloseReason } from "../wire/reassembly.js";
import { activeCall, findCall, onButtons, onCallInfo, onCallState, setState, target } from "./calls.js";
import { derivedOffHook, derivedOnHook, onLamp, onRinger, onStartTone } from "./derived.js";
import {
    attach,
    expire,
    inferRegistered,
    onAlarm,
    onKeepAlive,
    onRegister,
    onRegisterAck,
    onTimeDate,
    openConn,
    refused,
    scan,
    setLinkState,
    setPrimary,
    unregister,
} from "./devices.js";
import { markUncertain, onForward, onLineStat, touchDn } from "./lines.js";
import { cmSoftKeysFor, onSelectSoftKeys, onSoftKey, onStimulus } from "./presses.js";
import { mergeSets, mergeTemplate } from "./softkeys.js";
import {
    active,
    type Conn,
    type Device,
    emit,
    fact,
    LABEL_BUSY,
    learned,
    MAX_DIGITS,
    type ModelState,
    num,
    oldForm,
    STATE_CONNECTED,
    STATE_OFFHOOK,
    STATE_RINGOUT,
    text,
} from "./state.js";

/**
 * Messages that only a registered phone exchanges with its CallManager: seeing one on a connection makes it
 * the device's primary link (and the device registered, when the registration itself was not seen).
 */
const INFERS: readonly [Uint8Array, Uint8Array] = (() => {
    const up = new Uint8Array(0x200);
    for (const name of [
        "KeypadButton",
        "EnblocCall",
        "Stimulus",
        "OffHook",
        "OnHook",
        "HookFlash",
        "OpenReceiveChannelAck",
        "ConnectionStatisticsRes",
        "OffHookWithCallingPartyNumber",
        "SoftKeyEvent",
        "HeadsetStatus",
        "DeviceToUserData",
        "DeviceToUserDataResponse",
        "DeviceToUserDataVersion1",
        "DeviceToUserDataResponseVersion1",
        "StartMediaTransmissionAck",
        "StartMultiMediaTransmissionAck",
    ] as const)
        up[SCCP_ID[name]] = 1;
    const down = new Uint8Array(0x200).fill(1);
    for (const name of [
        "RegisterAck",
        "CapabilitiesReq",
        "RegisterReject",
        "Reset",
        "KeepAliveAck",
        "UnregisterAck",
        "VersionRes",
    ] as const)
        down[SCCP_ID[name]] = 0;
    return [up, down];
})();

function infers(dir: 0 | 1, id: number): boolean {
    return id < 0x200 ? INFERS[dir][id] === 1 : dir === 1 && id !== 0x8100 && id !== 0x8101;
}

/** One decoded SCCP message; dir 0 = phone → CallManager. */
export function onSccpMessage(s: ModelState, ctx: StreamContext, dir: 0 | 1, msg: SccpMessage, ts: number): void {
    s.counters.messages++;
    const c = s.conns.get(ctx.conn) ?? openConn(s, ctx.conn, ts);
    c.messages++;
    c.lastSeen = ts;
    if (c.device?.removed) {
        c.device = null;
        c.link = null;
    }
    const f = msg.fields;
    const id = msg.id;
    switch (id) {
        case SCCP_ID.RegisterReq:
            if (dir === 0) onRegister(s, c, f, ts);
            return;
        case SCCP_ID.KeepAliveReq:
            if (dir === 0) onKeepAlive(s, c, ts);
            return;
        case SCCP_ID.KeepAliveAck:
            return;
        case SCCP_ID.Alarm:
            onAlarm(s, c, f);
            return;
    }
    const d = attach(s, c, ts);
    d.lastSeen = ts;
    if (dir === 1) d.headerVersion = msg.hv;
    if (infers(dir, id)) {
        if (c.link !== d.primary) setPrimary(s, d, c.link!, ts, "traffic");
        if (!active(d.registration)) inferRegistered(s, d, c, ts);
    }
    if (dir === 0 && c.link === d.primary) d.lastPhoneRx = ts;
    if (dir === 0) fromPhone(s, d, id, f, ts);
    else fromCm(s, c, d, id, f, ts);
}

/** Bytes were lost on a connection: what it told us is no longer certain. */
export function onSccpGap(s: ModelState, ctx: StreamContext, ts: number): void {
    s.counters.gaps++;
    const c = s.conns.get(ctx.conn) ?? openConn(s, ctx.conn, ts);
    c.uncertain = true;
    const d = c.device;
    if (d !== null && !d.removed) markUncertain(s, d, ts);
}

/**
 * The connection ended. `reason` tells a real close (FIN,
 * RST) from the end of a capture file or an idle/evicted connection, which say nothing about the phone.
 */
export function onSccpClose(s: ModelState, ctx: StreamContext, ts: number, reason?: CloseReason): void {
    const c = s.conns.get(ctx.conn);
    const r = reason ?? null;
    if (c === undefined || c.messages === 0) {
        if (c !== undefined) s.conns.delete(ctx.conn);
        if (r === null || r === "fin" || r === "rst") refused(s, ctx.conn, ts);
        return;
    }
    s.conns.delete(ctx.conn);
    const d = c.device;
    const link = c.link;
    if (d === null || d.removed || link === null || link.conn !== c) return;
    link.conn = null;
    if (r === "end" || r === "idle" || r === "evicted") return;
    if (link === d.primary && active(d.registration)) {
        unregister(s, d, "connection-closed", ts);
    } else if (link.state === "up") {
        if (link === d.primary) d.primary = null;
        setLinkState(s, d, link, "down", ts, "connection-closed");
    }
}

/** One event of the CTI link observer (times in ms there). */
export function onCtiEvent(s: ModelState, e: CtiEvent): void {
    s.counters.ctiEvents++;
    const { dns, change } = s.cti.apply(e);
    const t = e.t / 1000;
    if (change !== null) {
        emit(s, {
            type: "CtiLinkChanged",
            t,
            session: change.session,
            from: change.from,
            to: change.to,
            reason: change.reason,
            statusFrom: change.statusFrom,
            status: change.status,
        });
    }
    for (const dn of dns) touchDn(s, dn, t);
}

/** Applies time-outs up to capture time `now` (s): keepalive loss, quiet standby links, stale leg index. */
export function tick(s: ModelState, now: number): void {
    if (now >= s.nextScan) scan(s, now);
    if (now >= s.nextExpiry) expire(s, now);
    if (s.legs.size > 0 && now >= s.nextLegPrune) {
        s.nextLegPrune = now + s.legWindow;
        for (const [key, list] of s.legs) {
            let w = 0;
            for (const c of list) {
                if (now - c.startedAt <= s.legWindow) list[w++] = c;
                else c.legKeys = null;
            }
            list.length = w;
            if (w === 0) s.legs.delete(key);
        }
    }
}

export function fromPhone(s: ModelState, d: Device, id: number, f: SccpFields, ts: number): void {
    switch (id) {
        case SCCP_ID.UnregisterReq:
            d.unregistering = true;
            return;
        case SCCP_ID.OffHook:
        case SCCP_ID.OffHookWithCallingPartyNumber:
            if (d.mode !== "callstate") derivedOffHook(s, d, num(f, "lineInstance") ?? 0, ts);
            return;
        case SCCP_ID.OnHook:
            if (d.mode !== "callstate")
                derivedOnHook(s, d, num(f, "lineInstance") ?? 0, num(f, "callReference") ?? 0, ts);
            return;
        case SCCP_ID.KeypadButton: {
            const k = num(f, "kpButton");
            const call = target(d, num(f, "lineInstance"), num(f, "callReference"));
            if (call === null || k === undefined || k > 0x10) return;
            const ch = k <= 9 ? String(k) : k <= 0x0d ? "ABCD"[k - 10]! : k === 0x0e ? "*" : k === 0x0f ? "#" : "+";
            const dialed = (call.dialed ?? "") + ch;
            call.dialed = dialed.length > MAX_DIGITS ? dialed.slice(-MAX_DIGITS) : dialed;
            return;
        }
        case SCCP_ID.EnblocCall: {
            const call = target(d, num(f, "lineInstance"), undefined);
            const n = text(f, "calledParty");
            if (call !== null && n !== null) call.dialed = n;
            return;
        }
        case SCCP_ID.SoftKeyEvent:
            onSoftKey(s, d, f, ts);
            return;
        case SCCP_ID.Stimulus:
            onStimulus(s, d, f, ts);
            return;
    }
}

export function fromCm(s: ModelState, c: Conn, d: Device, id: number, f: SccpFields, ts: number): void {
    switch (id) {
        case SCCP_ID.RegisterAck:
            onRegisterAck(s, c, d, f, ts);
            return;
        case SCCP_ID.RegisterReject:
            unregister(s, d, "rejected", ts);
            return;
        case SCCP_ID.UnregisterAck:
            if ((num(f, "status") ?? 0) === 0) unregister(s, d, "unregister", ts);
            return;
        case SCCP_ID.Reset: {
            const type = num(f, "resetType") ?? 1;
            if (type === 1 || type === 2) unregister(s, d, "reset", ts);
            return;
        }
        case SCCP_ID.ConfigStatRes:
        case SCCP_ID.ConfigStatV2Res:
            fact(s, d, "userName", text(f, "userName") ?? d.userName);
            fact(s, d, "serverName", text(f, "serverName") ?? d.serverName);
            return;
        case SCCP_ID.TimeDateRes:
            onTimeDate(s, d, f, ts);
            return;
        case SCCP_ID.ButtonTemplateRes:
            onButtons(s, d, f, ts);
            return;
        case SCCP_ID.LineStatRes:
        case SCCP_ID.LineStatV2Res:
            onLineStat(s, d, f, ts);
            return;
        case SCCP_ID.ForwardStatRes:
            onForward(s, d, f, ts);
            return;
        case SCCP_ID.SoftKeyTemplateRes: {
            fact(s, d, "template", mergeTemplate(d.template, f));
            const cm = cmSoftKeysFor(s, c.cm);
            if (cm.template !== d.template) {
                cm.template = d.template;
                cm.learnedAt = ts;
                learned(s);
            }
            return;
        }
        case SCCP_ID.SoftKeySetRes: {
            fact(s, d, "sets", mergeSets(d.sets, f));
            const cm = cmSoftKeysFor(s, c.cm);
            if (cm.sets !== d.sets) {
                cm.sets = d.sets;
                cm.learnedAt = ts;
                learned(s);
            }
            return;
        }
        case SCCP_ID.SelectSoftKeys:
            onSelectSoftKeys(s, d, f, ts);
            return;
        case SCCP_ID.CallState:
            onCallState(s, d, f, ts);
            return;
        case SCCP_ID.CallInfo:
        case SCCP_ID.CallInfoV2:
            onCallInfo(s, d, f, ts);
            return;
        case SCCP_ID.DialedNumber: {
            const call = target(d, num(f, "lineInstance"), num(f, "callReference"));
            const n = text(f, "dialedNumber");
            if (call !== null && n !== null) call.dialed = n;
            return;
        }
        case SCCP_ID.StartTone:
            onStartTone(s, d, f, ts);
            return;
        case SCCP_ID.StopTone: {
            if (num(f, "lineInstance") === undefined) oldForm(s, d);
            const call = target(d, num(f, "lineInstance"), num(f, "callReference"));
            if (call !== null) call.tone = null;
            return;
        }
        case SCCP_ID.SetRinger:
            onRinger(s, d, f, ts);
            return;
        case SCCP_ID.SetLamp:
            onLamp(s, d, f, ts);
            return;
        case SCCP_ID.DisplayPromptStatus:
        case SCCP_ID.DisplayPromptStatusV2: {
            const codes = f.promptStatusCodes;
            if (typeof codes !== "string" || !codes.includes(`\u0080${String.fromCharCode(LABEL_BUSY)}`)) return;
            const ref = num(f, "callReference") ?? 0;
            const call = ref === 0 ? null : findCall(d, num(f, "lineInstance") ?? 0, ref);
            if (call !== null) call.busySeen = true;
            return;
        }
        case SCCP_ID.StartMediaTransmission:
        case SCCP_ID.StartMediaReception:
        case SCCP_ID.OpenReceiveChannel:
            // Old CallManagers: media starting is how an answered call shows.
            if (d.mode !== "callstate") {
                const call = activeCall(d);
                if (
                    call !== null &&
                    (call.state === null || call.state === STATE_OFFHOOK || call.state === STATE_RINGOUT)
                ) {
                    setState(s, call, STATE_CONNECTED, "derived", ts);
                }
            }
            return;
    }
}
