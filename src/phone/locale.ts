/**
 * Which locale a phone's Call Back screens use: the static directory's locale, else the phone's
 * Accept-Language (sent when it fetches a screen), else the configured default. Japanese needs a phone that
 * shows Shift_JIS; on any other phone it falls back to English (en_US).
 */
import { REFERENCE_LOCALE, SHIPPED_LOCALES } from "./dictionary.js";

/**
 * Models taken to render Shift_JIS kanji (79x1/79x2/79x5, 7970/71/75, 7906/7911/7931, IP Communicator).
 * The seed's Call Back phones (7940, 7960, 7912, 7905) are not among them. [unverified per model]
 */
export const SHIFT_JIS_MODELS: readonly string[] = [
    "7906",
    "7911",
    "7931",
    "7941",
    "7942",
    "7945",
    "7961",
    "7962",
    "7965",
    "7970",
    "7971",
    "7975",
    "IP Communicator",
];

/** CallManager user-locale names of the shipped locales ("German Germany" → de_DE). */
const CUCM_NAMES: Readonly<Record<string, string>> = {
    "english united states": "en_US",
    "german germany": "de_DE",
    "french france": "fr_FR",
    "spanish spain": "es_ES",
    "italian italy": "it_IT",
    "dutch netherlands": "nl_NL",
    "portuguese brazil": "pt_BR",
    "japanese japan": "ja_JP",
};

/** Inputs of chooseLocale. */
export interface LocaleInputs {
    /** Locale from the static directory entry of the phone (e.g. "de_DE", "de-DE", "German Germany"). */
    directoryLocale?: string | undefined;
    /** The phone's Accept-Language header, when it fetched a screen. */
    acceptLanguage?: string | undefined;
    /** Phone model (e.g. "7961G", "CP-7965G", "Cisco 7940"); unknown models are taken as not Shift_JIS-capable. */
    model?: string | undefined;
    /** Configured default (`locale.default`). */
    default: string;
    /** Loaded locale names (default: the shipped ones). */
    available?: Iterable<string>;
    /** Models that show Shift_JIS (default SHIFT_JIS_MODELS). */
    shiftJisModels?: readonly string[];
}

/** True when a locale's screens need a Shift_JIS-capable phone. */
export function needsShiftJis(locale: string): boolean {
    return locale.startsWith("ja_");
}

/** True when `model` is in the Shift_JIS-capable list (matched by its four-digit number or full name). */
export function modelShowsShiftJis(model: string | undefined, list: readonly string[] = SHIFT_JIS_MODELS): boolean {
    if (model === undefined) return false;
    const m = model.trim().toLowerCase();
    const digits = /(?:^|[^0-9])(\d{4})(?![0-9])/.exec(m)?.[1];
    return list.some((entry) => {
        const e = entry.toLowerCase();
        return /^\d{4}$/.test(e) ? e === digits : m.includes(e);
    });
}

/** Maps a locale spelling onto an available locale name ("de-de" → "de_DE"; "de" → first de_*), or undefined. */
export function matchLocale(tag: string, available: readonly string[]): string | undefined {
    const t = tag.trim();
    const cucm = CUCM_NAMES[t.toLowerCase().replace(/\s+/g, " ")];
    if (cucm !== undefined) return available.includes(cucm) ? cucm : undefined;
    const m = /^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?(?:[-_.@].*)?$/.exec(t);
    if (m === null) return undefined;
    const lang = m[1]!.toLowerCase();
    if (m[2] !== undefined) {
        const exact = `${lang}_${m[2].toUpperCase()}`;
        if (available.includes(exact)) return exact;
    }
    // language only (or an unshipped region): the first locale of that language, en → en_US first
    const sameLang = available.filter((a) => a.startsWith(`${lang}_`));
    return sameLang.includes(REFERENCE_LOCALE) ? REFERENCE_LOCALE : sameLang.sort()[0];
}

/** Language ranges of an Accept-Language header, best first (q=0 dropped, stable for equal q). */
export function parseAcceptLanguage(header: string): string[] {
    const ranges: { tag: string; q: number; i: number }[] = [];
    header
        .slice(0, 1024)
        .split(",")
        .forEach((part, i) => {
            const [tag, ...params] = part.trim().split(";");
            if (tag === undefined || tag === "" || tag === "*") return;
            let q = 1;
            for (const p of params) {
                const qm = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
                if (qm !== null) q = Number(qm[1]);
            }
            if (Number.isFinite(q) && q > 0) ranges.push({ tag: tag.trim(), q, i });
        });
    return ranges.sort((a, b) => b.q - a.q || a.i - b.i).map((r) => r.tag);
}

/**
 * The locale for a phone: directory, else Accept-Language, else the default (else en_US). A Japanese choice on
 * a phone that cannot show Shift_JIS becomes en_US; unknown or unloaded locales fall through to the next source.
 */
export function chooseLocale(inputs: LocaleInputs): string {
    const available = [...(inputs.available ?? SHIPPED_LOCALES)];
    const usable = (l: string | undefined): string | undefined => {
        if (l === undefined) return undefined;
        if (needsShiftJis(l) && !modelShowsShiftJis(inputs.model, inputs.shiftJisModels)) return REFERENCE_LOCALE;
        return l;
    };
    if (inputs.directoryLocale !== undefined) {
        const l = usable(matchLocale(inputs.directoryLocale, available));
        if (l !== undefined) return l;
    }
    if (inputs.acceptLanguage !== undefined) {
        for (const tag of parseAcceptLanguage(inputs.acceptLanguage)) {
            const l = usable(matchLocale(tag, available));
            if (l !== undefined) return l;
        }
    }
    return usable(matchLocale(inputs.default, available)) ?? REFERENCE_LOCALE;
}
