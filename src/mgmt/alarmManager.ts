/**
 * Alarm state: raise/clear with hold-down timers, flap suppression and de-duplication by fingerprint.
 * Pure apart from the injected clock: it emits transitions through a callback (which gives them their
 * persistent sequence numbers and sends them) and answers the active table.
 */
import { CallbackdError } from "../errors.js";
import type { Clock } from "../util/clock.js";
import {
    type AlarmDefinition,
    type AlarmPolicy,
    alarmDefinition,
    SEVERITIES,
    type Severity,
    SYSLOG_LEVEL,
} from "./catalogue.js";

/** A transition: `raised`, `updated` (severity or flapping changed), `cleared`, or `event` (stateless alarms). */
export type AlarmTransition = "raised" | "updated" | "cleared" | "event";

/** Identity and annotations of one alarm instance. */
export interface AlarmInstance {
    /** Catalogue id, e.g. `phone.push-unreachable`. */
    id: string;
    /** `<id>` or `<id>/<resource>`. */
    key: string;
    /** What the alarm is about (a phone name, an interface, an address); "" for the box itself. */
    resource: string;
    /** FNV-1a-64 (hex) of the sorted identifying labels (alarm, resource and the extra labels). */
    fingerprint: string;
    severity: Severity;
    /** syslog/journald level of the severity. */
    syslog: number;
    /** Instance text (default: the catalogue description). */
    text: string;
    /** Recommended action (from the catalogue). */
    action: string;
    /** Reason code, CUCM style (e.g. `timeout`, `http401`); "" when none. */
    cause: string;
    labels: Record<string, string>;
    /** Raises reported for this instance since it became active (de-duplicated repeats included). */
    count: number;
    /** When it became active (ms since the epoch). */
    firstRaised: number;
    /** Last transition (ms since the epoch). */
    lastChanged: number;
    /** The condition flaps: raise/clear events are suppressed until it settles. */
    flapping: boolean;
}

/** One transition as emitted (the sequence number is added by whoever stores it). */
export interface AlarmEventData extends AlarmInstance {
    state: AlarmTransition;
    /** Time of the transition (ms since the epoch). */
    ts: number;
}

/** Options of raise(). */
export interface RaiseOptions {
    resource?: string;
    labels?: Readonly<Record<string, string>>;
    text?: string;
    cause?: string;
    /** Overrides the catalogue severity (a severity change of an active alarm is an `updated` event). */
    severity?: Severity;
}

/** Options of clear(). */
export interface ClearOptions {
    resource?: string;
    labels?: Readonly<Record<string, string>>;
}

/** Flap detection settings (Nagios-style weighted percent state change over the last samples). */
export interface FlapSettings {
    /** Samples kept (default 21). */
    samples: number;
    /** Enter flapping at or above this percent (default 50). */
    highPercent: number;
    /** Leave flapping below this percent (default 25). */
    lowPercent: number;
    /** Also leave flapping after this long without a change (default 5 min). */
    quietMs: number;
}

/** Options of the manager. */
export interface AlarmManagerOptions {
    /** Time source and timers (the wall clock: `now()` is ms since the epoch). */
    clock: Clock;
    /** Receives every transition, in order. */
    emit: (event: AlarmEventData) => void;
    /** Called after any change of the active table. */
    onTableChange?: () => void;
    /** Per-alarm overrides of the catalogue timings. */
    policies?: Readonly<Record<string, Partial<AlarmPolicy>>>;
    flap?: Partial<FlapSettings>;
    /** Instances tracked at most; the oldest idle ones are forgotten first (default 4096). */
    maxInstances?: number;
}

type Phase = "idle" | "pending-raise" | "active" | "pending-clear";

interface Entry {
    inst: AlarmInstance;
    policy: AlarmPolicy;
    def: AlarmDefinition;
    phase: Phase;
    /** Last condition reported by raise (true) or clear (false). */
    condition: boolean;
    timer: unknown;
    quietTimer: unknown;
    /** Condition samples, oldest first. */
    history: boolean[];
    /** Last time the entry was touched (eviction order). */
    touched: number;
}

