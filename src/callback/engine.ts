/**
 * The Call Back engine: pure and deterministic. `handle(state, input, now, view)` returns the next state and
 * the effects for the shell (screens, notifications, persistence, alarms). No timers, no I/O, no clock: time
 * comes in as `now` (ms) and the shell ticks at `nextDeadline(state)`. States are never mutated: a changed
 * state is a new object sharing the unchanged requests; an input that concerns nothing returns the same object.
 *
 * Rules (the Cisco Call Back feature guide where it speaks, CUCM and Asterisk CCSS where it is silent):
 * activation checks with the seed's screens; "Call Back is activated" only once the request is durable;
 * one active request per calling phone (OK on "already active" replaces it), a first-pressed queue per
 * called number; available = every device of the number idle for the guard time (no-answer requests also
 * need an off-hook/on-hook cycle); the first requester is notified, the others after the protection window;
 * a busy caller is skipped (suspended) and resumed when idle; every end of a request has a reason.
 *
 * This class is the facade: it keeps the options and the per-state index cache, and hands each phase to its
 * room: deadlines.ts (time), activation.ts (presses, durability), notification.ts (the called side, pushes),
 * phoneActions.ts (Cancel, OK, admin cancel); outcomes.ts says what they decide.
 */
import { persistDone, persistFailed, pressed, restored } from "./activation.js";
import { computeDeadline, relevant, runDue, settle, updateDeadlines } from "./deadlines.js";
import { callerRegistered, callerUnregistered, forwardingChanged, lineChanged, pushResult } from "./notification.js";
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { faultResult } from "./outcomes.js";
import { adminCancel, phoneCancel, phoneOk } from "./phoneActions.js";
import type { ClusterView } from "./ports.js";
import { StateIndex, Tx } from "./tx.js";
import type { EngineInput, EngineResult, EngineState } from "./types.js";

export { ENGINE_ALARMS } from "./outcomes.js";

/** The engine. Holds only options and caches; the state is passed in and returned. */
export class CallBackEngine {
    #o: ResolvedOptions;
    #index = new WeakMap<EngineState, StateIndex>();

    constructor(options: Partial<EngineOptions> = {}) {
        this.#o = resolveOptions({ ...DEFAULT_ENGINE_OPTIONS, ...options });
    }

    /** Current options. */
    get options(): Readonly<EngineOptions> {
        const { models: _models, ...o } = this.#o;
        return o;
    }

    /** Changes options live (service parameters that need no restart); applies from the next input. */
    configure(options: Partial<EngineOptions>): void {
        this.#o = resolveOptions({ ...this.options, ...options });
        this.#index = new WeakMap();
    }

    /** Earliest time at which the engine has something to do without input (ms), or null. */
    nextDeadline(state: EngineState): number | null {
        return this.#indexOf(state).deadline;
    }

    /** Handles one input at time `now` (ms). Never throws: a fault keeps the state and raises service.failure. */
    handle(state: EngineState, input: EngineInput, now: number, view: ClusterView): EngineResult {
        const t = Math.max(now, state.now);
        if (!relevant(this.#indexOf(state), input, t)) return { state, effects: [] };
        try {
            const ix = this.#indexOf(state);
            const tx = new Tx(state, ix, t, view);
            const due = ix.deadline !== null && ix.deadline <= t;
            if (due) runDue(this.#o, tx, tx.all(), tx.offers());
            this.#apply(tx, input);
            settle(this.#o, tx, due);
            const result = tx.finish();
            // the index moves on to the next state (the old state gets a fresh one if it is ever used again)
            this.#index.delete(state);
            const next = tx.commitIndex();
            updateDeadlines(this.#o, next, result.state, tx, due);
            this.#index.set(result.state, next);
            return result;
        } catch (err) {
            return faultResult(state, input, t, err);
        }
    }

    #indexOf(state: EngineState): StateIndex {
        let ix = this.#index.get(state);
        if (ix === undefined) {
            ix = StateIndex.build(state);
            ix.deadline = computeDeadline(this.#o, state, ix);
            this.#index.set(state, ix);
        }
        return ix;
    }

    /** Routes one input to the room of its phase. */
    #apply(tx: Tx, input: EngineInput): void {
        const o = this.#o;
        switch (input.type) {
            case "CallBackPressed":
                pressed(o, tx, input);
                return;
            case "LineStateChanged":
                lineChanged(tx, input.dn, input.to);
                return;
            case "DeviceUnregistered":
                callerUnregistered(tx, input.device);
                return;
            case "DeviceRegistered":
                callerRegistered(tx, input.device, input.ip);
                return;
            case "ForwardingChanged":
                forwardingChanged(tx, input);
                return;
            case "PhoneAction":
                if (input.action === "cancel") phoneCancel(tx, input);
                else phoneOk(o, tx, input);
                return;
            case "AdminCancel":
                adminCancel(tx, input);
                return;
            case "PersistDone":
                persistDone(tx, input.upTo);
                return;
            case "PersistFailed":
                persistFailed(tx, input);
                return;
            case "PushResult":
                pushResult(o, tx, input.ref, input.notify, input.ok, input.code, input.device);
                return;
            case "Restored":
                restored(tx);
                return;
            default:
                // Tick, link changes, SoftKeyPressed: time only (runDue / settle)
                return;
        }
    }
}
