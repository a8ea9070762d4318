/**
 * The engine's working set for one `handle` call. The state is immutable: a Tx reads it through a derived
 * index (lookups by id, called number and calling phone) and records changes in copy-on-write overlays, so an
 * input costs what it touches, not the number of requests. `finish` builds the next state (sharing what did
 * not change) and carries the index over to it by applying the overlays; nothing is mutated before that, so
 * an exception leaves the old state and its index intact.
 *
 * Order matters for determinism: every list a Tx hands out is in press order (seq), never in Map/Set order,
 * because a rebuilt index (after a snapshot) and a carried-over one may iterate differently.
 */
import type { ClusterView } from "./ports.js";
import type { CallBackRequest, CalleeWatch, EngineEffect, EngineResult, EngineState, ReplaceOffer } from "./types.js";

function bySeq(a: CallBackRequest, b: CallBackRequest): number {
    return a.seq - b.seq;
}

/** Derived lookups of one state. */
export class StateIndex {
    readonly byId = new Map<string, CallBackRequest>();
    /** Called number → request ids in press order. */
    readonly queues = new Map<string, string[]>();
    /** Calling phone → request ids in press order. */
    readonly byCaller = new Map<string, string[]>();
    readonly watches = new Map<string, CalleeWatch>();
    readonly offers = new Map<string, ReplaceOffer>();
    readonly pending = new Set<string>();
    readonly suspended = new Set<string>();
    readonly notified = new Set<string>();
    /** Own earliest deadline of each request and offer with one (maintained by the engine). */
    readonly deadlines = new Map<string, number>();
    /** Earliest future deadline of the state (set by the engine). */
    deadline: number | null = null;

    /** Builds the index of a state from scratch. */
    static build(state: EngineState): StateIndex {
        const ix = new StateIndex();
        for (const r of state.requests) {
            ix.byId.set(r.id, r);
            push(ix.queues, r.calledDn, r.id);
            push(ix.byCaller, r.caller.device, r.id);
            ix.classify(r);
        }
        for (const w of state.callees) ix.watches.set(w.dn, w);
        for (const x of state.offers) ix.offers.set(x.id, x);
        return ix;
    }

    classify(r: CallBackRequest): void {
        if (r.phase === "pending") this.pending.add(r.id);
        if (r.phase === "notified") this.notified.add(r.id);
        if (r.suspended) this.suspended.add(r.id);
    }

    unclassify(id: string): void {
        this.pending.delete(id);
        this.notified.delete(id);
        this.suspended.delete(id);
    }
}

function push(m: Map<string, string[]>, k: string, v: string): void {
    const l = m.get(k);
    if (l === undefined) m.set(k, [v]);
    else l.push(v);
}

/** Working set of one `handle` call. */
export class Tx {
    readonly effects: EngineEffect[] = [];
    /** Changed requests (null: removed). */
    readonly #reqOv = new Map<string, CallBackRequest | null>();
    /** Ids of requests not in the base state, in the order added. */
    readonly #added: string[] = [];
    readonly #queueOv = new Map<string, string[]>();
    readonly #callerOv = new Map<string, string[]>();
    readonly #watchOv = new Map<string, CalleeWatch | null>();
    readonly #offerOv = new Map<string, ReplaceOffer | null>();
    readonly #offersAdded: string[] = [];
    #alarmsOv: Set<string> | null = null;
    /** Called numbers whose watch or queue changed: the ones to serve. */
    readonly touched = new Set<string>();
    size: number;
    seq: number;
    durable: number;
    persist = false;
    #resort = false;

    constructor(
        readonly base: EngineState,
        readonly ix: StateIndex,
        readonly t: number,
        readonly view: ClusterView,
    ) {
        this.size = base.requests.length;
        this.seq = base.seq;
        this.durable = base.durable;
    }

    /** Generation the current changes will be persisted under. */
    get generation(): number {
        return this.base.generation + 1;
    }

    // --- requests ---

