/**
 * What a user does: hook, dialing (keypad digits paced by the inter-digit pause, or enbloc), softkeys by
 * label, XSI `Key:` names, feature buttons, hold, resume and transfer.
 */
import { SimError } from "../errors.js";
import { Stimulus } from "../ids.js";
import { CallState } from "../types.js";
import { activeCall, canPress, findKey, isVisible } from "./screen.js";
import { callList, isRinging, needPrimary, type PhoneState, run } from "./state.js";

/** Lifts the handset (answers a ringing call, else dial tone on `line`). */
export function offHook(s: PhoneState, line = 1): void {
    const p = needPrimary(s);
    run(s, () => {
        s.hookOff = true;
        const ringing = callList(s).find((c) => c.state === CallState.RingIn);
        p.wire.offHook(ringing?.line ?? line, ringing?.callRef ?? 0);
    });
}

/** Hangs up. */
export function onHook(s: PhoneState): void {
    const p = needPrimary(s);
    run(s, () => {
        s.hookOff = false;
        s.pendingDigits = "";
        const active = activeCall(s);
        p.wire.onHook(active?.line ?? 0, active?.callRef ?? 0);
    });
}

/** Answers the ringing call (Answer softkey on softkey phones, off hook otherwise). */
export function answer(s: PhoneState): void {
    if (s.info.softKeys && s.gen !== "cm2" && s.template.length > 0) {
        const ringing = callList(s).find((c) => c.state === CallState.RingIn);
        if (ringing !== undefined && activeCall(s) !== null) {
            pressSoftKey(s, "Answer", { line: ringing.line, callRef: ringing.callRef, force: true });
            return;
        }
    }
    offHook(s);
}

/** Ends the current call (EndCall softkey when shown, else on hook). */
export function hangUp(s: PhoneState): void {
    if (canPress(s, "Endcall")) pressSoftKey(s, "EndCall");
    else onHook(s);
}

/** Goes off hook when idle, then dials `number` (SimPhoneView.dial: XSI `Dial:` URIs). */
export function dial(s: PhoneState, number: string): void {
    const p = needPrimary(s);
    run(s, () => {
        const active = activeCall(s);
        if (s.opts.dialMode === "enbloc") {
            if (active === null) {
                s.hookOff = true;
                p.wire.offHook(1, 0);
            }
            p.wire.enbloc(number, active?.line ?? 1);
            return;
        }
        s.pendingDigits += number;
        if (s.gen === "cm2" && s.hookOff) sendDigits(s);
        else if (active === null) {
            const newCall = findKey(s, "NewCall");
            if (isRinging(s) && newCall >= 0) {
                // Lifting the handset would answer: dial out on a new call instead.
                p.wire.softKeyEvent(s.template[newCall]?.event ?? 2, 1, 0);
            } else {
                s.hookOff = true;
                p.wire.offHook(1, 0);
            }
        } else if (active.state === CallState.OffHook || active.state === CallState.Proceed) sendDigits(s);
    });
}

/** Presses keypad keys (0-9, *, #) on the current call. */
export function keypad(s: PhoneState, keys: string): void {
    needPrimary(s);
    run(s, () => {
        s.pendingDigits += keys;
        sendDigits(s);
    });
}

export function sendDigits(s: PhoneState): void {
    const p = s.primary;
    if (p === null || s.pendingDigits === "" || s.dialTimer !== null) return;
    const call = activeCall(s);
    const gap = s.opts.interDigitMs ?? 0;
    const sendOne = (): void => {
        const ch = s.pendingDigits[0] as string;
        s.pendingDigits = s.pendingDigits.slice(1);
        const kp = ch === "*" ? 0x0e : ch === "#" ? 0x0f : Number(ch);
        if (Number.isInteger(kp)) p.wire.keypad(kp, call?.line ?? 1, call?.callRef ?? 0);
    };
    if (gap <= 0) {
        while (s.pendingDigits !== "") {
            sendOne();
            p.session.flush();
        }
        return;
    }
    const step = (): void => {
        s.dialTimer = null;
        if (s.pendingDigits === "" || s.primary !== p) return;
        run(s, sendOne);
        if (s.pendingDigits !== "") s.dialTimer = s.clock.setTimer(gap, step);
    };
    sendOne();
    if (s.pendingDigits !== "") s.dialTimer = s.clock.setTimer(gap, step);
}

