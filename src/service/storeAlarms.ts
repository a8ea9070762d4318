/**
 * The state directory's two alarms for its two writers. The request snapshots and the cluster knowledge
 * each have a SnapshotWriter reporting its own health transitions, but they share the directory and the
 * write ceiling, so an operator gets one flash.not-writable and one flash.write-rate: raised by the first
 * writer in trouble, cleared once none is (before this, a full disk raised flash.not-writable once per writer).
 */
import type { StoreHealthEvent } from "../store/snapshotWriter.js";

/** Which writer reports. */
export type StoreWriterName = "requests" | "knowledge";

/** Folds both writers' health events into alarm transitions. */
export class StoreAlarms {
    readonly #failing = new Set<StoreWriterName>();
    readonly #throttled = new Set<StoreWriterName>();
    readonly #alarm: (id: string, action: "raise" | "clear", details: string) => void;

    constructor(alarm: (id: string, action: "raise" | "clear", details: string) => void) {
        this.#alarm = alarm;
    }

    /** A health event of one writer. */
    onHealth(writer: StoreWriterName, e: StoreHealthEvent): void {
        switch (e.type) {
            case "write-failed":
                if (this.#up(this.#failing, writer)) this.#alarm("flash.not-writable", "raise", e.error.message);
                break;
            case "recovered":
                if (this.#down(this.#failing, writer))
                    this.#alarm("flash.not-writable", "clear", "snapshots are written again");
                break;
            case "write-rate-exceeded":
                if (this.#up(this.#throttled, writer))
                    this.#alarm(
                        "flash.write-rate",
                        "raise",
                        `${e.writesLastHour} writes in the last hour (ceiling ${e.ceiling})`,
                    );
                break;
            case "write-rate-normal":
                if (this.#down(this.#throttled, writer))
                    this.#alarm("flash.write-rate", "clear", `${e.writesLastHour} writes in the last hour`);
                break;
        }
    }

    /** Adds the writer; true when it is the first. */
    #up(set: Set<StoreWriterName>, writer: StoreWriterName): boolean {
        const first = set.size === 0;
        set.add(writer);
        return first;
    }

    /** Removes the writer; true when it was the last. */
    #down(set: Set<StoreWriterName>, writer: StoreWriterName): boolean {
        if (!set.delete(writer)) return false;
        return set.size === 0;
    }
}
