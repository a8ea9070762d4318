/**
 * The caller phone's own clock and date format: screens show time and date as that phone would, i.e. in its
 * local time (offset learnt from DefineTimeDate) and its SCCP date template (RegisterAck.dateTemplate, e.g.
 * "M/D/Y", "D.M.Y", "Y-M-D"; a trailing "A" selects the 12-hour clock, e.g. "M/D/YA"). Pure functions.
 */

/** What the box knows about a phone's clock. */
export interface PhoneTime {
    /** The instant to show (Unix epoch milliseconds). */
    readonly epochMs: number;
    /** Phone local time minus UTC, in minutes (from DefineTimeDate); 0 when unknown. */
    readonly utcOffsetMinutes?: number;
    /** SCCP date template from RegisterAck; "M/D/Y" when unknown or unusable. */
    readonly dateTemplate?: string;
}

/** A parsed date template: field order, separator, 12-hour clock. */
export interface DateFormat {
    readonly order: readonly ("D" | "M" | "Y")[];
    readonly separator: string;
    readonly hour12: boolean;
}

/** CallManager's default date format (the seed's "mm/dd/yy"). */
export const DEFAULT_DATE_FORMAT: DateFormat = { order: ["M", "D", "Y"], separator: "/", hour12: false };

/**
 * Parses an SCCP date template: the three letters D, M, Y in any order separated by one of "/ . -", optionally
 * followed by "A" (12-hour clock). NULs and spaces around it are ignored; anything else gives the default.
 */
export function parseDateTemplate(template: string | undefined): DateFormat {
    if (template === undefined) return DEFAULT_DATE_FORMAT;
    const nul = template.indexOf("\u0000");
    const t = (nul < 0 ? template : template.slice(0, nul)).trim().toUpperCase();
    const m = /^([DMY])([/.-])([DMY])\2([DMY])(A?)$/.exec(t);
    if (m === null) return DEFAULT_DATE_FORMAT;
    const order = [m[1], m[3], m[4]] as ("D" | "M" | "Y")[];
    if (new Set(order).size !== 3) return DEFAULT_DATE_FORMAT;
    return { order, separator: m[2]!, hour12: m[5] === "A" };
}

/** Time and date strings of a phone clock: "hh:mm" (or "h:mm AM") and e.g. "03/07/25" (two-digit fields). */
export function formatPhoneTime(pt: PhoneTime): { time: string; date: string } {
    const offset = pt.utcOffsetMinutes ?? 0;
    const d = new Date(pt.epochMs + (Number.isFinite(offset) ? offset : 0) * 60_000);
    if (Number.isNaN(d.getTime())) return { time: "--:--", date: "--/--/--" };
    const fmt = parseDateTemplate(pt.dateTemplate);
    const h = d.getUTCHours();
    const mm = pad2(d.getUTCMinutes());
    const time = fmt.hour12 ? `${h % 12 === 0 ? 12 : h % 12}:${mm} ${h < 12 ? "AM" : "PM"}` : `${pad2(h)}:${mm}`;
    const parts: Record<"D" | "M" | "Y", string> = {
        D: pad2(d.getUTCDate()),
        M: pad2(d.getUTCMonth() + 1),
        Y: pad2(d.getUTCFullYear() % 100),
    };
    return { time, date: fmt.order.map((f) => parts[f]).join(fmt.separator) };
}

/** Fields of SCCP DefineTimeDate (TimeDateRes 0x0094) needed to learn the phone's UTC offset. */
export interface TimeDateFields {
    readonly year: number;
    /** 1..12 */
    readonly month: number;
    readonly day: number;
    readonly hour: number;
    readonly minute: number;
    readonly second: number;
    /** Unix epoch seconds (UTC) of the same instant. */
    readonly systemTime: number;
}

/** The phone's UTC offset in minutes from one DefineTimeDate, rounded to 15 minutes; undefined if implausible. */
export function utcOffsetFromTimeDate(t: TimeDateFields): number | undefined {
    const local = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    if (!Number.isFinite(local) || !Number.isFinite(t.systemTime) || t.systemTime <= 0) return undefined;
    const minutes = Math.round((local / 1000 - t.systemTime) / 900) * 15;
    // real zones span UTC-12..UTC+14
    return minutes >= -12 * 60 && minutes <= 14 * 60 ? minutes : undefined;
}

function pad2(n: number): string {
    return n < 10 ? `0${n}` : String(n);
}
