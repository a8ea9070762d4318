/**
 * Glue from the flash store's health reports (src/store) to the catalogue's flash alarms, for the service
 * to wire: `new SnapshotWriter(store, source, { onHealth: storeHealthAlarms(mgmt.alarms) })`.
 */
import type { LoadResult } from "../store/slots.js";
import type { StoreHealthEvent } from "../store/snapshotWriter.js";
import type { AlarmManager } from "./alarmManager.js";

/** An onHealth callback raising and clearing `flash.not-writable` and `flash.write-rate` for `resource`. */
export function storeHealthAlarms(alarms: AlarmManager, resource = "state"): (e: StoreHealthEvent) => void {
    return (e) => {
        switch (e.type) {
            case "write-failed":
                alarms.raise("flash.not-writable", {
                    resource,
                    cause: String(e.error.details.errno ?? e.error.code),
                    text: `State cannot be written to flash: ${e.error.message}`,
                });
                return;
            case "recovered":
                alarms.clear("flash.not-writable", { resource });
                return;
            case "write-rate-exceeded":
                alarms.raise("flash.write-rate", {
                    resource,
                    text: `${e.writesLastHour} snapshot writes in the last hour reach the ceiling of ${e.ceiling}; changes wait.`,
                });
                return;
            case "write-rate-normal":
                alarms.clear("flash.write-rate", { resource });
                return;
        }
    };
}

/** Raises `flash.corrupt-slot` for each slot a load set aside (call with SlotStore.load()'s result). */
export function corruptSlotAlarms(alarms: AlarmManager, result: LoadResult): void {
    for (const name of result.quarantined) {
        alarms.raise("flash.corrupt-slot", {
            resource: name.replace(/\.corrupt-.*$/, ""),
            text: `Snapshot slot set aside as ${name}.`,
        });
    }
}
