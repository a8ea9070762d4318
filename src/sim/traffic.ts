/**
 * Seeded random traffic for a branch: every phone places calls at a Poisson rate to a random other number;
 * callees answer (or not) after a ring, talk, and one side hangs up; callers who hear busy or reorder
 * sometimes press CallBack; a few calls go on hold; forwarding changes now and then. Everything goes
 * through the phones' keys, timed on the branch clock, so the same seed gives the same traffic.
 */
import type { SimPhone } from "./phone.js";
import { SeededRandom } from "./random.js";
import { CallState, type SimClock, type SimTimer, Tone } from "./types.js";

/** Options of the traffic generator. */
export interface TrafficOptions {
    /** Default 1. */
    seed?: number;
    /** Calls each phone places per hour. Default 3. */
    callsPerHour?: number;
    /** Probability that a ringing phone is answered. Default 0.75. */
    answerProbability?: number;
    /** Ring time before answering, ms [min, max). Default [1500, 10000). */
    answerDelayMs?: readonly [number, number];
    /** Mean talk time (exponential), ms. Default 60 s. */
    talkTimeMs?: number;
    /** Probability that a caller hearing busy, reorder or ringback presses CallBack. Default 0.5. */
    callBackProbability?: number;
    /** Time before a caller hearing busy or reorder hangs up, ms [min, max). Default [1000, 5000). */
    giveUpMs?: readonly [number, number];
    /** A caller still ringing out after this long hangs up. Default 30 s. */
    maxRingMs?: number;
    /** Probability that an answered call is put on hold for a while. Default 0.05. */
    holdProbability?: number;
    /** Probability that a placed call goes to a number nobody has. Default 0.02. */
    invalidNumberProbability?: number;
    /** Call Forward All changes per hour across the branch (set then cleared). Default 0. */
    forwardChangesPerHour?: number;
}

/** Counters of generated traffic. */
export interface TrafficStats {
    attempts: number;
    answered: number;
    busy: number;
    reorder: number;
    callBacks: number;
    holds: number;
    forwards: number;
    /** Actions skipped because the phone was in no state to do them. */
    skipped: number;
}

type Range = readonly [number, number];

/** Drives a set of phones with random calls. */
export class TrafficGenerator {
    readonly stats: TrafficStats = {
        attempts: 0,
        answered: 0,
        busy: 0,
        reorder: 0,
        callBacks: 0,
        holds: 0,
        forwards: 0,
        skipped: 0,
    };
    readonly #phones: readonly SimPhone[];
    readonly #clock: SimClock;
    readonly #rand: SeededRandom;
    readonly #o: Required<TrafficOptions>;
    readonly #byDn = new Map<string, SimPhone>();
    #dns: string[] = [];
    readonly #timers = new Set<SimTimer>();
    readonly #unsubscribe: (() => void)[] = [];
    #running = false;

