/**
 * The requests' durability: the engine state as a snapshot on the A/B slots (and through the redundancy
 * link), one write per burst of Persist effects, its result back into the engine (PersistDone or
 * PersistFailed), and the state restored at start. "Call Back is activated" waits for this.
 */
import type { EngineInput, EngineState } from "../callback/types.js";
import { describeError } from "../errors.js";
import type { FlashFs } from "../store/flashFs.js";
import { SlotStore } from "../store/slots.js";
import { decodePayload, encodeSnapshot, FORMAT_PROTOBUF, type SnapshotContent } from "../store/snapshotCodec.js";
import { SnapshotWriter, type StoreHealthEvent, type WriteBudget } from "../store/snapshotWriter.js";

/** Where state is replicated besides flash (the redundancy link): a request is durable once both hold it. */
export interface Replication {
    replicate(): Promise<void>;
    /** The knowledge changed on flash: hand it to the standbys too (nothing waits for it). */
    replicateKnowledge?(): void;
}

export interface DurabilityOptions {
    fs: FlashFs;
    /** Shared with the knowledge's writer: one flash write budget. */
    budget: WriteBudget;
    /** The engine state to write. */
    state: () => EngineState;
    /** Feeds PersistDone / PersistFailed into the engine. */
    input: (input: EngineInput) => void;
    onHealth: (e: StoreHealthEvent) => void;
    alarm: (id: string, action: "raise" | "clear", details: string) => void;
}

/** What `load` found: the newest readable snapshot (null: none) and a line per slot. */
export interface Loaded {
    content: SnapshotContent | null;
    slots: string[];
}

export class Durability {
    readonly store: SlotStore;
    readonly writer: SnapshotWriter;
    readonly #o: DurabilityOptions;
    #replication: Replication | null = null;
    /** Carried through snapshots for the MQTT plane (restored, written back unchanged). */
    #session = 0;
    #outboxAckedEseq = 0;
    /** The last encoded snapshot and what it was made of (engine states are immutable values). */
    #encodedCache: { state: EngineState; session: number; eseq: number; bytes: Uint8Array } | null = null;
    /** A write to start after this event-loop turn, covering changes up to #persistUpTo. */
    #persistSoon: NodeJS.Immediate | null = null;
    /** The durable write (and replication) in progress, until its result has gone into the engine. */
    #persisting: Promise<void> | null = null;
    #persistUpTo = 0;
    /** Whether a write failure must fail activations (not when the store was already unhealthy). */
    #persistReport = false;

    constructor(o: DurabilityOptions) {
        this.#o = o;
        this.store = new SlotStore(o.fs);
        this.writer = new SnapshotWriter(
            this.store,
            { snapshot: () => ({ formatVersion: FORMAT_PROTOBUF, payload: this.encoded() }) },
            { onHealth: o.onHealth, budget: o.budget },
        );
    }

    get replication(): Replication | null {
        return this.#replication;
    }

    /** Replicates through `r` as well as to flash (a request is acknowledged once both hold it). */
    attachReplication(r: Replication | null): void {
        this.#replication = r;
    }

    /** The snapshot of the current state, encoded once for both the flash write and the replication. */
    encoded(): Uint8Array {
        const state = this.#o.state();
        const c = this.#encodedCache;
        if (c !== null && c.state === state && c.session === this.#session && c.eseq === this.#outboxAckedEseq) {
            return c.bytes;
        }
        const bytes = encodeSnapshot({ engine: state, session: this.#session, outboxAckedEseq: this.#outboxAckedEseq });
        this.#encodedCache = { state, session: this.#session, eseq: this.#outboxAckedEseq, bytes };
        return bytes;
    }

    /**
     * Loads the newest snapshot it can read: the newest slot first; when it cannot be decoded (e.g. written
     * by a newer release after a downgrade) the older one. Bad slots raise flash.corrupt-slot.
     */
    async load(): Promise<Loaded> {
        const { value, slots } = await this.store.loadDecoded(
            // any released format (1: JSON, 2: protobuf); the next write upgrades it to the current one
            (record) => decodePayload(record.formatVersion, record.payload),
            "snapshot",
            (details) => this.#o.alarm("flash.corrupt-slot", "raise", details),
        );
        if (value !== null) {
            this.#session = value.session;
            this.#outboxAckedEseq = value.outboxAckedEseq;
        }
        return { content: value, slots };
    }

    /** The Persist effect: a write covering generation `generation`, started after this event-loop turn. */
    persist(generation: number): void {
        // A failing state directory cannot promise durability: new activations fail at once (the write is
        // still queued, so the writer keeps retrying and notices when flash works again).
        const healthy = this.writer.healthy;
        if (!healthy) {
            queueMicrotask(() => this.#o.input({ type: "PersistFailed", upTo: generation, error: "STORE_UNHEALTHY" }));
        }
        // The write encodes a snapshot on the event loop: it starts after this turn, so the pushes this turn
        // decided leave the box first (and every change of the turn shares one write).
        this.#persistUpTo = Math.max(this.#persistUpTo, generation);
        if (healthy) this.#persistReport = true;
        this.#persistSoon ??= setImmediate(() => this.#persistNow());
    }

    /** Starts the write (and the replication) covering every change up to the latest Persist. */
    #persistNow(): void {
        if (this.#persistSoon !== null) clearImmediate(this.#persistSoon);
        this.#persistSoon = null;
        const generation = this.#persistUpTo;
        const report = this.#persistReport;
        this.#persistReport = false;
        const replicated = this.#replication?.replicate() ?? Promise.resolve();
        const done = Promise.all([this.writer.persist(), replicated]).then(
            () => this.#o.input({ type: "PersistDone", upTo: generation }),
            (err: unknown) => {
                // an unhealthy store already failed these activations at once
                if (report) this.#o.input({ type: "PersistFailed", upTo: generation, error: describeError(err).code });
            },
        );
        const tracked: Promise<void> = done.finally(() => {
            if (this.#persisting === tracked) this.#persisting = null;
        });
        this.#persisting = tracked;
    }

    /**
     * Capture time: resolves once the writes of durable changes asked so far are done (null when none is).
     * A replay waits for it before the next frame: live, a write takes milliseconds of the wire's time, while
     * a replay moves capture time on by seconds per millisecond and would fail the activation at its timeout.
     */
    durableWritesDone(): Promise<void> | null {
        if (this.#persistSoon === null && this.#persisting === null) return null;
        return new Promise((resolve) => setImmediate(resolve)).then(() => this.#persisting ?? undefined);
    }

    /** Orderly stop: the write asked for starts now, the final snapshot is written, the writer closes. */
    async stop(onError: (err: unknown) => void): Promise<void> {
        if (this.#persistSoon !== null) this.#persistNow();
        await this.writer.flush().catch(onError);
        this.writer.close();
    }
}
