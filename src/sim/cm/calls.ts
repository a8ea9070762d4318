/**
 * Switching: routes a dialed number (forward all, busy, no answer; busy triggers of shared numbers),
 * rings the appearances, answers, holds and resumes, and clears calls with CM 4.1's on-hook sequence,
 * also when a device goes away.
 */
import { localTime } from "../dialect.js";
import { Label, Lamp, label, Ring, Stimulus } from "../ids.js";
import { CallState, SoftKeySet, Tone } from "../types.js";
import {
    activeLeg,
    addLeg,
    callInfo,
    clearHints,
    closeMedia,
    dropHint,
    hintOthers,
    legCount,
    legEvent,
    newMedia,
    openMedia,
    peerOf,
    removeLeg,
    sendInfo,
    setState,
    startTone,
    stopTone,
    wireOf,
} from "./legs.js";
import { type Appearance, type Call, type CmState, type DnRecord, type Leg, type Redirect, timer } from "./state.js";

const CONNECTED_MASK = 0xfffffdff;
const FORWARD_REASON = { busy: 1, noAnswer: 2, all: 15 } as const;

export function route(s: CmState, leg: Leg, dialed: string): void {
    s.clock.clearTimer(leg.timer);
    leg.timer = null;
    leg.collected = true;
    const d = leg.app.device;
    d.lastDialed = dialed;
    const call: Call = {
        id: ++s.callIds,
        orig: leg,
        dialed,
        target: s.dns.get(dialed) ?? null,
        term: null,
        alerting: [],
        phase: "routing",
        original: null,
        last: null,
        timer: null,
    };
    leg.call = call;
    s.calls.add(call);
    s.stats.calls++;
    s.events.emit("callStarted", leg.app.dn.dn, dialed);
    wireOf(leg)?.dialedNumber(dialed, leg.app.line, leg.ref);
    setState(s, leg, CallState.Proceed);
    sendInfo(leg);
    deliver(s, call, call.target, 0);
}

function redirect(s: CmState, call: Call, from: DnRecord, to: string, reason: number): DnRecord | null {
    const r: Redirect = { dn: from, reason };
    if (call.original === null) call.original = r;
    call.last = r;
    call.target = s.dns.get(to) ?? null;
    return call.target;
}

function busyCount(dn: DnRecord): number {
    const calls = new Set<Call | Leg>();
    for (const app of dn.apps)
        for (const l of app.legs) {
            if (l.role === "hint") continue;
            calls.add(l.call ?? l);
        }
    return calls.size;
}

function deliver(s: CmState, call: Call, dn: DnRecord | null, hops: number): void {
    const leg = call.orig;
    if (dn === null) {
        reorder(s, leg, Label.UnknownNumber);
        return;
    }
    const fwd = dn.forward;
    if (fwd.all !== "" && hops < 5 && fwd.all !== leg.app.dn.dn) {
        deliver(s, call, redirect(s, call, dn, fwd.all, FORWARD_REASON.all), hops + 1);
        return;
    }
    const apps = dn.apps.filter((a) => a.device.conn?.registered === true && a.device !== leg.app.device);
    if (apps.length === 0) {
        if (fwd.noAnswer !== "" && hops < 5) {
            deliver(s, call, redirect(s, call, dn, fwd.noAnswer, FORWARD_REASON.noAnswer), hops + 1);
        } else reorder(s, leg, Label.TempFail);
        return;
    }
    if (busyCount(dn) >= dn.busyTrigger) {
        if (fwd.busy !== "" && hops < 5) {
            deliver(s, call, redirect(s, call, dn, fwd.busy, FORWARD_REASON.busy), hops + 1);
        } else signalBusy(s, call);
        return;
    }
    alert(s, call, dn, apps);
}

function signalBusy(s: CmState, call: Call): void {
    const leg = call.orig;
    call.phase = "busy";
    if (call.original !== null) sendInfo(leg);
    const sig = s.opts.busySignal;
    if (sig !== "state") startTone(leg, Tone.LineBusyTone);
    if (sig !== "tone") setState(s, leg, CallState.Busy);
    else {
        leg.state = CallState.Busy;
        legEvent(s, leg, false);
    }
    const w = wireOf(leg);
    w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.RingOut);
    w?.prompt(label(Label.Busy), leg.app.line, leg.ref);
}

export function reorder(s: CmState, leg: Leg, why: number): void {
    s.clock.clearTimer(leg.timer);
    leg.timer = null;
    leg.collected = true;
    if (leg.call !== null) leg.call.phase = "reorder";
    startTone(leg, Tone.ReorderTone);
    wireOf(leg)?.prompt(label(why), leg.app.line, leg.ref);
}

