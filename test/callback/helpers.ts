import { CallBackEngine } from "../../src/callback/engine.js";
import type { EngineOptions } from "../../src/callback/options.js";
import { initialState } from "../../src/callback/state.js";
import { StateIndex, Tx } from "../../src/callback/tx.js";
import type {
    EngineEffect,
    EngineInput,
    EngineState,
    NotifyEffect,
    RequestEndedEffect,
    ShowScreenEffect,
} from "../../src/callback/types.js";
import { FakeClusterView } from "./fakeView.js";

/** Start of every test clock (ms). */
export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/** Engine + fake view + state, driven like the shell drives them. */
export class Harness {
    readonly view = new FakeClusterView();
    readonly engine: CallBackEngine;
    state: EngineState = initialState();
    now = T0;
    /** Every effect so far. */
    readonly log: EngineEffect[] = [];
    /** Answer Persist with PersistDone at once. */
    autoPersist = true;
    /** Answer Notify with a push result at once (null: leave in flight). */
    autoPush: { ok: boolean; code: string } | null = { ok: true, code: "PUSH_OK" };

    constructor(options: Partial<EngineOptions> = {}, phones = true) {
        this.engine = new CallBackEngine(options);
        this.view.now = this.now;
        if (phones) {
            this.view.addPhone("SEPA", { dn: "1001", ip: "10.0.0.1" });
            this.view.addPhone("SEPB", { dn: "1002", ip: "10.0.0.2" });
            this.view.addPhone("SEPC", { dn: "1003", ip: "10.0.0.3", model: "Cisco IP Phone 7940" });
            this.view.addPhone("SEPD", { dn: "1004", ip: "10.0.0.4", model: "Cisco IP Phone 7912" });
        }
    }

    /** Handles one input at the current time (plus the automatic answers); returns the effects. */
    send(input: EngineInput): EngineEffect[] {
        const out: EngineEffect[] = [];
        const queue: EngineInput[] = [input];
        while (queue.length > 0) {
            const next = queue.shift()!;
            this.view.now = this.now;
            const r = this.engine.handle(this.state, next, this.now, this.view);
            this.state = r.state;
            out.push(...r.effects);
            for (const e of r.effects) {
                if (e.type === "Persist" && this.autoPersist) queue.push({ type: "PersistDone", upTo: e.generation });
                if (e.type === "Notify" && this.autoPush !== null) {
                    queue.push({ type: "PushResult", ref: e.ref, notify: true, ...this.autoPush });
                }
            }
        }
        this.log.push(...out);
        return out;
    }

    /** Moves the clock forward, ticking at every deadline on the way; returns the effects. */
    advance(ms: number): EngineEffect[] {
        const target = this.now + ms;
        const out: EngineEffect[] = [];
        for (let guard = 0; guard < 10_000; guard++) {
            const d = this.engine.nextDeadline(this.state);
            if (d === null || d > target) break;
            this.now = Math.max(this.now, d);
            out.push(...this.send({ type: "Tick" }));
        }
        this.now = target;
        return out;
    }

    /** Sets a number's state (and sends the event). */
    line(dn: string, to: "idle" | "busy" | "ringing" | "unknown"): EngineEffect[] {
        return this.send(this.view.lineState(dn, to, this.now));
    }

    /** A calls `dn` and hears `trigger`, then presses CallBack. */
    press(device: string, dn: string | null, trigger: "busy" | "ringback" | "reorder" | null = "busy"): EngineEffect[] {
        return this.send(this.view.press(device, dn, trigger, this.now));
    }

    idlePress(device: string): EngineEffect[] {
        return this.send(this.view.idlePress(device, this.now));
    }

    /** The standard activation: caller's line busy (hearing busy), callee busy, press, caller hangs up. */
    activate(device: string, callerDn: string, dn: string, trigger: "busy" | "ringback" = "busy"): EngineEffect[] {
        const out: EngineEffect[] = [];
        out.push(...this.line(callerDn, "busy"));
        if (trigger === "busy") out.push(...this.line(dn, "busy"));
        else out.push(...this.line(dn, "ringing"));
        out.push(...this.press(device, dn, trigger));
        out.push(...this.line(callerDn, "idle"));
        if (trigger === "ringback") out.push(...this.line(dn, "idle"));
        return out;
    }

    requests(): EngineState["requests"] {
        return this.state.requests;
    }

    /** SEPA presses CallBack on busy 1002 and the store has not confirmed yet: the pending request. */
    pending(): EngineState["requests"][number] {
        this.autoPersist = false;
        this.line("1001", "busy");
        this.line("1002", "busy");
        this.press("SEPA", "1002");
        return this.requests()[0]!;
    }

    /** SEPA is active on 1002 and presses CallBack on busy 1003: the "already active" offer. */
    offered(): EngineState["offers"][number] {
        this.activate("SEPA", "1001", "1002");
        this.line("1001", "busy");
        this.line("1003", "busy");
        this.press("SEPA", "1003");
        return this.state.offers[0]!;
    }

    /** A working set over the current state at `now` (ms later), for a test of one room's functions. */
    tx(later = 0): Tx {
        this.view.now = this.now + later;
        return new Tx(this.state, StateIndex.build(this.state), this.now + later, this.view);
    }
}

export function screens(effects: readonly EngineEffect[], kind?: string): ShowScreenEffect[] {
    return effects.filter(
        (e): e is ShowScreenEffect => e.type === "ShowScreen" && (kind === undefined || e.kind === kind),
    );
}

export function notifies(effects: readonly EngineEffect[]): NotifyEffect[] {
    return effects.filter((e): e is NotifyEffect => e.type === "Notify");
}

export function ended(effects: readonly EngineEffect[]): RequestEndedEffect[] {
    return effects.filter((e): e is RequestEndedEffect => e.type === "RequestEnded");
}

export function types(effects: readonly EngineEffect[]): string[] {
    return effects.map((e) => (e.type === "ShowScreen" ? `ShowScreen:${e.kind}` : e.type));
}
