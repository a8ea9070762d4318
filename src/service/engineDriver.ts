/**
 * Drives the engine: holds its state, runs every input through it one at a time (the active box only) and
 * hands each effect to its adapter, then keeps the engine's next deadline: one timer when live, a check as
 * frames advance the capture clock when replaying. Pure of adapters itself: effects go to the handlers the
 * service gives it (phones, durability, alarms).
 */
import type { CallBackEngine } from "../callback/engine.js";
import type { ClusterView } from "../callback/ports.js";
import { initialState } from "../callback/state.js";
import type { EngineEffect, EngineInput, EngineState, NotifyEffect, ShowScreenEffect } from "../callback/types.js";
import type { ClusterEvent } from "../cluster/types.js";
import type { Logger } from "../logging/logger.js";
import type { Role } from "../redundancy/election.js";
import type { Clock } from "../util/clock.js";
import type { ServiceCounters } from "./serviceApi.js";

/** Where the engine's effects go. */
export interface EffectHandlers {
    show(e: ShowScreenEffect): void;
    notify(e: NotifyEffect): void;
    revoke(ref: string): void;
    /** The state up to `generation` must become durable (answered with PersistDone/PersistFailed). */
    persist(generation: number): void;
    alarm(id: string, action: "raise" | "clear", details: string): void;
}

export interface EngineDriverOptions {
    engine: CallBackEngine;
    view: ClusterView;
    /** Engine time, ms. */
    now: () => number;
    clock: Clock;
    /** Capture time: no timers, `runDue` as frames arrive. */
    capture: boolean;
    role: Role;
    effects: EffectHandlers;
    counters: ServiceCounters;
    log: Logger;
    /** Observes every engine effect (narration, tests). */
    onEvent?: ((e: ClusterEvent | EngineEffect) => void) | undefined;
}

export class EngineDriver {
    readonly #o: EngineDriverOptions;
    #state: EngineState = initialState();
    #role: Role;
    #deadline: number | null = null;
    #timer: unknown = null;
    #stopped = false;

    constructor(o: EngineDriverOptions) {
        this.#o = o;
        this.#role = o.role;
    }

    /** The engine's current state (read-only use). */
    get state(): Readonly<EngineState> {
        return this.#state;
    }

    /** Takes a state from flash or from the active box (no input: the caller decides when to resume). */
    replace(state: EngineState): void {
        this.#state = state;
    }

    get role(): Role {
        return this.#role;
    }

    get stopped(): boolean {
        return this.#stopped;
    }

    /**
     * Active: every request held is resumed as after a restart. Standby: the timer stops; the engine gets
     * no input until made active again.
     */
    setRole(role: Role): void {
        this.#role = role;
        if (role === "active") {
            this.input({ type: "Restored" });
            return;
        }
        this.#stopTimer();
    }

    /** No more timers or inputs' deadlines after this. */
    stop(): void {
        this.#stopped = true;
        this.#stopTimer();
    }

    /** Runs one input through the engine and carries out its effects (the active box only). */
    input(input: EngineInput): void {
        if (this.#role !== "active") return;
        const { state, effects } = this.#o.engine.handle(this.#state, input, this.#o.now(), this.#o.view);
        this.#state = state;
        for (const effect of effects) this.#apply(effect);
        this.#schedule();
    }

    /** Capture time: ticks the engine when its deadline has been reached. */
    runDue(now: number): void {
        if (this.#deadline !== null && now >= this.#deadline) this.input({ type: "Tick" });
    }

    #stopTimer(): void {
        if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
        this.#timer = null;
    }

    #schedule(): void {
        this.#deadline = this.#o.engine.nextDeadline(this.#state);
        if (this.#o.capture || this.#stopped) return;
        this.#stopTimer();
        if (this.#deadline === null) return;
        const wait = Math.max(0, this.#deadline - this.#o.now());
        this.#timer = this.#o.clock.setTimeout(() => {
            this.#timer = null;
            this.input({ type: "Tick" });
        }, wait);
    }

    #apply(e: EngineEffect): void {
        this.#o.onEvent?.(e);
        const fx = this.#o.effects;
        switch (e.type) {
            case "ShowScreen":
                fx.show(e);
                break;
            case "Notify":
                fx.notify(e);
                break;
            case "PressIgnored":
                this.#o.counters.pressesIgnored++;
                this.#o.log.info(
                    { device: e.device, model: e.model, dn: e.calledDn, why: e.why },
                    "CallBack press ignored",
                );
                break;
            case "Persist":
                fx.persist(e.generation);
                break;
            case "RevokeTickets":
                fx.revoke(e.ref);
                break;
            case "Alarm":
                fx.alarm(e.id, e.action, e.details);
                break;
            case "RequestChanged":
                this.#o.log.info(
                    { id: e.id, change: e.change, caller: e.request.caller.name, dn: e.request.calledDn },
                    `call-back ${e.change}`,
                );
                break;
            case "RequestEnded":
                this.#o.log.info(
                    { id: e.id, reason: e.reason, detail: e.detail, dn: e.request.calledDn },
                    "call-back ended",
                );
                break;
            case "AdminResult":
                break;
        }
    }
}