/**
 * Presses a softkey by label ("CallBack", "EndCall", "NewCall", ...; case-insensitive, matched against
 * the learned template). The SoftKeyEvent carries the template's event number and the line and call
 * reference of the visible set unless given. Throws SIM_SOFTKEY_NOT_SHOWN when the key is not on
 * screen (unless `force`), SIM_NO_SUCH_SOFTKEY when the template lacks it.
 */
export function pressSoftKey(
    s: PhoneState,
    labelName: string,
    options: { line?: number; callRef?: number; force?: boolean } = {},
): void {
    const p = needPrimary(s);
    if (!s.info.softKeys) {
        throw new SimError("SIM_NO_SOFTKEYS", `${s.deviceName} (${s.info.model}) has no softkeys`);
    }
    const i = findKey(s, labelName);
    const key = s.template[i];
    if (key === undefined) {
        throw new SimError("SIM_NO_SUCH_SOFTKEY", `${s.deviceName}: no softkey "${labelName}" in the template`, {
            template: s.template.map((k) => k.label),
        });
    }
    if (options.force !== true && !isVisible(s, i + 1)) {
        throw new SimError("SIM_SOFTKEY_NOT_SHOWN", `${s.deviceName}: softkey "${labelName}" is not shown`, {
            set: s.softKeys.set,
            shown: s.softKeys.labels.filter((l) => l !== ""),
        });
    }
    const line = options.line ?? s.softKeys.line;
    const ref = options.callRef ?? s.softKeys.callRef;
    run(s, () => p.wire.softKeyEvent(key.event, line, ref));
}

/**
 * Presses a key by its XSI `Key:` name: SoftN (N-th visible softkey), KeyPad0-9 / KeyPadStar /
 * KeyPadPound, LineN, Speaker / Headset (toggle the hook), Hold. Unknown names are ignored.
 */
export function pressKey(s: PhoneState, name: string): void {
    let m = /^Soft(\d)$/i.exec(name);
    if (m !== null) {
        const label = s.softKeys.labels[Number(m[1]) - 1];
        if (label !== undefined && label !== "") pressSoftKey(s, label);
        return;
    }
    m = /^KeyPad(\d|Star|Pound)$/i.exec(name);
    if (m !== null) {
        const k = (m[1] as string).toLowerCase();
        const key = k === "star" ? "*" : k === "pound" ? "#" : k;
        if (activeCall(s) === null) dial(s, key);
        else keypad(s, key);
        return;
    }
    m = /^Line(\d)$/i.exec(name);
    if (m !== null) {
        pressButton(s, Stimulus.Line, Number(m[1]));
        return;
    }
    if (/^(Speaker|Headset)$/i.test(name)) {
        if (s.hookOff || activeCall(s) !== null) onHook(s);
        else offHook(s);
    } else if (/^Hold$/i.test(name)) hold(s);
}

/** Presses a feature button (Stimulus): e.g. Stimulus.Line with the line, Stimulus.CallBack. */
export function pressButton(s: PhoneState, stimulus: number, instance = 1): void {
    const p = needPrimary(s);
    const active = activeCall(s);
    run(s, () => p.wire.stimulus(stimulus, instance, active?.callRef ?? 0));
}

/** Holds the current call (Hold softkey, or the Hold button on phones without softkeys). */
export function hold(s: PhoneState): void {
    if (s.info.softKeys && canPress(s, "Hold")) pressSoftKey(s, "Hold");
    else pressButton(s, Stimulus.Hold);
}

/** Resumes the held call. */
export function resume(s: PhoneState): void {
    const held = callList(s).find((c) => c.state === CallState.Hold);
    if (held === undefined) return;
    if (s.info.softKeys) pressSoftKey(s, "Resume", { line: held.line, callRef: held.callRef, force: true });
    else pressButton(s, Stimulus.Hold);
}

/** Presses Transfer on the current call (first press consults, second completes). */
export function transfer(s: PhoneState): void {
    const active = activeCall(s);
    if (s.info.softKeys) {
        pressSoftKey(s, "Transfer", { line: active?.line ?? 1, callRef: active?.callRef ?? 0, force: true });
    } else pressButton(s, Stimulus.Transfer);
}