    constructor(phones: readonly SimPhone[], clock: SimClock, options: TrafficOptions = {}) {
        this.#phones = phones;
        this.#clock = clock;
        this.#rand = new SeededRandom(options.seed ?? 1);
        this.#o = {
            seed: options.seed ?? 1,
            callsPerHour: options.callsPerHour ?? 3,
            answerProbability: options.answerProbability ?? 0.75,
            answerDelayMs: options.answerDelayMs ?? [1500, 10_000],
            talkTimeMs: options.talkTimeMs ?? 60_000,
            callBackProbability: options.callBackProbability ?? 0.5,
            giveUpMs: options.giveUpMs ?? [1000, 5000],
            maxRingMs: options.maxRingMs ?? 30_000,
            holdProbability: options.holdProbability ?? 0.05,
            invalidNumberProbability: options.invalidNumberProbability ?? 0.02,
            forwardChangesPerHour: options.forwardChangesPerHour ?? 0,
        };
    }

    /** Starts placing calls (each phone's first call after a random share of its interval). */
    start(): void {
        if (this.#running) return;
        this.#running = true;
        for (const p of this.#phones) {
            const dn = p.lines[0];
            if (dn !== undefined) this.#byDn.set(dn, p);
        }
        this.#dns = [...this.#byDn.keys()];
        const mean = 3_600_000 / Math.max(this.#o.callsPerHour, 1e-9);
        for (const p of this.#phones) {
            this.#subscribe(p);
            this.#later(this.#rand.exp(mean), () => this.#attempt(p, mean));
        }
        if (this.#o.forwardChangesPerHour > 0) this.#scheduleForward();
    }

    /** Stops: no new actions (calls in progress are left as they are). */
    stop(): void {
        this.#running = false;
        for (const t of this.#timers) this.#clock.clearTimer(t);
        this.#timers.clear();
        for (const u of this.#unsubscribe) u();
        this.#unsubscribe.length = 0;
    }

    #later(ms: number, fn: () => void): void {
        const t = this.#clock.setTimer(ms, () => {
            this.#timers.delete(t);
            if (this.#running) fn();
        });
        this.#timers.add(t);
    }

    #between(r: Range): number {
        return this.#rand.between(r[0], r[1]);
    }

    /** Runs a phone action; a phone in no state for it (not registered, key not shown) is skipped. */
    #try(fn: () => void): boolean {
        try {
            fn();
            return true;
        } catch {
            this.stats.skipped++;
            return false;
        }
    }

    #attempt(p: SimPhone, mean: number): void {
        this.#later(Math.max(1000, this.#rand.exp(mean)), () => this.#attempt(p, mean));
        if (!p.isIdle() || this.#byDn.size < 2) return;
        let to: string;
        if (this.#rand.chance(this.#o.invalidNumberProbability)) to = "0999";
        else {
            const own = p.lines[0];
            const dns = this.#dns;
            do to = this.#rand.pick(dns);
            while (to === own);
        }
        if (!this.#try(() => p.dial(to))) return;
        this.stats.attempts++;
        this.#later(this.#o.maxRingMs, () => {
            const c = p.calls.find((x) => x.state === CallState.RingOut || x.state === CallState.Proceed);
            if (c !== undefined) this.#try(() => p.hangUp());
        });
    }

    #subscribe(p: SimPhone): void {
        const onTone = (tone: number): void => this.#onTone(p, tone);
        const onRinging = (): void => this.#onRinging(p);
        p.on("tone", onTone);
        p.on("ringing", onRinging);
        this.#unsubscribe.push(() => {
            p.off("tone", onTone);
            p.off("ringing", onRinging);
        });
    }

    #onTone(p: SimPhone, tone: number): void {
        if (tone === Tone.LineBusyTone || tone === Tone.ReorderTone) {
            if (tone === Tone.LineBusyTone) this.stats.busy++;
            else this.stats.reorder++;
            const pressCallBack = this.#rand.chance(this.#o.callBackProbability);
            const press = this.#between([300, 1500]);
            if (pressCallBack) {
                this.#later(press, () => {
                    if (p.canPress("CallBack") && this.#try(() => p.pressSoftKey("CallBack"))) this.stats.callBacks++;
                });
            }
            this.#later(press + this.#between(this.#o.giveUpMs), () => {
                if (!p.isIdle()) this.#try(() => p.hangUp());
            });
        } else if (tone === Tone.AlertingTone && this.#rand.chance(this.#o.callBackProbability * 0.2)) {
            this.#later(this.#between([2000, 6000]), () => {
                if (p.canPress("CallBack") && this.#try(() => p.pressSoftKey("CallBack"))) this.stats.callBacks++;
            });
        }
    }

    #onRinging(p: SimPhone): void {
        if (!this.#rand.chance(this.#o.answerProbability)) return;
        const talk = Math.min(600_000, Math.max(3000, this.#rand.exp(this.#o.talkTimeMs)));
        const hold = this.#rand.chance(this.#o.holdProbability);
        const calleeHangsUp = this.#rand.chance(0.5);
        this.#later(this.#between(this.#o.answerDelayMs), () => {
            const ringing = p.calls.find((c) => c.state === CallState.RingIn);
            if (ringing === undefined) return;
            const caller = typeof ringing.info?.callingParty === "string" ? ringing.info.callingParty : "";
            if (!this.#try(() => p.answer())) return;
            this.stats.answered++;
            if (hold) {
                this.#later(talk / 3, () => {
                    if (this.#try(() => p.hold())) this.stats.holds++;
                    this.#later(talk / 3, () => this.#try(() => p.resume()));
                });
            }
            this.#later(talk, () => {
                const other = this.#byDn.get(caller);
                const who = calleeHangsUp || other === undefined ? p : other;
                const c = who.calls.find((x) => x.state === CallState.Connected);
                if (c !== undefined) this.#try(() => who.hangUp());
                else if (!p.isIdle() && p.calls.some((x) => x.state === CallState.Connected)) {
                    this.#try(() => p.hangUp());
                }
            });
        });
    }

    #scheduleForward(): void {
        const mean = 3_600_000 / this.#o.forwardChangesPerHour;
        this.#later(this.#rand.exp(mean), () => {
            this.#scheduleForward();
            const dns = this.#dns;
            const from = this.#rand.pick(dns);
            const p = this.#byDn.get(from) as SimPhone;
            let to: string;
            do to = this.#rand.pick(dns);
            while (to === from);
            if (!p.isIdle() || !p.canPress("CfwdAll")) return;
            if (p.forward(1).all !== "") {
                if (this.#try(() => p.pressSoftKey("CfwdAll"))) this.stats.forwards++;
                return;
            }
            if (!this.#try(() => p.pressSoftKey("CfwdAll"))) return;
            this.stats.forwards++;
            // Dial the target once the CallManager opened the forward-setup leg.
            this.#later(500, () => {
                if (p.calls.some((c) => c.state === CallState.OffHook)) this.#try(() => p.keypad(`${to}`));
            });
        });
    }
}
