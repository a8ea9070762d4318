/**
 * The Call Back Dictionary: one XML file per locale (board/locales/<locale>.xml), read and validated once at
 * start into prepared templates (as CEF's "screen saver" built DOM objects for all installed locales).
 *
 * File format:
 *   <CallBackDictionary locale="de_DE" charset="ISO-8859-1">
 *     <String key="activated.text">Rückruf für {dn} ist aktiviert. …</String> …
 *   </CallBackDictionary>
 * Checks: every key of the catalog present (no unknown or duplicate keys), placeholders known and the same as
 * en_US, Title/Prompt/softkey within the XSI limits (with placeholders at their longest), texts mention their
 * softkey labels, every string encodable in the locale's charset (ISO-8859-1; Shift_JIS only for Japanese).
 */
import { readdirSync, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
    decodeBytes,
    encodedLength,
    firstUnencodable,
    isAllowedCodePoint,
    type PhoneCharset,
    parseCharset,
} from "./charset.js";
import { LocaleError } from "./errors.js";
import { elementsOf, parseXml, sniffEncoding, textOf, XmlParseError } from "./xmlParse.js";
import { XSI_LIMITS } from "./xsi.js";

/** Screens of Call Back: the seed's eight plus two the HTTP service needs (cancel confirmation, bad request). */
export type ScreenKind =
    | "notFound"
    | "cannotInvoke"
    | "serviceUnavailable"
    | "serviceFailure"
    | "alreadyActive"
    | "activated"
    | "notActive"
    | "available"
    | "cancelled"
    | "requestInvalid";

/** Softkeys of the screens. */
export type SoftKeyId = "cancel" | "ok" | "exit" | "dial";

/** Placeholders: called DN, second DN (alreadyActive: the new one), time and date in the phone's format. */
export type Placeholder = "dn" | "dn2" | "time" | "date";

/** What a screen may contain and which softkeys it shows (in position order). */
export interface ScreenSpec {
    readonly placeholders: readonly Placeholder[];
    readonly softKeys: readonly SoftKeyId[];
    /** Softkeys whose label the text must name ("Press Exit to …"). */
    readonly mentions: readonly SoftKeyId[];
    /** True for the screens worded by the Cisco feature guide. */
    readonly seed: boolean;
}

/** The screen catalog. */
export const SCREENS: Readonly<Record<ScreenKind, ScreenSpec>> = {
    notFound: { placeholders: ["dn"], softKeys: ["exit"], mentions: [], seed: true },
    cannotInvoke: { placeholders: ["dn"], softKeys: ["exit"], mentions: ["exit"], seed: true },
    serviceUnavailable: { placeholders: [], softKeys: ["exit"], mentions: [], seed: true },
    serviceFailure: { placeholders: [], softKeys: ["exit"], mentions: [], seed: true },
    alreadyActive: { placeholders: ["dn", "dn2"], softKeys: ["ok", "exit"], mentions: ["ok", "exit"], seed: true },
    activated: { placeholders: ["dn"], softKeys: ["cancel", "exit"], mentions: ["cancel", "exit"], seed: true },
    notActive: { placeholders: [], softKeys: ["exit"], mentions: ["exit"], seed: true },
    available: {
        placeholders: ["dn", "time", "date"],
        softKeys: ["dial", "exit"],
        mentions: ["dial", "exit"],
        seed: true,
    },
    cancelled: { placeholders: ["dn"], softKeys: ["exit"], mentions: ["exit"], seed: false },
    requestInvalid: { placeholders: [], softKeys: ["exit"], mentions: ["exit"], seed: false },
};

/** Every screen kind, in catalog order. */
export const SCREEN_KINDS = Object.keys(SCREENS) as ScreenKind[];

/** Every softkey id. */
export const SOFTKEY_IDS: readonly SoftKeyId[] = ["cancel", "ok", "exit", "dial"];

/** Longest value a placeholder can take once rendered (SCCP DNs are char[24]; "12:59 PM"; "31/12/25"). */
export const PLACEHOLDER_MAX: Readonly<Record<Placeholder, number>> = { dn: 24, dn2: 24, time: 8, date: 8 };