function alert(s: CmState, call: Call, dn: DnRecord, apps: Appearance[]): void {
    const leg = call.orig;
    call.phase = "alerting";
    call.target = dn;
    sendInfo(leg);
    startTone(leg, Tone.AlertingTone);
    setState(s, leg, CallState.RingOut);
    const w = wireOf(leg);
    w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.RingOut);
    w?.prompt(label(Label.RingOut), leg.app.line, leg.ref);
    for (const app of apps) {
        // A shared-line hint on this appearance gives way to the ringing call.
        for (const h of [...app.legs]) if (h.role === "hint") dropHint(s, h);
        const t = addLeg(s, app, "term", CallState.RingIn);
        t.call = call;
        call.alerting.push(t);
        const tw = wireOf(t);
        const busy = activeLeg(app.device);
        tw?.callState(CallState.RingIn, app.line, t.ref);
        tw?.selectSoftKeys(app.line, t.ref, SoftKeySet.RingIn);
        tw?.prompt(label(Label.From, call.orig.app.dn.dn), app.line, t.ref);
        if (busy === null) tw?.priNotify(10, 5, label(Label.From, call.orig.app.dn.dn));
        tw?.callInfo(callInfo(t, call));
        tw?.setLamp(Stimulus.Line, app.line, Lamp.Blink);
        if (busy === null) tw?.setRinger(Ring.Inside, app.line, t.ref);
        else wireOf(busy)?.startTone(Tone.CallWaitingTone, busy.app.line, busy.ref);
    }
    const ms = s.opts.noAnswerTimeoutMs;
    if (ms > 0) call.timer = timer(s, ms, () => noAnswer(s, call));
}

function noAnswer(s: CmState, call: Call): void {
    call.timer = null;
    if (call.phase !== "alerting" || call.target === null) return;
    const from = call.target;
    for (const t of [...call.alerting]) cancelRinging(s, t);
    call.alerting = [];
    if (from.forward.noAnswer !== "") {
        deliver(s, call, redirect(s, call, from, from.forward.noAnswer, FORWARD_REASON.noAnswer), 1);
        return;
    }
    call.phase = "reorder";
    startTone(call.orig, Tone.ReorderTone);
}

/** Stops a ringing leg that was not answered (caller gave up, timeout, answered elsewhere). */
function cancelRinging(s: CmState, t: Leg): void {
    removeLeg(s, t);
    const w = wireOf(t);
    if (w === null) return;
    const others = legCount(t.app.device);
    const active = activeLeg(t.app.device);
    if (active === null) w.setRinger(Ring.Off, t.app.line, t.ref);
    else w.stopTone(active.app.line, active.ref);
    if (!t.app.legs.some((l) => l.role !== "hint")) w.setLamp(Stimulus.Line, t.app.line, Lamp.Off);
    w.clearPrompt(t.app.line, t.ref);
    w.callState(CallState.OnHook, t.app.line, t.ref);
    if (others === 0) {
        w.selectSoftKeys(0, 0, SoftKeySet.OnHook);
        w.prompt(label(Label.YourCurrentOptions), 0, 0);
    }
}

export function answer(s: CmState, t: Leg): void {
    const call = t.call;
    if (call === null || call.phase !== "alerting" || t.state !== CallState.RingIn) return;
    s.clock.clearTimer(call.timer);
    call.timer = null;
    const d = t.app.device;
    const active = activeLeg(d);
    if (active !== null) {
        if (active.state === CallState.Connected) hold(s, active);
        else return;
    }
    call.term = t;
    call.phase = "connected";
    for (const other of call.alerting) {
        if (other === t) continue;
        if (other.app.dn === t.app.dn) {
            // Shared line answered elsewhere: this appearance now shows the call in use remotely.
            other.role = "hint";
            other.call = null;
            other.state = CallState.CallRemoteMultiline;
            legEvent(s, other, false);
            const w = wireOf(other);
            if (activeLeg(other.app.device) === null) w?.setRinger(Ring.Off, other.app.line, other.ref);
            w?.callState(CallState.CallRemoteMultiline, other.app.line, other.ref);
            w?.selectSoftKeys(other.app.line, other.ref, SoftKeySet.InUseHint);
            w?.setLamp(Stimulus.Line, other.app.line, Lamp.On);
            w?.prompt(label(Label.InUseRemote), other.app.line, other.ref);
            t.hints.push(other);
        } else cancelRinging(s, other);
    }
    call.alerting = [];
    const w = wireOf(t);
    const line = t.app.line;
    if (w !== null) {
        if (active === null) {
            w.setRinger(Ring.Off, 0, 0);
            w.speaker(true);
            w.setLamp(Stimulus.Line, line, Lamp.On);
            w.callState(CallState.OffHook, line, t.ref);
            w.activateCallPlane(line);
            w.setRinger(Ring.Off, line, t.ref);
        } else w.setLamp(Stimulus.Line, line, Lamp.On);
        w.stopTone(line, t.ref);
    }
    connectLeg(s, t, call);
    const o = call.orig;
    stopTone(o);
    connectLeg(s, o, call);
    openMedia(s, t, o);
    hintOthers(s, t);
}

