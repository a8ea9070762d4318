/**
 * What a phone does: off hook, on hook, digits (keypad and enbloc, with digit analysis and the inter-digit
 * timer), softkeys and feature buttons (each reported as a `softKey` event), redial, consultative transfer
 * and Call Forward All set from the phone.
 */
import { Label, Lamp, label, Msg, Ring, Stimulus } from "../ids.js";
import { CallState, SoftKeySet, Tone } from "../types.js";
import { answer, endLeg, hangUp, hold, reorder, resume, route } from "./calls.js";
import { setForward } from "./directory.js";
import {
    activeLeg,
    addLeg,
    hintOthers,
    legByRef,
    legCount,
    openMedia,
    peerOf,
    ringingLeg,
    sendInfo,
    setState,
    startTone,
    stopTone,
    wireOf,
} from "./legs.js";
import { type Appearance, type CmState, type Device, type Leg, timer } from "./state.js";

/** Goes off hook on a line: a new originating (or call-forward setup) leg with dial tone. */
function newOffHook(s: CmState, d: Device, app: Appearance, role: "orig" | "cfwd" = "orig"): Leg {
    const leg = addLeg(s, app, role, CallState.OffHook);
    const w = wireOf(leg);
    if (w !== null) {
        w.setRinger(Ring.Off, 0, 0);
        w.speaker(true);
        w.setLamp(Stimulus.Line, app.line, Lamp.On);
        w.callState(CallState.OffHook, app.line, leg.ref);
        w.selectSoftKeys(app.line, leg.ref, SoftKeySet.OffHook);
        w.prompt(role === "cfwd" ? label(0x05) : label(Label.EnterNumber), app.line, leg.ref);
        w.activateCallPlane(app.line);
    }
    startTone(leg, Tone.InsideDialTone);
    hintOthers(s, leg);
    armDigitTimer(s, leg);
    void d;
    return leg;
}

function armDigitTimer(s: CmState, leg: Leg): void {
    s.clock.clearTimer(leg.timer);
    leg.timer = timer(s, s.opts.interDigitTimeoutMs, () => {
        leg.timer = null;
        if (!leg.app.legs.includes(leg) || leg.collected) return;
        if (leg.role === "cfwd" && leg.digits !== "") finishCfwd(s, leg, leg.digits);
        else if (leg.digits !== "" && s.dns.has(leg.digits)) route(s, leg, leg.digits);
        else reorder(s, leg, Label.UnknownNumber);
    });
}

export function offHook(s: CmState, d: Device, line: number, ref: number): void {
    const ringing = ringingLeg(d, ref);
    if (ringing !== null && activeLeg(d) === null) {
        answer(s, ringing);
        return;
    }
    if (activeLeg(d) !== null) return;
    const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
    if (app === undefined) return;
    newOffHook(s, d, app);
}

export function onHook(s: CmState, d: Device, ref: number): void {
    const leg = legByRef(d, ref) ?? activeLeg(d);
    if (leg === null || leg.role === "hint" || leg.held) return;
    if (leg.role === "term" && leg.state === CallState.RingIn) return;
    hangUp(s, leg);
}

export function keypad(s: CmState, d: Device, button: number, ref: number): void {
    const leg = legByRef(d, ref) ?? activeLeg(d);
    if (leg === null || leg.collected || (leg.role !== "orig" && leg.role !== "cfwd")) return;
    const ch = button <= 9 ? String(button) : button === 0x0e ? "*" : button === 0x0f ? "#" : "";
    if (ch === "") return;
    digit(s, leg, ch);
}

function digit(s: CmState, leg: Leg, ch: string): void {
    if (leg.digits === "") {
        stopTone(leg);
        wireOf(leg)?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.DigitsFollowing);
    }
    if (ch === "#") {
        if (leg.role === "cfwd") finishCfwd(s, leg, leg.digits);
        else if (s.dns.has(leg.digits)) route(s, leg, leg.digits);
        else reorder(s, leg, Label.UnknownNumber);
        return;
    }
    leg.digits += ch;
    if (s.dns.has(leg.digits)) {
        if (leg.role === "cfwd") finishCfwd(s, leg, leg.digits);
        else route(s, leg, leg.digits);
        return;
    }
    if (s.prefixes.has(leg.digits)) {
        armDigitTimer(s, leg);
        return;
    }
    if (leg.role === "cfwd") armDigitTimer(s, leg);
    else reorder(s, leg, Label.UnknownNumber);
}

export function enbloc(s: CmState, d: Device, number: string, line: number): void {
    let leg = activeLeg(d);
    if (leg === null) {
        const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
        if (app === undefined) return;
        leg = newOffHook(s, d, app);
    }
    if (leg.collected || (leg.role !== "orig" && leg.role !== "cfwd")) return;
    if (leg.digits === "") stopTone(leg);
    leg.digits = number;
    if (leg.role === "cfwd") finishCfwd(s, leg, number);
    else if (s.dns.has(number)) route(s, leg, number);
    else reorder(s, leg, Label.UnknownNumber);
}

export function softKey(s: CmState, d: Device, event: number, line: number, ref: number): void {
    const def = d.template.find((k) => k.event === event);
    const code = def?.code ?? -1;
    press(s, d, code, def?.label ?? `event ${event}`, event, line, ref);
    switch (code) {
        case 0x01: // Redial
            redial(s, d, line);
            return;
        case 0x02: {
            // NewCall
            const active = activeLeg(d);
            if (active !== null && active.state === CallState.Connected) hold(s, active);
            else if (active !== null) return;
            const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
            if (app !== undefined) newOffHook(s, d, app);
            return;
        }
        case 0x03: {
            const leg = legByRef(d, ref) ?? activeLeg(d);
            if (leg !== null) hold(s, leg);
            return;
        }
        case 0x04: {
            const leg = legByRef(d, ref) ?? activeLeg(d);
            if (leg !== null) transfer(s, leg);
            return;
        }
        case 0x05:
            cfwdAll(s, d, line);
            return;
        case 0x09: {
            const leg = legByRef(d, ref) ?? activeLeg(d);
            if (leg !== null && leg.role !== "hint") hangUp(s, leg);
            return;
        }
        case 0x0a: {
            const leg = legByRef(d, ref);
            if (leg !== null) resume(s, leg);
            return;
        }
        case 0x0b: {
            const leg = ringingLeg(d, ref);
            if (leg !== null) answer(s, leg);
            return;
        }
    }
}

