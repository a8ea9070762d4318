/**
 * State derived for old CallManagers (2.x) that never send CallState: calls from hook, tones, ringer
 * and line lamps.
 */
import type { SccpFields } from "../sccp/codec.js";
import { activeCall, endCall, findCall, newCall, setState, target } from "./calls.js";
import { line, lineChanged, recoverDevice } from "./lines.js";
import {
    type Call,
    type Device,
    LAMP_BLINK,
    LAMP_FLASH,
    LAMP_OFF,
    LAMP_ON,
    LAMP_WINK,
    type ModelState,
    num,
    oldForm,
    STATE_BUSY,
    STATE_CONGESTION,
    STATE_CONNECTED,
    STATE_HOLD,
    STATE_OFFHOOK,
    STATE_PROCEED,
    STATE_RINGIN,
    STATE_RINGOUT,
    STIMULUS_LINE,
    TONE_BUSY,
    TONE_DIAL,
    TONE_REORDER,
    TONE_RINGBACK,
} from "./state.js";

export function onStartTone(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const tone = num(f, "tone") ?? 0;
    const li = num(f, "lineInstance");
    if (li === undefined) oldForm(s, d);
    let call = target(d, li, num(f, "callReference"));
    if (call === null && d.mode !== "callstate" && tone === TONE_DIAL) {
        const l = line(s, d, li !== undefined && li > 0 ? li : 1, true);
        if (l !== null) call = newCall(s, l, num(f, "callReference") ?? 0, STATE_OFFHOOK, "derived", ts);
        if (call !== null) lineChanged(s, call.line, ts);
    }
    if (call === null) return;
    call.tone = tone;
    if (tone === TONE_BUSY || tone === TONE_RINGBACK || tone === TONE_REORDER) call.lastProgressTone = tone;
    if (tone === TONE_BUSY) call.busySeen = true;
    if (d.mode === "callstate") return;
    const pre =
        call.state === null ||
        call.state === STATE_OFFHOOK ||
        call.state === STATE_RINGOUT ||
        call.state === STATE_PROCEED;
    if (!pre) return;
    if (tone === TONE_RINGBACK) setState(s, call, STATE_RINGOUT, "derived", ts);
    else if (tone === TONE_BUSY) setState(s, call, STATE_BUSY, "derived", ts);
    else if (tone === TONE_REORDER) setState(s, call, STATE_CONGESTION, "derived", ts);
}

export function onRinger(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const li = num(f, "lineInstance");
    if (li === undefined) oldForm(s, d);
    if (d.mode === "callstate") return;
    const mode = num(f, "ringMode") ?? 1;
    if (mode <= 1) return;
    const l = line(s, d, li !== undefined && li > 0 ? li : 1, true);
    if (l === null) return;
    const last = l.calls[l.calls.length - 1];
    // A call known only from its CallInfo is the one ringing in.
    if (last !== undefined) {
        if (last.state === null) setState(s, last, STATE_RINGIN, "derived", ts);
        return;
    }
    const call = newCall(s, l, num(f, "callReference") ?? 0, STATE_RINGIN, "derived", ts);
    lineChanged(s, call.line, ts);
}

export function onLamp(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    if (d.mode === "callstate" || num(f, "stimulus") !== STIMULUS_LINE) return;
    const l = line(s, d, num(f, "stimulusInstance") ?? 0, true);
    if (l === null) return;
    const mode = num(f, "lampMode") ?? 0;
    // On an old CallManager the line lamp is the authoritative line state.
    const wasUncertain = l.uncertain;
    l.uncertain = false;
    const call = l.calls[l.calls.length - 1] ?? null;
    if (mode === LAMP_OFF) {
        for (const c of [...l.calls]) endCall(s, c, ts);
    } else if (mode === LAMP_ON) {
        if (call === null) newCall(s, l, 0, STATE_OFFHOOK, "derived", ts);
        else if (call.state === null || call.state === STATE_RINGIN || call.state === STATE_HOLD) {
            setState(s, call, STATE_CONNECTED, "derived", ts);
        } else call.uncertain = false;
    } else if (mode === LAMP_WINK || mode === LAMP_FLASH) {
        if (call === null) newCall(s, l, 0, STATE_HOLD, "derived", ts);
        else setState(s, call, STATE_HOLD, "derived", ts);
    } else if (mode === LAMP_BLINK) {
        if (call === null) newCall(s, l, 0, STATE_RINGIN, "derived", ts);
        else if (call.state === null) setState(s, call, STATE_RINGIN, "derived", ts);
        else call.uncertain = false;
    }
    if (wasUncertain) recoverDevice(d);
    lineChanged(s, l, ts);
}

export function derivedOffHook(s: ModelState, d: Device, li: number, ts: number): void {
    let ringing: Call | null = null;
    for (const l of d.lines)
        if (l && (li === 0 || l.instance === li)) for (const c of l.calls) if (c.state === STATE_RINGIN) ringing = c;
    if (ringing !== null) {
        setState(s, ringing, STATE_CONNECTED, "derived", ts);
        return;
    }
    const l = line(s, d, li > 0 ? li : 1, true);
    if (l === null || l.calls.some((c) => c.state !== STATE_HOLD)) return;
    newCall(s, l, 0, STATE_OFFHOOK, "derived", ts);
    lineChanged(s, l, ts);
}

export function derivedOnHook(s: ModelState, d: Device, li: number, ref: number, ts: number): void {
    let call: Call | null = ref !== 0 ? findCall(d, li, ref) : null;
    if (call === null) {
        call = activeCall(d);
        if (call !== null && call.state === STATE_HOLD) call = null;
    }
    if (call !== null) endCall(s, call, ts);
}
