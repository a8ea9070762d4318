/**
 * The management plane's own durable numbers: the MQTT session number (bumped on every connection, the
 * `session` of birth and death) and the alarm event positions (last given out, last acknowledged). Kept
 * in an A/B slot pair (`mgmt-state.a/b`) through a coalescing writer, beside the outbox in the same
 * directory.
 */
import type { FlashFs } from "../store/flashFs.js";
import { SlotStore } from "../store/slots.js";
import { SnapshotWriter, type StoreHealthEvent } from "../store/snapshotWriter.js";
import type { Clock } from "../util/clock.js";

/** What is persisted. */
export interface MgmtPersistentState {
    /** Session number of the last connection (0: never connected). */
    session: number;
    /** Alarm events up to here were acknowledged by the broker. */
    ackedSeq: number;
    /** Highest alarm event number given out. */
    lastSeq: number;
}

const FORMAT_VERSION = 1;

/** A FlashFs whose names are `prefix + name` in `fs` (several stores sharing one directory). */
export function prefixedFs(fs: FlashFs, prefix: string): FlashFs {
    return {
        read: (name) => fs.read(prefix + name),
        writeDurable: (name, data) => fs.writeDurable(prefix + name, data),
        rename: (from, to) => fs.rename(prefix + from, prefix + to),
        syncDir: () => fs.syncDir(),
        remove: (name) => fs.remove(prefix + name),
        list: async () => (await fs.list()).filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)),
    };
}

/** Non-negative safe integer, else 0. */
function count(v: unknown): number {
    return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/** The durable state store of the management plane. */
export class MgmtStateStore {
    readonly #slots: SlotStore;
    readonly #writer: SnapshotWriter;
    #state: MgmtPersistentState = { session: 0, ackedSeq: 0, lastSeq: 0 };

    constructor(
        fs: FlashFs,
        options: { timers?: Clock; maxWritesPerHour?: number; onHealth?: (e: StoreHealthEvent) => void } = {},
    ) {
        this.#slots = new SlotStore(prefixedFs(fs, "mgmt-"), options.timers ? () => options.timers!.now() : Date.now);
        const writerOptions = {
            maxWritesPerHour: options.maxWritesPerHour ?? 3600,
            retryMs: 2000,
            ...(options.timers === undefined ? {} : { timers: options.timers }),
            ...(options.onHealth === undefined ? {} : { onHealth: options.onHealth }),
        };
        this.#writer = new SnapshotWriter(
            this.#slots,
            {
                snapshot: () => ({
                    formatVersion: FORMAT_VERSION,
                    payload: new TextEncoder().encode(JSON.stringify(this.#state)),
                }),
            },
            writerOptions,
        );
    }

    /** The current values. */
    get state(): Readonly<MgmtPersistentState> {
        return this.#state;
    }

    /** Reads the newest valid slot (zeros when there is none or it does not parse). */
    async load(): Promise<Readonly<MgmtPersistentState>> {
        const { record } = await this.#slots.load();
        if (record !== null) {
            try {
                const raw = JSON.parse(new TextDecoder().decode(record.payload)) as Record<string, unknown>;
                this.#state = {
                    session: count(raw.session),
                    ackedSeq: count(raw.ackedSeq),
                    lastSeq: count(raw.lastSeq),
                };
            } catch {
                // A slot with a valid CRC but bad JSON: start from zero rather than not at all.
            }
        }
        return this.#state;
    }

    /** Changes values; the promise resolves when they are durable (rejects with StoreError if they cannot be). */
    update(patch: Partial<MgmtPersistentState>): Promise<void> {
        this.#state = { ...this.#state, ...patch };
        return this.#writer.persist();
    }

    /** Writes pending changes now. */
    flush(): Promise<void> {
        return this.#writer.flush();
    }

    /** Stops the writer's timers. */
    close(): void {
        this.#writer.close();
    }
}