/** Thrown for an alarm id that is not in the catalogue (code `ALARM_UNKNOWN`). */
export class AlarmError extends CallbackdError {}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a-64 over label names and values sorted by name (Alertmanager's fingerprint), as 16 hex digits. */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
    let h = FNV_OFFSET;
    const bytes = new TextEncoder();
    for (const name of Object.keys(labels).sort()) {
        for (const part of [name, labels[name] ?? ""]) {
            for (const b of bytes.encode(part)) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
            h = ((h ^ 0xffn) * FNV_PRIME) & MASK64; // separator: 0xff never occurs in UTF-8
        }
    }
    return h.toString(16).padStart(16, "0");
}

/** Weighted percent state change of a sample window (newer changes weigh more: 0.8 … 1.2). */
export function percentStateChange(history: readonly boolean[], samples: number): number {
    const transitions = samples - 1;
    if (transitions <= 0) return 0;
    let sum = 0;
    for (let i = 1; i < history.length; i++) {
        if (history[i] !== history[i - 1]) sum += 0.8 + (0.4 * (i - 1)) / Math.max(1, transitions - 1);
    }
    return (100 * sum) / transitions;
}

const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));

/** The alarm state machine of one box. */
export class AlarmManager {
    readonly #clock: Clock;
    readonly #emit: (e: AlarmEventData) => void;
    readonly #onTable: () => void;
    readonly #policies: Readonly<Record<string, Partial<AlarmPolicy>>>;
    readonly #flap: FlapSettings;
    readonly #max: number;
    /** Instances by fingerprint. */
    readonly #entries = new Map<string, Entry>();
    #closed = false;

    constructor(options: AlarmManagerOptions) {
        this.#clock = options.clock;
        this.#emit = options.emit;
        this.#onTable = options.onTableChange ?? (() => {});
        this.#policies = options.policies ?? {};
        this.#flap = { samples: 21, highPercent: 50, lowPercent: 25, quietMs: 300_000, ...options.flap };
        this.#max = options.maxInstances ?? 4096;
    }

