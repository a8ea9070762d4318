/**
 * Softkeys and the CallBack press: the softkey sets on screen, key presses (softkey or stimulus), the
 * CallBack press with what the call was showing, and the softkeys each CallManager sent.
 */
import type { SccpFields } from "../sccp/codec.js";
import { STIMULI, TONES } from "../sccp/tables/enums.js";
import { LABEL_CALLBACK } from "../sccp/tables/labels.js";
import { activeCall, endCall, findCall } from "./calls.js";
import { lineChanged, recoverDevice } from "./lines.js";
import { SET_ON_HOOK, slotOfEvent } from "./softkeys.js";
import {
    type Call,
    type CmSoftKeys,
    type Device,
    emit,
    MAX_CM_TEMPLATES,
    type ModelState,
    num,
    oldForm,
    STATE_BUSY,
    STATE_CONGESTION,
    STATE_RINGOUT,
    STIMULUS_CALLBACK,
    STIMULUS_LINE,
    stateName,
    TONE_BUSY,
    TONE_REORDER,
    TONE_RINGBACK,
} from "./state.js";
import type { CallBackTrigger, ClusterEvent } from "./types.js";
import { softKeysOf } from "./views.js";

export function cmSoftKeysFor(s: ModelState, cm: string): CmSoftKeys {
    let e = s.cmSoftKeys.get(cm);
    if (e === undefined) {
        if (s.cmSoftKeys.size >= MAX_CM_TEMPLATES) s.cmSoftKeys.delete(s.cmSoftKeys.keys().next().value as string);
        e = { template: null, sets: null, learnedAt: 0 };
        s.cmSoftKeys.set(cm, e);
    }
    return e;
}

export function onSelectSoftKeys(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const li = num(f, "lineInstance") ?? 0;
    const ref = num(f, "callReference") ?? 0;
    const set = num(f, "softKeySetIndex") ?? null;
    if (ref === 0) {
        d.idleSoftKeySet = set;
        // The idle screen: no call is up on the phone, so calls we were unsure about are gone.
        if (li === 0 && set === SET_ON_HOOK) idleScreen(s, d, ts);
        return;
    }
    const call = findCall(d, li, ref);
    if (call !== null) call.softKeySet = set;
}

export function idleScreen(s: ModelState, d: Device, ts: number): void {
    for (const l of d.lines) {
        if (!l) continue;
        for (const c of [...l.calls]) if (c.uncertain) endCall(s, c, ts);
        if (l.uncertain) {
            l.uncertain = false;
            lineChanged(s, l, ts);
        }
    }
    recoverDevice(d);
}

export function onSoftKey(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const event = num(f, "softKeyEvent") ?? 0;
    const li = num(f, "lineInstance") ?? 0;
    const ref = num(f, "callReference") ?? 0;
    const { template } = softKeysOf(s, d);
    const slot = template === null ? -1 : slotOfEvent(template, event);
    const code = slot < 0 ? null : template!.codes[slot]!;
    const label = slot < 0 ? null : template!.labels[slot]!;
    const call = ref === 0 ? null : findCall(d, li, ref);
    if (code === LABEL_CALLBACK) {
        callBack(s, d, li, ref, call, "softkey", ts);
        return;
    }
    pressed(s, d, call, ts, {
        line: li === 0 ? (call?.line.instance ?? null) : li,
        callRef: ref,
        event,
        label,
        labelCode: code,
        source: "softkey",
    });
}

export function onStimulus(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const stim = num(f, "stimulus") ?? 0;
    const li = num(f, "lineInstance") ?? 0;
    const ref = num(f, "callReference");
    if (ref === undefined) oldForm(s, d);
    const call =
        ref === undefined || ref === 0 ? (stim === STIMULUS_LINE ? null : activeCall(d)) : findCall(d, li, ref);
    if (stim === STIMULUS_CALLBACK) {
        callBack(s, d, li, call?.callRef ?? ref ?? 0, call, "stimulus", ts);
        return;
    }
    pressed(s, d, call, ts, {
        line: li === 0 ? null : li,
        callRef: ref ?? call?.callRef ?? 0,
        event: stim,
        label: STIMULI[stim] ?? null,
        labelCode: null,
        source: "stimulus",
    });
}

type PressEvent = Extract<ClusterEvent, { type: "SoftKeyPressed" }>;

/** A key other than CallBack (softkey or button): reported as it is, for the console and MQTT to show. */
function pressed(
    s: ModelState,
    d: Device,
    call: Call | null,
    ts: number,
    key: Pick<PressEvent, "line" | "callRef" | "event" | "label" | "labelCode" | "source">,
): void {
    emit(s, {
        type: "SoftKeyPressed",
        t: ts,
        device: d.key,
        name: d.name,
        ...key,
        callState: call?.state ?? null,
    });
}

export function callBack(
    s: ModelState,
    d: Device,
    li: number,
    ref: number,
    call: Call | null,
    source: "softkey" | "stimulus",
    ts: number,
): void {
    const line = call?.line ?? (li > 0 ? (d.lines[li] ?? null) : null);
    let callerDn = line?.dn ?? null;
    if (callerDn === null)
        for (const l of d.lines)
            if (l?.dn) {
                callerDn = l.dn;
                break;
            }
    let calledDn: string | null = null;
    if (call !== null && call.direction !== "inbound")
        calledDn = call.originalCalledParty ?? call.calledParty ?? call.dialed;
    const tone = call?.tone ?? null;
    emit(s, {
        type: "CallBackPressed",
        t: ts,
        device: d.key,
        name: d.name,
        ip: d.ip,
        line: line?.instance ?? (li > 0 ? li : null),
        callerDn,
        callRef: ref,
        callState: call?.state ?? null,
        callStateName: call === null ? null : stateName(call.state),
        calledDn,
        partyDn: call === null ? null : call.direction === "inbound" ? call.callingParty : calledDn,
        tone,
        toneName: tone === null ? null : (TONES[tone] ?? null),
        trigger: call === null ? null : trigger(call),
        source,
        softKeySet: call !== null ? call.softKeySet : ref === 0 ? d.idleSoftKeySet : null,
    });
}

export function trigger(c: Call): CallBackTrigger | null {
    const t = c.tone;
    if (t === TONE_BUSY || c.state === STATE_BUSY) return "busy";
    if (t === TONE_RINGBACK || c.state === STATE_RINGOUT) return "ringback";
    if (t === TONE_REORDER || c.state === STATE_CONGESTION) return "reorder";
    if (c.busySeen) return "busy";
    if (c.lastProgressTone === TONE_RINGBACK) return "ringback";
    if (c.lastProgressTone === TONE_REORDER) return "reorder";
    return null;
}
