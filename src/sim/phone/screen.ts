/**
 * What the phone shows: applies the CallManager's display, call, tone, lamp and ringer messages to the
 * state (with the events tests wait for), and finds softkeys in the learned template and visible set.
 */
import type { SccpMessage } from "../../sccp/index.js";
import { num, text } from "../dialect.js";
import { Msg } from "../ids.js";
import { CallState } from "../types.js";
import { callList, type PhoneState } from "./state.js";
import type { PhoneCall } from "./types.js";

function normalizeLabel(s: string): string {
    return s.toLowerCase().replace(/[\s_-]/g, "");
}

export function showMessage(s: PhoneState, msg: SccpMessage): void {
    const f = msg.fields;
    switch (msg.id) {
        case Msg.CallState: {
            const ref = num(f, "callReference");
            const state = num(f, "callState");
            const line = num(f, "lineInstance");
            if (state === CallState.OnHook) s.calls.delete(ref);
            else {
                const c = s.calls.get(ref);
                if (c === undefined) {
                    s.calls.set(ref, { line, callRef: ref, state, tone: 0, info: null, dialed: "" });
                } else c.state = state;
            }
            s.events.emit("callState", line, ref, state);
            if (state === CallState.RingIn) s.events.emit("ringing", line, ref);
            // Dial once the whole burst (dial tone included) has been handled.
            if (state === CallState.OffHook && s.pendingDigits !== "") s.dialAfterBurst = true;
            return;
        }
        case Msg.SelectSoftKeys: {
            const set = num(f, "softKeySetIndex");
            const mask = num(f, "validKeyMask");
            const slots = s.sets[set]?.template ?? [];
            const labels = slots.map((idx, k) =>
                idx > 0 && ((mask >>> k) & 1) === 1 ? (s.template[idx - 1]?.label ?? "") : "",
            );
            while (labels.length > 0 && labels[labels.length - 1] === "") labels.pop();
            s.softKeys = { line: num(f, "lineInstance"), callRef: num(f, "callReference"), set, mask, labels };
            s.events.emit("softKeys", set, labels);
            return;
        }
        case Msg.DisplayPromptStatus:
        case Msg.DisplayPromptStatusV2:
            s.prompt = text(f, "promptStatus");
            s.events.emit("display", "prompt", s.prompt);
            return;
        case Msg.ClearPromptStatus:
            s.prompt = "";
            s.events.emit("display", "prompt", "");
            return;
        case Msg.DisplayNotify:
        case Msg.DisplayNotifyV2:
            s.notify = text(f, "notify");
            s.events.emit("display", "notify", s.notify);
            return;
        case Msg.ClearNotify:
            s.notify = "";
            return;
        case Msg.DisplayPriNotify:
        case Msg.DisplayPriNotifyV2:
            s.priNotify = text(f, "notify");
            s.events.emit("display", "priNotify", s.priNotify);
            return;
        case Msg.ClearPriNotify:
            s.priNotify = "";
            return;
        case Msg.DisplayText:
            s.text = text(f, "text");
            s.events.emit("display", "text", s.text);
            return;
        case Msg.ClearDisplay:
            s.text = "";
            return;
        case Msg.StartTone: {
            s.tone = num(f, "tone");
            // Old CallManagers send no CallState: dial tone is the cue to dial.
            if (s.gen === "cm2" && s.tone === 0x21 && s.pendingDigits !== "") s.dialAfterBurst = true;
            const c = s.calls.get(num(f, "callReference"));
            if (c !== undefined) c.tone = s.tone;
            s.events.emit("tone", s.tone, num(f, "lineInstance"), num(f, "callReference"));
            return;
        }
        case Msg.StopTone: {
            s.tone = 0;
            const c = s.calls.get(num(f, "callReference"));
            if (c !== undefined) c.tone = 0;
            s.events.emit("tone", 0x7f, num(f, "lineInstance"), num(f, "callReference"));
            return;
        }
        case Msg.SetRinger:
            s.ringer = num(f, "ringMode");
            return;
        case Msg.SetLamp:
            s.lamps.set(`${num(f, "stimulus")}:${num(f, "stimulusInstance")}`, num(f, "lampMode"));
            return;
        case Msg.SetSpeakerMode:
            s.speaker = num(f, "speakerMode") === 1;
            s.hookOff = s.speaker;
            return;
        case Msg.CallInfo:
        case Msg.CallInfoV2: {
            const ref = num(f, "callReference");
            const c = ref !== 0 ? s.calls.get(ref) : callList(s)[0];
            if (c !== undefined) c.info = msg.fields;
            return;
        }
        case Msg.DialedNumber: {
            const c = s.calls.get(num(f, "callReference"));
            if (c !== undefined) c.dialed = text(f, "dialedNumber");
            return;
        }
    }
}

export function activeCall(s: PhoneState): PhoneCall | null {
    for (const c of s.calls.values()) {
        if (c.state === CallState.RingIn || c.state === CallState.Hold) continue;
        if (c.state === CallState.CallRemoteMultiline || c.state === CallState.OnHook) continue;
        return c;
    }
    return null;
}

export function canPress(s: PhoneState, labelName: string): boolean {
    const k = findKey(s, labelName);
    return k >= 0 && isVisible(s, k + 1);
}

export function findKey(s: PhoneState, labelName: string): number {
    const want = normalizeLabel(labelName);
    return s.template.findIndex((k) => normalizeLabel(k.label) === want || k.wire === labelName);
}

export function isVisible(s: PhoneState, templateIndex: number): boolean {
    const set = s.sets[s.softKeys.set];
    if (set === undefined) return false;
    const slot = set.template.indexOf(templateIndex);
    return slot >= 0 && ((s.softKeys.mask >>> slot) & 1) === 1;
}
