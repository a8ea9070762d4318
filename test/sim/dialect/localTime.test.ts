/** DefineTimeDate's calendar fields in a time zone, and the per-second cache. */
import t from "tap";
import { localTime } from "../../../src/sim/dialect/localTime.js";

t.test("local fields follow the zone; the week starts on Sunday", async (t) => {
    const ms = Date.UTC(2024, 6, 14, 22, 30, 15, 250); // a Sunday, 22:30 UTC
    t.match(localTime(ms, "UTC"), { year: 2024, month: 7, day: 14, dayOfWeek: 0, hour: 22, minute: 30, second: 15 });
    t.match(localTime(ms, "Europe/Paris"), { day: 15, dayOfWeek: 1, hour: 0, millisecond: 250 });
    t.equal(localTime(ms, "UTC").systemTime, Math.floor(ms / 1000));
});

t.test("within one second only the milliseconds move", async (t) => {
    const ms = Date.UTC(2024, 0, 1, 0, 0, 0, 100);
    const a = localTime(ms, "America/New_York");
    const b = localTime(ms + 800, "America/New_York");
    t.same({ ...b, millisecond: a.millisecond }, a);
    t.equal(b.millisecond, 900);
    t.equal(localTime(ms + 1000, "America/New_York").second, 1);
});
