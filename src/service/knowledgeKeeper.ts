/**
 * Keeps what the box learned about the cluster (issue N): restores it into the model at start, writes it to
 * its own slot pair on flash when it changes (within `cluster.knowledgeWriteDelayMs`, one write for a
 * storm of registrations, on the flash write budget the request snapshots share), refreshes it daily, hands
 * it to the redundancy link, and says which phones the box cannot serve (`cluster.phones-unlearned`).
 * Apart from the request snapshots because it is much larger (hundreds of bytes per phone) and changes
 * far less often: a request's durable write stays small and fast.
 */
import { unlearnedText } from "../cluster/knowledge.js";
import type { ClusterModel } from "../cluster/model.js";
import type { ClusterEvent } from "../cluster/types.js";
import { describeError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { FlashFs } from "../store/flashFs.js";
import { decodeKnowledge, KNOWLEDGE_FORMAT, KnowledgeEncoder } from "../store/knowledgeCodec.js";
import { KNOWLEDGE_SLOT_NAMES, SlotStore } from "../store/slots.js";
import { SnapshotWriter, type StoreHealthEvent, type WriteBudget } from "../store/snapshotWriter.js";

/** Alarm raised while phones with traffic lack the CallBack key or their numbers. */
export const UNLEARNED_ALARM = "cluster.phones-unlearned";
/** How often (engine time, ms) phones lacking what Call Back needs are looked for. */
const CHECK_MS = 5000;
/**
 * Knowledge is written when it changes; when it does not for this long (engine time, ms) it is written
 * anyway, so the time each phone was last seen on flash stays within a day of the truth (a box restarted
 * after weeks without a registration must not take its phones for gone).
 */
const REFRESH_MS = 24 * 3_600_000;
/** A phone counts as unlearned only once it has been seen this long (s) without its CallBack key or numbers. */
const UNLEARNED_GRACE_S = 30;
/** Devices whose uninterpretable softkey press was logged (bounded; cleared when full). */
const MAX_PRESS_LOGGED = 10_000;

export interface KnowledgeKeeperOptions {
    model: ClusterModel;
    fs: FlashFs;
    /** The flash write budget shared with the request snapshots. */
    budget: WriteBudget;
    /** Delay of a knowledge write after a change (cluster.knowledgeWriteDelayMs). */
    writeDelayMs: number;
    /** Engine time, ms. */
    now(): number;
    log: Logger;
    alarm(id: string, action: "raise" | "clear", details: string): void;
    onHealth(e: StoreHealthEvent): void;
    /** Told after each knowledge write (the redundancy link publishes it to the standbys). */
    written?(): void;
}

export class KnowledgeKeeper {
    readonly store: SlotStore;
    readonly writer: SnapshotWriter;
    readonly #o: KnowledgeKeeperOptions;
    readonly #encoder = new KnowledgeEncoder();
    /** The last encoding and the model version it was made at. */
    #encoded: { version: number; bytes: Uint8Array } | null = null;
    /** Model knowledge version a write was last asked for, and when (engine time). */
    #seen = 0;
    #askedAt = Number.NEGATIVE_INFINITY;
    #checkAt = Number.NEGATIVE_INFINITY;
    /** The unlearned alarm's text as raised (null: clear). */
    #unlearnedText: string | null = null;
    readonly #pressLogged = new Set<string>();
    #stopped = false;

    constructor(o: KnowledgeKeeperOptions) {
        this.#o = o;
        this.store = new SlotStore(o.fs, Date.now, KNOWLEDGE_SLOT_NAMES);
        this.writer = new SnapshotWriter(
            this.store,
            { snapshot: () => ({ formatVersion: KNOWLEDGE_FORMAT, payload: this.payload() }) },
            { budget: o.budget, onHealth: o.onHealth, onWritten: () => o.written?.() },
        );
    }

    /** The knowledge as a knowledge slot's payload (only the devices that changed are encoded again). */
    payload(): Uint8Array {
        const version = this.#o.model.knowledgeVersion;
        if (this.#encoded !== null && this.#encoded.version === version) return this.#encoded.bytes;
        const bytes = this.#encoder.encode(this.#o.model.knowledgeExport());
        this.#encoded = { version, bytes };
        return bytes;
    }

    /**
     * Restores the newest knowledge on flash into the model (before any traffic): it serves at once. The
     * older slot when the newest cannot be decoded; nothing (with an alarm) when neither can.
     */
    async load(): Promise<{ devices: number; slots: string[] }> {
        const { value, slots } = await this.store.loadDecoded(
            (record) => this.#o.model.restoreKnowledge(decodeKnowledge(record.payload)),
            "knowledge",
            (details) => this.#o.alarm("flash.corrupt-slot", "raise", details),
        );
        this.#askedAt = this.#o.now();
        return { devices: value ?? 0, slots };
    }

    /** Takes a standby's replica of the active box's knowledge: the phones this box does not know itself. */
    applyReplica(payload: Uint8Array): number {
        const n = this.#o.model.restoreKnowledge(decodeKnowledge(payload));
        if (n > 0) this.#encoded = null;
        return n;
    }

    /** After input: a write when knowledge changed (cheap: one number compared). */
    changed(): void {
        if (this.#o.model.knowledgeVersion !== this.#seen) this.#ask();
    }

    #ask(): void {
        this.#seen = this.#o.model.knowledgeVersion;
        this.#askedAt = this.#o.now();
        if (this.#stopped) return;
        this.writer.persistLater(this.#o.writeDelayMs);
    }

    /** Every few seconds of engine time: the unlearned-phones alarm, and the daily refresh. */
    check(now: number): void {
        if (now < this.#checkAt) return;
        this.#checkAt = now + CHECK_MS;
        if (this.#o.model.knowledgeVersion !== this.#seen) this.#ask();
        else if (now - this.#askedAt >= REFRESH_MS && this.#o.model.stats().devices > 0) {
            this.#encoder.reset();
            this.#encoded = null;
            this.#ask();
        }
        // a phone registering now gets its template and lines within a second: only count it after a while
        const seenBefore = now / 1000 - UNLEARNED_GRACE_S;
        const phones = this.#o.model.unlearnedPhones().filter((p) => p.seenAt <= seenBefore);
        const text = phones.length === 0 ? null : unlearnedText(phones);
        if (text === this.#unlearnedText) return;
        this.#unlearnedText = text;
        if (text !== null) this.#o.alarm(UNLEARNED_ALARM, "raise", text);
        else this.#o.alarm(UNLEARNED_ALARM, "clear", "every phone with traffic has its CallBack key and numbers");
    }

    /** A softkey press the box cannot interpret (template not learned): said once per phone. */
    pressNotUnderstood(e: Extract<ClusterEvent, { type: "SoftKeyPressed" }>): void {
        if (this.#pressLogged.has(e.device)) return;
        if (this.#pressLogged.size >= MAX_PRESS_LOGGED) this.#pressLogged.clear();
        this.#pressLogged.add(e.device);
        this.#o.log.info(
            { device: e.device, name: e.name, event: e.event },
            "softkey press not interpreted: this phone's softkey template is not known (a CallBack press is not recognised until it is: reset the phone from CallManager, or wait for its next registration)",
        );
    }

    /** Writes what changed (orderly stop), then stops. */
    async stop(): Promise<void> {
        this.#stopped = true;
        await this.writer.flush().catch((err: unknown) => {
            this.#o.log.error({ error: describeError(err) }, "final knowledge write failed");
        });
        this.writer.close();
    }
}
