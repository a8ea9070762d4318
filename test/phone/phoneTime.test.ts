import t from "tap";
import {
    DEFAULT_DATE_FORMAT,
    formatPhoneTime,
    parseDateTemplate,
    utcOffsetFromTimeDate,
} from "../../src/phone/phoneTime.js";

const AT = Date.UTC(2025, 11, 31, 23, 59, 30); // 2025-12-31 23:59:30 UTC

t.test("date templates", async (t) => {
    t.same(parseDateTemplate("M/D/Y"), DEFAULT_DATE_FORMAT);
    t.same(parseDateTemplate("D.M.Y"), { order: ["D", "M", "Y"], separator: ".", hour12: false });
    t.same(parseDateTemplate("Y-M-DA"), { order: ["Y", "M", "D"], separator: "-", hour12: true });
    t.same(parseDateTemplate("m/d/ya"), { order: ["M", "D", "Y"], separator: "/", hour12: true });
    t.same(parseDateTemplate("D.M.Y\u0000\u0000"), parseDateTemplate("D.M.Y"), "NUL padding from the wire");
    for (const bad of [undefined, "", "D/D/Y", "M/D.Y", "MDY", "M/D/Y/", "X/D/Y"]) {
        t.same(parseDateTemplate(bad), DEFAULT_DATE_FORMAT, `default for ${JSON.stringify(bad)}`);
    }
});

t.test("formatting in the phone's zone and template", async (t) => {
    t.same(formatPhoneTime({ epochMs: AT }), { time: "23:59", date: "12/31/25" });
    t.same(formatPhoneTime({ epochMs: AT, utcOffsetMinutes: 60, dateTemplate: "D.M.Y" }), {
        time: "00:59",
        date: "01.01.26",
    });
    t.same(formatPhoneTime({ epochMs: AT, utcOffsetMinutes: -330, dateTemplate: "Y/M/DA" }), {
        time: "6:29 PM",
        date: "25/12/31",
    });
    t.same(formatPhoneTime({ epochMs: Date.UTC(2025, 0, 2, 0, 7), dateTemplate: "M/D/YA" }).time, "12:07 AM");
    t.same(formatPhoneTime({ epochMs: Date.UTC(2025, 0, 2, 12, 7), dateTemplate: "M/D/YA" }).time, "12:07 PM");
    t.same(formatPhoneTime({ epochMs: AT, utcOffsetMinutes: Number.NaN }).time, "23:59");
    t.same(formatPhoneTime({ epochMs: Number.NaN }), { time: "--:--", date: "--/--/--" });
});

t.test("UTC offset from DefineTimeDate", async (t) => {
    const sys = Math.floor(Date.UTC(2025, 2, 7, 13, 5, 0) / 1000);
    const base = { year: 2025, month: 3, day: 7, minute: 5, second: 0 };
    t.equal(utcOffsetFromTimeDate({ ...base, hour: 14, systemTime: sys }), 60);
    t.equal(utcOffsetFromTimeDate({ ...base, hour: 13, systemTime: sys + 2 }), 0, "seconds of skew round away");
    t.equal(utcOffsetFromTimeDate({ ...base, hour: 18, minute: 35, systemTime: sys }), 330);
    t.equal(utcOffsetFromTimeDate({ ...base, hour: 8, systemTime: sys }), -300);
    t.equal(utcOffsetFromTimeDate({ ...base, hour: 13, systemTime: 0 }), undefined);
    t.equal(utcOffsetFromTimeDate({ ...base, year: 2030, hour: 13, systemTime: sys }), undefined, "implausible");
    t.equal(utcOffsetFromTimeDate({ ...base, hour: Number.NaN, systemTime: sys }), undefined);
});
