/**
 * When a press cannot make a request, and the screen that says so: the call states Call Back is for, the
 * service's own conditions, and refusal screens that carry their reason for the trace.
 */
import type { ClusterEvent } from "../cluster/types.js";
import type { ClusterView } from "./ports.js";
import type { CallerInfo, ShowScreenEffect } from "./types.js";

/** SCCP call states of an outgoing call that has not reached anyone: Ring Out, Busy, Congestion (reorder). */
const PRESS_STATES: ReadonlySet<number> = new Set([3, 6, 7]);
/** Call-progress tones of such a call (busy, ringback, reorder): a CallManager may signal busy by tone only. */
const PRESS_TONES: ReadonlySet<number> = new Set([0x23, 0x24, 0x25]);

/**
 * Why a press on a call cannot ask for Call Back (null: it can). The seed: the CallBack softkey is pressed
 * "while receiving a busy or ringback tone"; a call whose state the box does not know is given the benefit
 * of the doubt (the caller's own screen showed the key).
 */
export function notPressable(e: Extract<ClusterEvent, { type: "CallBackPressed" }>): string | null {
    if (e.callState === null || PRESS_STATES.has(e.callState)) return null;
    if (e.tone !== null && PRESS_TONES.has(e.tone)) return null;
    return `call state ${e.callStateName ?? e.callState}: Call Back is for a call hearing busy, ringback or reorder`;
}

/** Why the service cannot serve (null: it can): no CallManager link observed, or CTI required and down. */
export function serviceDown(view: ClusterView): string | null {
    if (!view.cmLinkObserved()) return "no CallManager link observed";
    if (view.ctiRequired() && !view.ctiUp()) return "cti.required and the CTI link is not up";
    return null;
}

/** A refusal: the seed's screen (Exit only) for the caller, with why for the trace. */
export function refusalScreen(
    caller: CallerInfo,
    kind: ShowScreenEffect["kind"],
    params: ShowScreenEffect["params"],
    why: string,
    reply?: string | null,
): ShowScreenEffect {
    const e: ShowScreenEffect = {
        type: "ShowScreen",
        device: caller.device,
        ip: caller.ip,
        kind,
        params,
        actions: [],
        ref: null,
        why,
    };
    if (reply !== undefined && reply !== null) e.reply = reply;
    return e;
}
