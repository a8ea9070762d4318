/**
 * Rendering of the Call Back screens: a screen kind + values + a prepared locale + the caller phone's clock
 * → a CiscoIPPhoneText model, ready for serializeScreen(). Pure; values from the wire are sanitised (control
 * characters dropped, at most 24 characters, characters the phone cannot show become "?").
 */
import { isAllowedCodePoint, type PhoneCharset, replaceUnencodable } from "./charset.js";
import {
    PLACEHOLDER_MAX,
    type Placeholder,
    type PreparedLocale,
    SCREENS,
    type ScreenKind,
    type SoftKeyId,
    type Template,
} from "./dictionary.js";
import { XsiError } from "./errors.js";
import { formatPhoneTime, type PhoneTime } from "./phoneTime.js";
import { dialUri, type SoftKey, serializeText, type XsiText } from "./xsi.js";

/** Values of a screen. */
export interface ScreenParams {
    /** The DN the screen is about (called DN; for alreadyActive the DN of the active request). */
    readonly dn?: string;
    /** Second DN (alreadyActive: the DN the new request would be for). */
    readonly dn2?: string;
    /**
     * Softkey URLs. Cancel and OK must be given when the screen has them (box URLs with the request token);
     * Exit defaults to `SoftKey:Exit`, Dial to `Dial:<dn>`.
     */
    readonly urls?: Readonly<Partial<Record<SoftKeyId, string>>>;
}

/** A rendered screen: the XSI model plus what the HTTP layer needs (locale, charset). */
export interface RenderedScreen extends XsiText {
    readonly kind: ScreenKind;
    readonly locale: string;
    readonly charset: PhoneCharset;
}

/** Built-in URI that closes the XSI screen. */
export const EXIT_URI = "SoftKey:Exit";

/** A wire value made safe for a screen: no control characters, trimmed, ≤ `max` characters, showable. */
export function sanitizeValue(value: string, max: number, charset: PhoneCharset): string {
    let out = "";
    let n = 0;
    for (const ch of value.trim()) {
        if (!isAllowedCodePoint(ch.codePointAt(0)!) || ch === "\t" || ch === "\n" || ch === "\r") continue;
        if (n++ >= max) break;
        out += ch;
    }
    return replaceUnencodable(out, charset);
}

/** Renders `kind` in `locale`; time and date come from the caller phone's clock (needed by "available"). */
export function renderScreen(
    kind: ScreenKind,
    params: ScreenParams,
    locale: PreparedLocale,
    phoneTime?: PhoneTime,
): RenderedScreen {
    if (!Object.hasOwn(SCREENS, kind))
        throw new XsiError("XSI_SCREEN_UNKNOWN", `unknown screen ${String(kind)}`, { kind });
    const spec = SCREENS[kind];
    const screen = locale.screens[kind];
    const values: Partial<Record<Placeholder, string>> = {};
    if (params.dn !== undefined) values.dn = sanitizeValue(params.dn, PLACEHOLDER_MAX.dn, locale.charset);
    if (params.dn2 !== undefined) values.dn2 = sanitizeValue(params.dn2, PLACEHOLDER_MAX.dn2, locale.charset);
    if (phoneTime !== undefined) Object.assign(values, formatPhoneTime(phoneTime));
    const fill = (t: Template): string => {
        let s = "";
        for (const part of t) {
            if (typeof part === "string") s += part;
            else {
                const v = values[part.ph];
                if (v === undefined) {
                    const what = part.ph === "time" || part.ph === "date" ? "the phone time" : `{${part.ph}}`;
                    throw new XsiError("XSI_MISSING_PARAM", `screen ${kind} needs ${what}`, {
                        kind,
                        placeholder: part.ph,
                    });
                }
                s += v;
            }
        }
        return s;
    };
    const softKeys: SoftKey[] = spec.softKeys.map((id, i) => ({
        name: locale.softKeys[id],
        position: i + 1,
        url: softKeyUrl(kind, id, params, values.dn),
    }));
    const prompt = fill(screen.prompt);
    return {
        kind,
        locale: locale.name,
        charset: locale.charset,
        title: screen.title,
        ...(prompt === "" ? {} : { prompt }),
        text: fill(screen.text),
        softKeys,
    };
}

/** URL of one softkey: given, or the built-in default; Cancel/OK have no default. */
function softKeyUrl(kind: ScreenKind, id: SoftKeyId, params: ScreenParams, dn: string | undefined): string {
    const given = params.urls?.[id];
    if (given !== undefined) return given;
    if (id === "exit") return EXIT_URI;
    if (id === "dial" && dn !== undefined) return dialUri(dn);
    throw new XsiError("XSI_MISSING_URL", `screen ${kind} needs the URL of its ${id} softkey`, { kind, softKey: id });
}

/** Bytes of a rendered screen in its locale's charset (serve with contentType(screen.charset)). */
export function serializeScreen(screen: RenderedScreen): Buffer {
    return serializeText(screen, screen.charset);
}