/** Connected state, softkeys, prompt and CallInfo of one leg. */
function connectLeg(s: CmState, leg: Leg, call: Call): void {
    leg.tone = 0;
    if (s.opts.media) {
        leg.media = newMedia(s, leg);
        wireOf(leg)?.openReceiveChannel(leg.media);
    }
    setState(s, leg, CallState.Connected);
    const w = wireOf(leg);
    w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.Connected, CONNECTED_MASK);
    w?.prompt(label(Label.Connected), leg.app.line, leg.ref);
    w?.callInfo(callInfo(leg, call));
}

export function hold(s: CmState, leg: Leg): void {
    if (leg.state !== CallState.Connected || leg.held) return;
    const peer = peerOf(leg);
    closeMedia(leg);
    if (peer !== null) closeMedia(peer);
    leg.held = true;
    setState(s, leg, CallState.Hold);
    const w = wireOf(leg);
    w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.OnHold);
    w?.setLamp(Stimulus.Line, leg.app.line, Lamp.Wink);
    w?.prompt(label(Label.Hold), leg.app.line, leg.ref);
}

export function resume(s: CmState, leg: Leg): void {
    if (!leg.held || leg.call === null) return;
    const active = activeLeg(leg.app.device);
    if (active !== null) {
        if (active.state === CallState.Connected) hold(s, active);
        else hangUp(s, active);
    }
    leg.held = false;
    wireOf(leg)?.setLamp(Stimulus.Line, leg.app.line, Lamp.On);
    connectLeg(s, leg, leg.call);
    const peer = peerOf(leg);
    if (peer !== null && s.opts.media) {
        peer.media = newMedia(s, peer);
        wireOf(peer)?.openReceiveChannel(peer.media);
        openMedia(s, leg, peer);
    }
}

/** A phone hangs up one of its legs. */
export function hangUp(s: CmState, leg: Leg): void {
    const call = leg.call;
    if (call === null) {
        endLeg(s, leg);
        return;
    }
    if (leg === call.orig) {
        for (const t of [...call.alerting]) cancelRinging(s, t);
        call.alerting = [];
        const term = call.term;
        endCall(s, call);
        endLeg(s, leg);
        if (term !== null) endLeg(s, term);
        return;
    }
    if (leg === call.term) {
        endCall(s, call);
        endLeg(s, leg);
        endLeg(s, call.orig);
    }
}

function endCall(s: CmState, call: Call): void {
    if (call.phase === "ended") return;
    call.phase = "ended";
    s.clock.clearTimer(call.timer);
    call.timer = null;
    s.calls.delete(call);
    s.events.emit("callEnded", call.orig.app.dn.dn, call.dialed);
}

/** Clears one leg on its phone with CM 4.1's on-hook sequence. */
export function endLeg(s: CmState, leg: Leg): void {
    if (!leg.app.legs.includes(leg)) return;
    removeLeg(s, leg);
    clearHints(s, leg);
    leg.call = null;
    const d = leg.app.device;
    const w = wireOf(leg);
    if (w === null) return;
    const line = leg.app.line;
    leg.tone = 0;
    w.stopTone(line, leg.ref);
    const lineBusy = leg.app.legs.some((l) => l.role !== "hint");
    if (!lineBusy) w.setLamp(Stimulus.Line, line, Lamp.Off);
    w.clearPrompt(line, leg.ref);
    closeMedia(leg);
    w.callState(CallState.OnHook, line, leg.ref);
    leg.state = CallState.OnHook;
    const rest = d.apps.flatMap((a) => a.legs);
    if (rest.length === 0) {
        w.selectSoftKeys(0, 0, SoftKeySet.OnHook);
        w.timeDate(localTime(s.clock.now(), d.timeZone));
        w.speaker(false);
        w.setRinger(Ring.Off, 0, 0);
        return;
    }
    const held = rest.find((l) => l.held);
    const ringing = rest.find((l) => l.role === "term" && l.state === CallState.RingIn);
    if (activeLeg(d) === null) {
        w.speaker(false);
        if (ringing !== undefined) {
            w.selectSoftKeys(ringing.app.line, ringing.ref, SoftKeySet.RingIn);
            w.setRinger(Ring.Inside, ringing.app.line, ringing.ref);
        } else if (held !== undefined) w.selectSoftKeys(held.app.line, held.ref, SoftKeySet.OnHold);
    }
}

/** The device of a leg went away (link lost): clear the calls it took part in. */
export function deviceGone(s: CmState, leg: Leg): void {
    removeLeg(s, leg);
    clearHints(s, leg);
    const call = leg.call;
    leg.call = null;
    if (call === null || call.phase === "ended") return;
    if (leg === call.orig) {
        for (const t of [...call.alerting]) cancelRinging(s, t);
        call.alerting = [];
        const term = call.term;
        endCall(s, call);
        if (term !== null) endLeg(s, term);
        return;
    }
    const i = call.alerting.indexOf(leg);
    if (i >= 0) {
        call.alerting.splice(i, 1);
        if (call.alerting.length === 0) noAnswer(s, call);
        return;
    }
    if (leg === call.term) {
        endCall(s, call);
        endLeg(s, call.orig);
    }
}
