/** Local calendar time of an instant in an IANA time zone, as DefineTimeDate carries it. */

/** Local calendar fields of an instant in a time zone (DefineTimeDate). */
export interface LocalTime {
    year: number;
    month: number;
    /** 0 = Sunday. */
    dayOfWeek: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    millisecond: number;
    /** UTC seconds since the epoch. */
    systemTime: number;
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

const LAST_LOCAL = new Map<string, LocalTime>();

/** Local time of `ms` in the IANA time zone `tz` ("UTC", "Europe/Paris", ...). */
export function localTime(ms: number, tz: string): LocalTime {
    // Formatting is slow; within the same second only the milliseconds change.
    const last = LAST_LOCAL.get(tz);
    if (last !== undefined && last.systemTime === Math.floor(ms / 1000)) {
        return { ...last, millisecond: Math.floor(ms % 1000) };
    }
    const t = formatLocal(ms, tz);
    LAST_LOCAL.set(tz, t);
    return t;
}

function formatLocal(ms: number, tz: string): LocalTime {
    let f = FORMATTERS.get(tz);
    if (f === undefined) {
        f = new Intl.DateTimeFormat("en-US", {
            timeZone: tz,
            hourCycle: "h23",
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
            weekday: "short",
        });
        FORMATTERS.set(tz, f);
    }
    const parts: Record<string, string> = {};
    for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
    return {
        year: Number(parts.year),
        month: Number(parts.month),
        dayOfWeek: WEEKDAYS[parts.weekday ?? "Sun"] ?? 0,
        day: Number(parts.day),
        hour: Number(parts.hour),
        minute: Number(parts.minute),
        second: Number(parts.second),
        millisecond: Math.floor(ms % 1000),
        systemTime: Math.floor(ms / 1000),
    };
}