export function pressStimulus(s: CmState, d: Device, stimulus: number, instance: number, ref: number): void {
    const labels: Record<number, string> = { 3: "Hold", 4: "Transfer", 5: "Cfwdall", 9: "Line", 134: "Callback" };
    press(s, d, 0x1000 + stimulus, labels[stimulus] ?? `stimulus ${stimulus}`, 0, instance, ref);
    switch (stimulus) {
        case Stimulus.Line: {
            const ringing = ringingLeg(d, 0);
            if (ringing !== null && ringing.app.line === instance && activeLeg(d) === null) {
                answer(s, ringing);
                return;
            }
            if (activeLeg(d) === null) offHook(s, d, instance, 0);
            return;
        }
        case Stimulus.Hold: {
            const leg = activeLeg(d);
            if (leg !== null) hold(s, leg);
            else {
                const held = d.apps.flatMap((a) => a.legs).find((l) => l.held);
                if (held !== undefined) resume(s, held);
            }
            return;
        }
        case Stimulus.Transfer: {
            const leg = activeLeg(d);
            if (leg !== null) transfer(s, leg);
            return;
        }
        case Stimulus.ForwardAll:
            cfwdAll(s, d, instance);
            return;
        case Stimulus.LastNumberRedial:
            redial(s, d, instance);
            return;
    }
}

function press(s: CmState, d: Device, code: number, name: string, event: number, line: number, ref: number): void {
    const leg = legByRef(d, ref);
    s.events.emit("softKey", {
        deviceName: d.name,
        labelCode: code,
        label: name,
        event,
        line,
        callRef: ref,
        callState: leg?.state ?? 0,
        tone: leg?.tone ?? 0,
        calledDn: leg?.call?.dialed ?? "",
    });
}

function redial(s: CmState, d: Device, line: number): void {
    if (d.lastDialed === "") return;
    let leg = activeLeg(d);
    if (leg === null) {
        const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
        if (app === undefined) return;
        leg = newOffHook(s, d, app);
    }
    if (leg.role !== "orig" || leg.collected || leg.digits !== "") return;
    stopTone(leg);
    leg.digits = d.lastDialed;
    route(s, leg, d.lastDialed);
}

/**
 * Consultative transfer: the first press holds the call and opens a consultation leg with dial tone;
 * the second press (on the consultation leg, ringing out or connected) joins the held party with the
 * consulted one and clears the transferring phone's two legs.
 */
function transfer(s: CmState, leg: Leg): void {
    const held = leg.transferFrom;
    if (held === null) {
        if (leg.state !== CallState.Connected || leg.call === null) return;
        hold(s, leg);
        const c = newOffHook(s, leg.app.device, leg.app);
        c.transferFrom = leg;
        return;
    }
    const consult = leg.call;
    const heldCall = held.call;
    if (consult === null || heldCall === null || !held.app.legs.includes(held)) return;
    if (consult.phase !== "connected" && consult.phase !== "alerting") return;
    const x = peerOf(held); // the party on hold
    if (x === null) return;
    // The held party takes over the consultation call in the transferring phone's place.
    held.call = null;
    heldCall.phase = "ended";
    s.calls.delete(heldCall);
    x.call = consult;
    if (x === heldCall.orig) x.role = "orig";
    consult.orig = x;
    x.transferFrom = null;
    leg.call = null;
    endLeg(s, leg);
    endLeg(s, held);
    if (consult.phase === "connected") {
        const t = consult.term as Leg;
        sendInfo(x);
        sendInfo(t);
        openMedia(s, x, t);
    } else {
        sendInfo(x);
        startTone(x, Tone.AlertingTone);
        setState(s, x, CallState.RingOut);
        wireOf(x)?.selectSoftKeys(x.app.line, x.ref, SoftKeySet.RingOut);
        for (const t of consult.alerting) sendInfo(t);
    }
}

function cfwdAll(s: CmState, d: Device, line: number): void {
    const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
    if (app === undefined) return;
    if (app.dn.forward.all !== "") {
        setForward(s, app.dn.dn, { all: "" });
        d.conn?.session.send(Msg.ClearNotify, {});
        if (legCount(d) === 0) d.conn?.wire.prompt(label(Label.YourCurrentOptions), 0, 0);
        return;
    }
    const active = activeLeg(d);
    if (active !== null) {
        if (active.role !== "orig" || active.call !== null || active.digits !== "") return;
        active.role = "cfwd";
        wireOf(active)?.prompt(label(0x05), active.app.line, active.ref);
        return;
    }
    newOffHook(s, d, app, "cfwd");
}

function finishCfwd(s: CmState, leg: Leg, target: string): void {
    const dn = leg.app.dn;
    endLeg(s, leg);
    if (target === "" || target === dn.dn) return;
    setForward(s, dn.dn, { all: target });
    const w = leg.app.device.conn?.wire;
    if (legCount(leg.app.device) === 0) w?.prompt(label(Label.ForwardedTo, ` ${target}`), 0, 0);
    w?.notify(0, label(Label.ForwardedTo, ` ${target}`));
}
