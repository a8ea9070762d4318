import t from "tap";
import { StoreAlarms } from "../../src/service/storeAlarms.js";
import { StoreError } from "../../src/store/slots.js";

function alarms() {
    const seen: string[] = [];
    return { seen, a: new StoreAlarms((id, action) => seen.push(`${action} ${id}`)) };
}
const failed = { type: "write-failed" as const, error: new StoreError("STORE_SNAPSHOT_FAILED", "ENOSPC") };

t.test("flash.not-writable: raised by the first writer to fail, cleared when the last recovers", async (t) => {
    const { seen, a } = alarms();
    a.onHealth("requests", failed);
    a.onHealth("knowledge", failed);
    t.same(seen, ["raise flash.not-writable"], "one raise for two failing writers");
    a.onHealth("requests", { type: "recovered" });
    t.same(seen, ["raise flash.not-writable"], "kept while the knowledge still fails");
    a.onHealth("knowledge", { type: "recovered" });
    t.same(seen, ["raise flash.not-writable", "clear flash.not-writable"]);
    a.onHealth("knowledge", { type: "recovered" });
    t.equal(seen.length, 2, "a recovery without a failure clears nothing");
});

t.test("flash.write-rate: one alarm for the shared ceiling", async (t) => {
    const { seen, a } = alarms();
    const over = { type: "write-rate-exceeded" as const, writesLastHour: 3700, ceiling: 3600 };
    const normal = { type: "write-rate-normal" as const, writesLastHour: 100 };
    a.onHealth("knowledge", over);
    a.onHealth("requests", over);
    a.onHealth("knowledge", normal);
    t.same(seen, ["raise flash.write-rate"]);
    a.onHealth("requests", normal);
    t.same(seen, ["raise flash.write-rate", "clear flash.write-rate"]);
    a.onHealth("requests", normal);
    t.equal(seen.length, 2);
});