    get(id: string): CallBackRequest | undefined {
        if (this.#reqOv.has(id)) return this.#reqOv.get(id) ?? undefined;
        return this.ix.byId.get(id);
    }

    /** Every request, in press order. */
    all(): CallBackRequest[] {
        const out: CallBackRequest[] = [];
        const ov = this.#reqOv;
        for (const r of this.base.requests) {
            const cur = ov.get(r.id);
            if (cur === undefined) out.push(r);
            else if (cur !== null) out.push(cur);
        }
        for (const id of this.#added) {
            const cur = this.get(id);
            if (cur !== undefined) out.push(cur);
        }
        return this.#resort ? out.sort(bySeq) : out;
    }

    /** Requests changed in this call, in press order. */
    changed(): CallBackRequest[] {
        const out: CallBackRequest[] = [];
        for (const v of this.#reqOv.values()) if (v !== null) out.push(v);
        return out.sort(bySeq);
    }

    /** Requests of a base-index class (pending, suspended, notified) plus changed ones matching, in press order. */
    select(set: ReadonlySet<string>, pred: (r: CallBackRequest) => boolean): CallBackRequest[] {
        const out: CallBackRequest[] = [];
        for (const id of set) {
            if (this.#reqOv.has(id)) continue;
            const r = this.ix.byId.get(id);
            if (r !== undefined && pred(r)) out.push(r);
        }
        for (const v of this.#reqOv.values()) if (v !== null && pred(v)) out.push(v);
        return out.sort(bySeq);
    }

    #list(ov: Map<string, string[]>, base: Map<string, string[]>, key: string): readonly string[] {
        return ov.get(key) ?? base.get(key) ?? [];
    }

    #mutList(ov: Map<string, string[]>, base: Map<string, string[]>, key: string): string[] {
        let l = ov.get(key);
        if (l === undefined) {
            l = [...(base.get(key) ?? [])];
            ov.set(key, l);
        }
        return l;
    }

    #resolve(ids: readonly string[]): CallBackRequest[] {
        const out: CallBackRequest[] = [];
        for (const id of ids) {
            const r = this.get(id);
            if (r !== undefined) out.push(r);
        }
        return out;
    }

    /** Requests of a called number, in press order. */
    queue(dn: string): CallBackRequest[] {
        return this.#resolve(this.#list(this.#queueOv, this.ix.queues, dn));
    }

    /** Requests of a calling phone, in press order. */
    ofCaller(device: string): CallBackRequest[] {
        return this.#resolve(this.#list(this.#callerOv, this.ix.byCaller, device));
    }

    /** Replaces a request (same id, same place). */
    put(r: CallBackRequest, persist = true): void {
        this.#reqOv.set(r.id, r);
        this.touched.add(r.calledDn);
        if (persist) this.persist = true;
    }

    /** Adds a request (or puts back a replaced one) and its number's watch. */
    add(r: CallBackRequest): void {
        const inBase = this.ix.byId.has(r.id);
        if (!inBase && !this.#added.includes(r.id)) this.#added.push(r.id);
        this.#reqOv.set(r.id, r);
        const older = r.seq !== this.seq;
        if (older) this.#resort = true; // a replaced request put back keeps its place
        for (const [ov, base, key] of [
            [this.#queueOv, this.ix.queues, r.calledDn],
            [this.#callerOv, this.ix.byCaller, r.caller.device],
        ] as const) {
            const l = this.#mutList(ov, base, key);
            l.push(r.id);
            if (older) l.sort((a, b) => (this.get(a) as CallBackRequest).seq - (this.get(b) as CallBackRequest).seq);
        }
        this.size++;
        this.ensureWatch(r.calledDn);
        this.touched.add(r.calledDn);
        this.persist = true;
    }

    /** Removes a request; drops its number's watch when it was the last one. */
    remove(r: CallBackRequest): void {
        this.#reqOv.set(r.id, null);
        const q = this.#mutList(this.#queueOv, this.ix.queues, r.calledDn);
        q.splice(q.indexOf(r.id), 1);
        const c = this.#mutList(this.#callerOv, this.ix.byCaller, r.caller.device);
        c.splice(c.indexOf(r.id), 1);
        if (q.length === 0) this.#watchOv.set(r.calledDn, null);
        this.size--;
        this.touched.add(r.calledDn);
        this.persist = true;
    }

    // --- watches ---

    watch(dn: string): CalleeWatch | undefined {
        if (this.#watchOv.has(dn)) return this.#watchOv.get(dn) ?? undefined;
        return this.ix.watches.get(dn);
    }

    setWatch(w: CalleeWatch): void {
        this.#watchOv.set(w.dn, w);
        this.touched.add(w.dn);
    }

    ensureWatch(dn: string): void {
        if (this.watch(dn) !== undefined) return;
        const s = this.view.dnState(dn);
        this.setWatch({ dn, state: s.state, since: s.sinceMs ?? this.t, firstNotifiedAt: null });
    }

    /** Every watched number, in state order. */
    watchDns(): string[] {
        return this.#watchList().map((w) => w.dn);
    }

    #watchList(): CalleeWatch[] {
        const out: CalleeWatch[] = [];
        const ov = this.#watchOv;
        for (const w of this.base.callees) {
            const cur = ov.get(w.dn);
            if (cur === undefined) out.push(w);
            else if (cur !== null) out.push(cur);
        }
        for (const [dn, w] of this.#watchOv) if (w !== null && !this.ix.watches.has(dn)) out.push(w);
        return out;
    }

    // --- offers ---

    offer(id: string): ReplaceOffer | undefined {
        if (this.#offerOv.has(id)) return this.#offerOv.get(id) ?? undefined;
        return this.ix.offers.get(id);
    }

    /** Every offer, oldest first. */
    offers(): ReplaceOffer[] {
        const out: ReplaceOffer[] = [];
        for (const x of this.base.offers) {
            const cur = this.offer(x.id);
            if (cur !== undefined) out.push(cur);
        }
        for (const id of this.#offersAdded) {
            const cur = this.offer(id);
            if (cur !== undefined) out.push(cur);
        }
        return out;
    }

    addOffer(x: ReplaceOffer): void {
        this.#offerOv.set(x.id, x);
        this.#offersAdded.push(x.id);
    }

    removeOffer(id: string): void {
        this.#offerOv.set(id, null);
    }

    // --- effects and alarms ---

    emit(e: EngineEffect): void {
        this.effects.push(e);
    }

    #alarmSet(): Set<string> {
        if (this.#alarmsOv === null) this.#alarmsOv = new Set(this.base.alarms);
        return this.#alarmsOv;
    }

    raise(id: string, details: string): void {
        if (this.#alarmSet().has(id)) return;
        this.#alarmSet().add(id);
        this.emit({ type: "Alarm", id, action: "raise", details });
    }

    clear(id: string, details: string): void {
        if (!(this.#alarmsOv !== null ? this.#alarmsOv.has(id) : this.base.alarms.includes(id))) return;
        this.#alarmSet().delete(id);
        this.emit({ type: "Alarm", id, action: "clear", details });
    }

    // --- commit ---

    /** Builds the next state (sharing unchanged arrays); a Persist effect closes the effects when needed. */
    finish(): EngineResult {
        const generation = this.persist ? this.generation : this.base.generation;
        if (this.persist) this.emit({ type: "Persist", generation });
        const state: EngineState = {
            version: 1,
            seq: this.seq,
            now: this.t,
            generation,
            durable: this.durable,
            requests: this.#reqOv.size === 0 ? this.base.requests : this.all(),
            offers: this.#offerOv.size === 0 ? this.base.offers : this.offers(),
            callees: this.#watchOv.size === 0 ? this.base.callees : this.#watchList(),
            alarms: this.#alarmsOv === null ? this.base.alarms : [...this.#alarmsOv].sort(),
        };
        return { state, effects: this.effects };
    }

    /** What changed, for the deadline bookkeeping: request ids, watched numbers, offer ids. */
    changes(): { requests: Iterable<string>; watches: Iterable<string>; offers: Iterable<string> } {
        return { requests: this.#reqOv.keys(), watches: this.#watchOv.keys(), offers: this.#offerOv.keys() };
    }

    /** Carries the base index over to the next state (call once, after `finish`). */
    commitIndex(): StateIndex {
        const ix = this.ix;
        for (const [id, v] of this.#reqOv) {
            ix.unclassify(id);
            if (v === null) ix.byId.delete(id);
            else {
                ix.byId.set(id, v);
                ix.classify(v);
            }
        }
        for (const [ov, base] of [
            [this.#queueOv, ix.queues],
            [this.#callerOv, ix.byCaller],
        ] as const) {
            for (const [k, l] of ov) {
                if (l.length === 0) base.delete(k);
                else base.set(k, l);
            }
        }
        for (const [dn, w] of this.#watchOv) {
            if (w === null) ix.watches.delete(dn);
            else ix.watches.set(dn, w);
        }
        for (const [id, x] of this.#offerOv) {
            if (x === null) ix.offers.delete(id);
            else ix.offers.set(id, x);
        }
        return ix;
    }
}