/** The reference locale: every other locale's placeholders must match it, and it is the fallback. */
export const REFERENCE_LOCALE = "en_US";

/** Locales shipped in board/locales. */
export const SHIPPED_LOCALES = ["en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "ja_JP"] as const;

/** Default dictionary folder (works from src/phone and dist/phone). */
export const DEFAULT_LOCALE_DIR = new URL("../../board/locales/", import.meta.url);

/** Every key a dictionary must define. */
export function dictionaryKeys(): string[] {
    const keys: string[] = [];
    for (const k of SCREEN_KINDS) keys.push(`${k}.title`, `${k}.prompt`, `${k}.text`);
    for (const s of SOFTKEY_IDS) keys.push(`softkey.${s}`);
    return keys;
}

/** A template: literal runs and placeholders, in order. */
export type Template = readonly (string | { readonly ph: Placeholder })[];

/** Prepared strings of one screen. */
export interface PreparedScreen {
    readonly title: string;
    readonly prompt: Template;
    readonly text: Template;
}

/** One validated locale, ready to render. */
export interface PreparedLocale {
    readonly name: string;
    readonly charset: PhoneCharset;
    readonly file: string;
    readonly screens: Readonly<Record<ScreenKind, PreparedScreen>>;
    readonly softKeys: Readonly<Record<SoftKeyId, string>>;
}

/** A dictionary file as read, before cross-locale checks. */
export interface RawDictionary {
    readonly locale: string;
    readonly charset: PhoneCharset;
    readonly file: string;
    readonly entries: ReadonlyMap<string, string>;
}

/** One problem found in a dictionary. */
export interface DictionaryProblem {
    readonly code: string;
    readonly file: string;
    readonly key: string | null;
    readonly reason: string;
}

/** All validated locales. */
export class LocaleSet {
    readonly #locales: ReadonlyMap<string, PreparedLocale>;

    constructor(locales: Iterable<PreparedLocale>) {
        this.#locales = new Map([...locales].map((l) => [l.name, l]));
    }

    /** Locale names, sorted. */
    names(): string[] {
        return [...this.#locales.keys()].sort();
    }

    /** True when `name` was loaded. */
    has(name: string): boolean {
        return this.#locales.has(name);
    }

    /** The locale, or undefined. */
    get(name: string): PreparedLocale | undefined {
        return this.#locales.get(name);
    }

    /** The locale, or the reference locale (en_US) when `name` is not loaded. */
    getOrReference(name: string): PreparedLocale {
        return this.#locales.get(name) ?? this.#locales.get(REFERENCE_LOCALE)!;
    }
}

const LOCALE_NAME = /^[a-z]{2,3}_[A-Z]{2}$/;
const PLACEHOLDER_RE = /\{([^{}]*)\}/g;

/** Collapses whitespace runs (the phone word-wraps) and trims. */
function normaliseSpace(s: string): string {
    return s.replace(/\s+/g, " ").trim();
}

/** Reads one dictionary file's content; problems are appended, undefined when unusable. */
function readDictionary(
    content: string | Uint8Array,
    file: string,
    problems: DictionaryProblem[],
): RawDictionary | undefined {
    const fail = (code: string, reason: string, key: string | null = null): undefined => {
        problems.push({ code, file, key, reason });
        return undefined;
    };
    let text: string;
    if (typeof content === "string") text = content;
    else {
        const label = sniffEncoding(content) ?? "UTF-8";
        if (!/^utf-?8$/i.test(label) && parseCharset(label) === undefined) {
            return fail("LOCALE_XML_INVALID", `unsupported file encoding ${label} (use UTF-8)`);
        }
        try {
            text = /^utf-?8$/i.test(label)
                ? new TextDecoder("utf-8", { fatal: true }).decode(content)
                : decodeBytes(content, label);
        } catch {
            return fail("LOCALE_XML_INVALID", "file is not valid UTF-8");
        }
    }
    let root: ReturnType<typeof parseXml>["root"];
    try {
        root = parseXml(text, { maxLength: 256 * 1024, maxDepth: 4 }).root;
    } catch (err) {
        if (err instanceof XmlParseError) return fail("LOCALE_XML_INVALID", err.message);
        throw err;
    }
    if (root.name !== "CallBackDictionary") {
        return fail("LOCALE_ROOT_INVALID", `root element is <${root.name}>, expected <CallBackDictionary>`);
    }
    const locale = root.attrs.get("locale") ?? "";
    if (!LOCALE_NAME.test(locale)) return fail("LOCALE_NAME_INVALID", `locale="${locale}" is not like en_US`);
    const stem = basename(file).replace(/\.xml$/i, "");
    if (stem !== basename(file) && stem !== locale) {
        return fail("LOCALE_NAME_MISMATCH", `locale="${locale}" but the file is named ${basename(file)}`);
    }
    const csLabel = root.attrs.get("charset") ?? "ISO-8859-1";
    const charset = parseCharset(csLabel);
    if (charset === undefined) return fail("LOCALE_CHARSET_INVALID", `charset="${csLabel}" (ISO-8859-1 or Shift_JIS)`);
    if (charset === "Shift_JIS" && !locale.startsWith("ja_")) {
        return fail("LOCALE_CHARSET_INVALID", "Shift_JIS is only for Japanese locales; 79xx phones need ISO-8859-1");
    }
    const known = new Set(dictionaryKeys());
    const entries = new Map<string, string>();
    let ok = true;
    for (const c of root.children) {
        if (typeof c === "string") {
            if (c.trim() !== "") ok = fail("LOCALE_ROOT_INVALID", "text directly inside <CallBackDictionary>") ?? false;
            continue;
        }
        if (c.name !== "String" || elementsOf(c).length > 0) {
            ok = fail("LOCALE_ROOT_INVALID", `line ${c.line}: unexpected element <${c.name}>`) ?? false;
            continue;
        }
        const key = c.attrs.get("key");
        if (key === undefined) {
            ok = fail("LOCALE_ROOT_INVALID", `line ${c.line}: <String> without key`) ?? false;
        } else if (!known.has(key)) {
            ok = fail("LOCALE_KEY_UNKNOWN", `line ${c.line}: unknown key`, key) ?? false;
        } else if (entries.has(key)) {
            ok = fail("LOCALE_KEY_DUPLICATE", `line ${c.line}: key defined twice`, key) ?? false;
        } else entries.set(key, normaliseSpace(textOf(c)));
    }
    if (!ok) return undefined;
    return { locale, charset, file, entries };
}

/** Parses one dictionary file (string or raw bytes); throws LocaleError on the first problem. */
export function parseDictionary(content: string | Uint8Array, file: string): RawDictionary {
    const problems: DictionaryProblem[] = [];
    const raw = readDictionary(content, file, problems);
    if (raw === undefined || problems.length > 0) throw toError(problems);
    return raw;
}

/** Placeholder names used in a string, or a problem reason. */
function placeholdersOf(s: string): { names: Set<string>; stray: boolean } {
    const names = new Set<string>();
    for (const m of s.matchAll(PLACEHOLDER_RE)) names.add(m[1]!);
    const stray = /[{}]/.test(s.replace(PLACEHOLDER_RE, ""));
    return { names, stray };
}

/** Splits a string into a template. */
function compile(s: string): Template {
    const out: (string | { ph: Placeholder })[] = [];
    let last = 0;
    for (const m of s.matchAll(PLACEHOLDER_RE)) {
        if (m.index > last) out.push(s.slice(last, m.index));
        out.push({ ph: m[1] as Placeholder });
        last = m.index + m[0].length;
    }
    if (last < s.length) out.push(s.slice(last));
    return out;
}

/** The string with every placeholder at its longest value (for limit checks). */
function longest(s: string): string {
    return s.replace(PLACEHOLDER_RE, (_, n: string) => "9".repeat(PLACEHOLDER_MAX[n as Placeholder] ?? 0));
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
    return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Checks one dictionary against the catalog and the reference; appends problems. */
function checkDictionary(d: RawDictionary, ref: RawDictionary | undefined, problems: DictionaryProblem[]): void {
    const add = (code: string, key: string, reason: string): void => {
        problems.push({ code, file: d.file, key, reason });
    };
    for (const key of dictionaryKeys()) {
        const value = d.entries.get(key);
        if (value === undefined) {
            add("LOCALE_KEY_MISSING", key, "key missing");
            continue;
        }
        const [group, field] = key.split(".") as [string, string];
        const isSoftKey = group === "softkey";
        const spec = isSoftKey ? undefined : SCREENS[group as ScreenKind];
        if (value === "" && field !== "prompt") {
            add("LOCALE_EMPTY", key, "empty string");
            continue;
        }
        const bad = [...value].find((ch) => !isAllowedCodePoint(ch.codePointAt(0)!));
        if (bad !== undefined) {
            add("LOCALE_BAD_CHARACTER", key, `control character U+${bad.codePointAt(0)!.toString(16).toUpperCase()}`);
            continue;
        }
        const unencodable = firstUnencodable(value, d.charset);
        if (unencodable !== undefined) {
            const cp = unencodable.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
            add("LOCALE_NOT_ENCODABLE", key, `"${unencodable}" (U+${cp}) cannot be shown in ${d.charset}`);
            continue;
        }
        const { names, stray } = placeholdersOf(value);
        if (stray) {
            add("LOCALE_PLACEHOLDER_INVALID", key, "unbalanced { or }");
            continue;
        }
        const allowed: readonly string[] = field === "title" || isSoftKey ? [] : (spec?.placeholders ?? []);
        const unknown = [...names].filter((n) => !allowed.includes(n));
        if (unknown.length > 0) {
            add(
                "LOCALE_PLACEHOLDER_UNKNOWN",
                key,
                `placeholder {${unknown[0]}} not allowed here (allowed: ${allowed.map((a) => `{${a}}`).join(" ") || "none"})`,
            );
            continue;
        }
        const refValue = ref?.entries.get(key);
        if (ref !== undefined && refValue !== undefined && field !== "prompt") {
            const want = placeholdersOf(refValue).names;
            if (!sameSet(names, want)) {
                add(
                    "LOCALE_PLACEHOLDER_MISMATCH",
                    key,
                    `placeholders {${[...names].sort().join("} {")}} differ from ${REFERENCE_LOCALE} {${[...want].sort().join("} {")}}`,
                );
                continue;
            }
        }
        const limit = isSoftKey ? XSI_LIMITS.softKeyName : field === "text" ? XSI_LIMITS.text : XSI_LIMITS.title;
        const worst = longest(value);
        const size = Math.max([...worst].length, encodedLength(worst, d.charset));
        if (size > limit) {
            add(
                "LOCALE_TOO_LONG",
                key,
                `${size} ${d.charset === "Shift_JIS" ? "bytes" : "characters"} with placeholders at their longest (limit ${limit})`,
            );
        }
    }
    // texts name the softkeys they tell the user to press
    for (const kind of SCREEN_KINDS) {
        const text = d.entries.get(`${kind}.text`);
        if (text === undefined) continue;
        for (const sk of SCREENS[kind].mentions) {
            const label = d.entries.get(`softkey.${sk}`);
            if (label !== undefined && label !== "" && !text.includes(label)) {
                add("LOCALE_SOFTKEY_NOT_NAMED", `${kind}.text`, `does not name the softkey "${label}" (softkey.${sk})`);
            }
        }
    }
}

/** Validates dictionaries together and prepares them; throws LocaleError listing every problem. */
export function prepareLocales(dictionaries: readonly RawDictionary[], required: readonly string[] = []): LocaleSet {
    const problems: DictionaryProblem[] = [];
    const byName = new Map<string, RawDictionary>();
    for (const d of dictionaries) {
        if (byName.has(d.locale))
            problems.push({
                code: "LOCALE_DUPLICATE",
                file: d.file,
                key: null,
                reason: `locale ${d.locale} defined twice`,
            });
        else byName.set(d.locale, d);
    }
    const ref = byName.get(REFERENCE_LOCALE);
    for (const name of new Set([REFERENCE_LOCALE, ...required])) {
        if (!byName.has(name))
            problems.push({
                code: "LOCALE_MISSING",
                file: `${name}.xml`,
                key: null,
                reason: `locale ${name} is required`,
            });
    }
    for (const d of byName.values()) checkDictionary(d, d === ref ? undefined : ref, problems);
    if (problems.length > 0) throw toError(problems);
    return new LocaleSet([...byName.values()].map(prepare));
}

/** Turns a validated dictionary into templates. */
function prepare(d: RawDictionary): PreparedLocale {
    const get = (key: string): string => d.entries.get(key)!;
    const screens = {} as Record<ScreenKind, PreparedScreen>;
    for (const kind of SCREEN_KINDS) {
        screens[kind] = {
            title: get(`${kind}.title`),
            prompt: compile(get(`${kind}.prompt`)),
            text: compile(get(`${kind}.text`)),
        };
    }
    const softKeys = {} as Record<SoftKeyId, string>;
    for (const s of SOFTKEY_IDS) softKeys[s] = get(`softkey.${s}`);
    return { name: d.locale, charset: d.charset, file: d.file, screens, softKeys };
}

/** One LocaleError for a list of problems: code, file, key and reason of the first; all in details.problems. */
function toError(problems: readonly DictionaryProblem[]): LocaleError {
    const p = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    const where = p.key === null ? p.file : `${p.file}: key "${p.key}"`;
    return new LocaleError(p.code, `Call Back Dictionary ${where}: ${p.reason}${more}`, {
        file: p.file,
        key: p.key,
        reason: p.reason,
        problems: problems.map((x) => ({ ...x })),
    });
}

/** Options of loadDictionaries. */
export interface LoadDictionariesOptions {
    /** Folder of <locale>.xml files (default board/locales of the installation). */
    dir?: URL | string;
    /** Locales that must be present besides en_US (e.g. the configured default). */
    required?: readonly string[];
}

function dirPath(dir: URL | string): string {
    return typeof dir === "string" ? dir : fileURLToPath(dir);
}

/** Reads, validates and prepares every *.xml dictionary in the folder; throws LocaleError on any problem. */
export async function loadDictionaries(options: LoadDictionariesOptions = {}): Promise<LocaleSet> {
    const dir = dirPath(options.dir ?? DEFAULT_LOCALE_DIR);
    let files: string[];
    try {
        files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith(".xml")).sort();
    } catch (err) {
        throw dirError(dir, err);
    }
    const contents = await Promise.all(
        files.map(async (f) => ({ f, bytes: await readFile(join(dir, f)).catch((e: unknown) => e) })),
    );
    return fromFiles(contents, options.required ?? []);
}

/** Synchronous loadDictionaries (for start-up code that cannot await). */
export function loadDictionariesSync(options: LoadDictionariesOptions = {}): LocaleSet {
    const dir = dirPath(options.dir ?? DEFAULT_LOCALE_DIR);
    let files: string[];
    try {
        files = readdirSync(dir)
            .filter((f) => f.toLowerCase().endsWith(".xml"))
            .sort();
    } catch (err) {
        throw dirError(dir, err);
    }
    const contents = files.map((f) => {
        try {
            return { f, bytes: readFileSync(join(dir, f)) as unknown };
        } catch (err) {
            return { f, bytes: err };
        }
    });
    return fromFiles(contents, options.required ?? []);
}

function dirError(dir: string, err: unknown): LocaleError {
    const code = (err as NodeJS.ErrnoException).code ?? "unknown";
    return new LocaleError("LOCALE_DIR_UNREADABLE", `Call Back Dictionary folder ${dir} cannot be read (${code})`, {
        file: dir,
        key: null,
        reason: code,
    });
}

function fromFiles(contents: readonly { f: string; bytes: unknown }[], required: readonly string[]): LocaleSet {
    const problems: DictionaryProblem[] = [];
    const raws: RawDictionary[] = [];
    for (const { f, bytes } of contents) {
        if (!(bytes instanceof Uint8Array)) {
            const code = (bytes as NodeJS.ErrnoException).code ?? "unknown";
            problems.push({ code: "LOCALE_FILE_UNREADABLE", file: f, key: null, reason: `cannot be read (${code})` });
            continue;
        }
        const raw = readDictionary(bytes, f, problems);
        if (raw !== undefined) raws.push(raw);
    }
    if (problems.length > 0) throw toError(problems);
    return prepareLocales(raws, required);
}
