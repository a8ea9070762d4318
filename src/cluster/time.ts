/**
 * The phone's own clock. DefineTimeDate sets the phone's local wall-clock time; the phone then runs its own
 * clock. We keep the local time it was set to and the capture time it was set at, and advance by capture
 * time: this needs neither the box clock nor the CallManager's systemTime to agree with the capture clock.
 */
import type { SccpFields } from "../sccp/codec.js";
import type { PhoneTimeView } from "./types.js";

/** Clock state kept per device. */
export interface PhoneClock {
    /** Local wall-clock time the phone was set to, as if it were UTC (ms). */
    localMs: number;
    /** Capture time of the DefineTimeDate (s). */
    setAt: number;
    /** Local minus UTC, seconds rounded to the minute; null without a systemTime. */
    utcOffsetS: number | null;
}

function n(f: SccpFields, k: string): number {
    const v = f[k];
    return typeof v === "number" ? v : 0;
}

/** Reads DefineTimeDate fields; null when they are not a plausible date. */
export function clockFromTimeDate(f: SccpFields, ts: number): PhoneClock | null {
    const year = n(f, "wYear");
    const month = n(f, "wMonth");
    const day = n(f, "wDay");
    const hour = n(f, "wHour");
    const minute = n(f, "wMinute");
    const second = n(f, "wSecond");
    if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) {
        return null;
    }
    const localMs = Date.UTC(
        year,
        month - 1,
        day,
        hour,
        minute,
        Math.min(second, 59),
        Math.min(n(f, "wMilliseconds"), 999),
    );
    const sys = n(f, "systemTime");
    const utcOffsetS = sys > 0 ? Math.round((localMs / 1000 - sys) / 60) * 60 : null;
    return { localMs, setAt: ts, utcOffsetS };
}

/** The phone's local time at capture time `now`. */
export function phoneTimeAt(c: PhoneClock, now: number, dateTemplate: string | null): PhoneTimeView {
    const d = new Date(c.localMs + Math.round((now - c.setAt) * 1000));
    return {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
        dayOfWeek: d.getUTCDay(),
        dateTemplate,
        utcOffsetS: c.utcOffsetS,
        setAt: c.setAt,
    };
}

function two(v: number): string {
    return v < 10 ? `0${v}` : String(v);
}

/**
 * Formats a phone time the way the phone shows it: the date template's order and separator ("M/D/Y",
 * "D.M.Y", "Y-M-D"; two-digit year) and a 24-hour clock, or 12-hour with am/pm when the template ends in
 * "A" (e.g. "M/D/YA"). Returns "hh:mm dd/mm/yy"-style text: time first, then date.
 */
export function formatPhoneTime(t: PhoneTimeView): string {
    const tpl = (t.dateTemplate ?? "M/D/Y").toUpperCase();
    const twelve = tpl.endsWith("A");
    const valid = tpl.replace(/[^MDY]/g, "").length === 3;
    const order = valid ? tpl.replace(/[^MDY]/g, "") : "MDY";
    const sep = valid ? (tpl.match(/[^MDYA]/)?.[0] ?? "/") : "/";
    const parts: string[] = [];
    for (const ch of order) {
        if (ch === "M") parts.push(two(t.month));
        else if (ch === "D") parts.push(two(t.day));
        else parts.push(two(t.year % 100));
    }
    let time: string;
    if (twelve) {
        const h = t.hour % 12 === 0 ? 12 : t.hour % 12;
        time = `${h}:${two(t.minute)}${t.hour < 12 ? "am" : "pm"}`;
    } else {
        time = `${two(t.hour)}:${two(t.minute)}`;
    }
    return `${time} ${parts.join(sep)}`;
}