    /** Reports that the condition of alarm `id` holds. Throws AlarmError ALARM_UNKNOWN for an id not in the catalogue. */
    raise(id: string, options: RaiseOptions = {}): void {
        const def = this.#definition(id);
        const now = this.#clock.now();
        const policy = this.#policy(def);
        if (policy.stateless) {
            const inst = this.#instance(def, options, now);
            this.#emit({ ...inst, state: "event", ts: now, count: 1, firstRaised: now });
            return;
        }
        const e = this.#entry(def, policy, options, now);
        if (options.text !== undefined) e.inst.text = options.text;
        if (options.cause !== undefined) e.inst.cause = options.cause;
        const severity = options.severity ?? def.severity;
        const changed = !e.condition;
        e.condition = true;
        this.#sample(e, true);
        if (e.inst.flapping) {
            e.inst.severity = severity;
            e.inst.syslog = SYSLOG_LEVEL[severity];
            e.inst.count++;
            if (changed) this.#restartQuiet(e);
            this.#checkFlapEnd(e, now);
            return;
        }
        if (this.#checkFlapStart(e, now)) return;
        switch (e.phase) {
            case "idle":
                e.inst.severity = severity;
                e.inst.syslog = SYSLOG_LEVEL[severity];
                if (policy.raiseDelayMs <= 0) this.#activate(e, now);
                else {
                    e.phase = "pending-raise";
                    e.timer = this.#clock.setTimeout(() => {
                        e.timer = null;
                        if (e.phase === "pending-raise") this.#activate(e, this.#clock.now());
                    }, policy.raiseDelayMs);
                }
                return;
            case "pending-raise":
                e.inst.severity = severity;
                e.inst.syslog = SYSLOG_LEVEL[severity];
                return;
            case "pending-clear":
                this.#cancelTimer(e);
                e.phase = "active";
                break;
            case "active":
                break;
        }
        e.inst.count++;
        if (severity !== e.inst.severity) {
            e.inst.severity = severity;
            e.inst.syslog = SYSLOG_LEVEL[severity];
            this.#transition(e, "updated", now);
        }
    }

    /** Reports that the condition of alarm `id` is gone. Unknown or inactive instances are ignored. */
    clear(id: string, options: ClearOptions = {}): void {
        const def = this.#definition(id);
        const e = this.#entries.get(fingerprint(identity(def, options.resource ?? "", options.labels)));
        if (e === undefined) return;
        const now = this.#clock.now();
        e.touched = now;
        const changed = e.condition;
        e.condition = false;
        this.#sample(e, false);
        if (e.inst.flapping) {
            if (changed) this.#restartQuiet(e);
            this.#checkFlapEnd(e, now);
            return;
        }
        if (this.#checkFlapStart(e, now)) return;
        switch (e.phase) {
            case "pending-raise":
                this.#cancelTimer(e);
                e.phase = "idle";
                return;
            case "active":
                if (e.policy.clearDelayMs <= 0) this.#deactivate(e, now);
                else {
                    e.phase = "pending-clear";
                    e.timer = this.#clock.setTimeout(() => {
                        e.timer = null;
                        if (e.phase === "pending-clear") this.#deactivate(e, this.#clock.now());
                    }, e.policy.clearDelayMs);
                }
                return;
            default:
                return;
        }
    }

    /** The active alarms (raised and not yet cleared), most severe first, then oldest first. */
    active(): AlarmInstance[] {
        const out: AlarmInstance[] = [];
        for (const e of this.#entries.values()) {
            if (e.phase === "active" || e.phase === "pending-clear")
                out.push({ ...e.inst, labels: { ...e.inst.labels } });
        }
        return out.sort(
            (a, b) =>
                (SEVERITY_RANK.get(a.severity) ?? 0) - (SEVERITY_RANK.get(b.severity) ?? 0) ||
                a.firstRaised - b.firstRaised ||
                (a.key < b.key ? -1 : 1),
        );
    }

    /** Whether an instance is active (raised, not cleared). */
    isActive(id: string, options: ClearOptions = {}): boolean {
        const def = this.#definition(id);
        const e = this.#entries.get(fingerprint(identity(def, options.resource ?? "", options.labels)));
        return e !== undefined && (e.phase === "active" || e.phase === "pending-clear");
    }

    /** Instances tracked (active, pending, or idle with flap history). */
    get size(): number {
        return this.#entries.size;
    }

    /** Stops every timer; later calls are ignored. */
    close(): void {
        this.#closed = true;
        for (const e of this.#entries.values()) {
            this.#cancelTimer(e);
            if (e.quietTimer !== null) this.#clock.clearTimeout(e.quietTimer);
            e.quietTimer = null;
        }
    }

    #definition(id: string): AlarmDefinition {
        const def = alarmDefinition(id);
        if (def === undefined) throw new AlarmError("ALARM_UNKNOWN", `unknown alarm id ${JSON.stringify(id)}`, { id });
        return def;
    }

    #policy(def: AlarmDefinition): AlarmPolicy {
        const o = this.#policies[def.id] ?? {};
        return {
            raiseDelayMs: o.raiseDelayMs ?? def.raiseDelayMs,
            clearDelayMs: o.clearDelayMs ?? def.clearDelayMs,
            flapDetection: o.flapDetection ?? def.flapDetection,
            stateless: o.stateless ?? def.stateless,
        };
    }

    #instance(def: AlarmDefinition, options: RaiseOptions, now: number): AlarmInstance {
        const resource = options.resource ?? "";
        const labels = { ...options.labels };
        const severity = options.severity ?? def.severity;
        return {
            id: def.id,
            key: resource === "" ? def.id : `${def.id}/${resource}`,
            resource,
            fingerprint: fingerprint(identity(def, resource, labels)),
            severity,
            syslog: SYSLOG_LEVEL[severity],
            text: options.text ?? def.description,
            action: def.action,
            cause: options.cause ?? "",
            labels,
            count: 0,
            firstRaised: 0,
            lastChanged: now,
            flapping: false,
        };
    }

    #entry(def: AlarmDefinition, policy: AlarmPolicy, options: RaiseOptions, now: number): Entry {
        const inst = this.#instance(def, options, now);
        let e = this.#entries.get(inst.fingerprint);
        if (e === undefined) {
            e = {
                inst,
                policy,
                def,
                phase: "idle",
                condition: false,
                timer: null,
                quietTimer: null,
                history: [],
                touched: now,
            };
            this.#entries.set(inst.fingerprint, e);
            this.#evict();
        }
        e.touched = now;
        return e;
    }

    /** Forgets the least recently touched idle instances beyond the bound. */
    #evict(): void {
        if (this.#entries.size <= this.#max) return;
        const idle = [...this.#entries.entries()]
            .filter(([, e]) => e.phase === "idle" && !e.inst.flapping)
            .sort((a, b) => a[1].touched - b[1].touched);
        for (const [fp] of idle) {
            if (this.#entries.size <= this.#max) break;
            this.#entries.delete(fp);
        }
    }

    #sample(e: Entry, condition: boolean): void {
        e.history.push(condition);
        if (e.history.length > this.#flap.samples) e.history.shift();
    }

    /** Enters flapping when the weighted state change reaches the high threshold; true when it did. */
    #checkFlapStart(e: Entry, now: number): boolean {
        if (!e.policy.flapDetection) return false;
        if (percentStateChange(e.history, this.#flap.samples) < this.#flap.highPercent) return false;
        this.#cancelTimer(e);
        e.inst.flapping = true;
        this.#restartQuiet(e);
        if (e.phase === "active" || e.phase === "pending-clear") {
            e.phase = "active";
            this.#transition(e, "updated", now);
        } else {
            // A flapping condition is itself worth showing: it is announced as raised, marked flapping.
            this.#activate(e, now);
        }
        return true;
    }

    /** Leaves flapping below the low threshold (or when forced after a quiet period) and settles on the condition. */
    #checkFlapEnd(e: Entry, now: number, force = false): void {
        if (!force && percentStateChange(e.history, this.#flap.samples) >= this.#flap.lowPercent) return;
        if (e.quietTimer !== null) this.#clock.clearTimeout(e.quietTimer);
        e.quietTimer = null;
        e.inst.flapping = false;
        if (e.condition) this.#transition(e, "updated", now);
        else this.#deactivate(e, now);
    }

    #restartQuiet(e: Entry): void {
        if (e.quietTimer !== null) this.#clock.clearTimeout(e.quietTimer);
        e.quietTimer = this.#clock.setTimeout(() => {
            e.quietTimer = null;
            if (e.inst.flapping && !this.#closed) {
                e.history.length = 0;
                this.#checkFlapEnd(e, this.#clock.now(), true);
            }
        }, this.#flap.quietMs);
    }

    #activate(e: Entry, now: number): void {
        if (this.#closed) return;
        e.phase = "active";
        e.inst.count = 1;
        e.inst.firstRaised = now;
        this.#transition(e, "raised", now);
    }

    #deactivate(e: Entry, now: number): void {
        if (this.#closed) return;
        e.phase = "idle";
        this.#transition(e, "cleared", now);
    }

    #transition(e: Entry, state: AlarmTransition, now: number): void {
        e.inst.lastChanged = now;
        this.#emit({ ...e.inst, labels: { ...e.inst.labels }, state, ts: now });
        this.#onTable();
    }

    #cancelTimer(e: Entry): void {
        if (e.timer !== null) this.#clock.clearTimeout(e.timer);
        e.timer = null;
    }
}

/** The identifying labels of an instance: alarm id, resource and the caller's labels. */
function identity(
    def: AlarmDefinition,
    resource: string,
    labels: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
    return { ...labels, alarm: def.id, resource };
}
