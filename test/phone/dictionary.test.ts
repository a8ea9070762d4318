import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t, { type Test } from "tap";
import { encodeText } from "../../src/phone/charset.js";
import {
    DEFAULT_LOCALE_DIR,
    dictionaryKeys,
    loadDictionaries,
    loadDictionariesSync,
    parseDictionary,
    prepareLocales,
    type RawDictionary,
    SCREEN_KINDS,
    SHIPPED_LOCALES,
} from "../../src/phone/dictionary.js";
import { LocaleError } from "../../src/phone/errors.js";

const DIR = fileURLToPath(DEFAULT_LOCALE_DIR);
const EN = readFileSync(join(DIR, "en_US.xml"), "utf8");
const DE = readFileSync(join(DIR, "de_DE.xml"), "utf8");
const JA = readFileSync(join(DIR, "ja_JP.xml"), "utf8");
const en = parseDictionary(EN, "en_US.xml");

/** The LocaleError thrown by fn (fails the test when none). */
function localeError(t: Test, fn: () => unknown): LocaleError {
    try {
        fn();
    } catch (err) {
        if (err instanceof LocaleError) return err;
        t.fail(`not a LocaleError: ${String(err)}`);
        throw err;
    }
    t.fail("did not throw");
    throw new Error("did not throw");
}

/** A dictionary derived from de_DE with one string replaced (or removed when value is null). */
function deWith(key: string, value: string | null): RawDictionary {
    const base = parseDictionary(DE, "de_DE.xml");
    const entries = new Map(base.entries);
    if (value === null) entries.delete(key);
    else entries.set(key, value);
    return { ...base, entries };
}

t.test("shipped dictionaries: all locales, every key, valid", async (t) => {
    const set = await loadDictionaries();
    t.same(set.names(), [...SHIPPED_LOCALES].sort());
    const sync = loadDictionariesSync({ required: ["de_DE"] });
    t.same(sync.names(), set.names());
    for (const name of set.names()) {
        const l = set.get(name)!;
        t.equal(l.charset, name === "ja_JP" ? "Shift_JIS" : "ISO-8859-1", `${name} charset`);
        t.equal(l.file, `${name}.xml`);
        for (const k of SCREEN_KINDS) t.ok(l.screens[k].text.length > 0, `${name} ${k}`);
        for (const label of Object.values(l.softKeys)) t.ok(label.length <= 10, `${name} softkey "${label}" short`);
    }
    t.ok(set.has("fr_FR"));
    t.equal(set.getOrReference("xx_XX").name, "en_US");
    t.equal(set.getOrReference("it_IT").name, "it_IT");
    t.equal(dictionaryKeys().length, SCREEN_KINDS.length * 3 + 4);
});

t.test("parseDictionary reads bytes in UTF-8 and declared encodings", async (t) => {
    const fromBytes = parseDictionary(Buffer.from(JA, "utf8"), "ja_JP.xml");
    t.equal(fromBytes.entries.get("softkey.exit"), "終了");
    const latin = EN.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    t.equal(parseDictionary(Buffer.from(latin, "latin1"), "en_US.xml").entries.size, dictionaryKeys().length);
    const sjis = encodeText(JA.replace('encoding="UTF-8"', 'encoding="Shift_JIS"'), "Shift_JIS")!;
    t.equal(parseDictionary(sjis, "ja_JP.xml").entries.get("softkey.dial"), "発信");
    t.equal(parseDictionary(`<CallBackDictionary locale="en_US"/>`, "en_US").charset, "ISO-8859-1");
    const spaced = EN.replace(
        '<String key="softkey.ok">OK</String>',
        '<String key="softkey.ok">\n        O<![CDATA[K]]>\n    </String>',
    );
    t.equal(parseDictionary(spaced, "en_US.xml").entries.get("softkey.ok"), "OK", "whitespace collapsed, CDATA");
});

t.test("file-level problems name the file and reason", async (t) => {
    const cases: [string, string | Uint8Array, string, string][] = [
        ["not xml", "<CallBackDictionary", "en_US.xml", "LOCALE_XML_INVALID"],
        ["doctype", `<!DOCTYPE x [<!ENTITY a "b">]>${EN}`, "en_US.xml", "LOCALE_XML_INVALID"],
        ["bad utf-8", Buffer.from([0x3c, 0x61, 0xff, 0x2f, 0x3e]), "en_US.xml", "LOCALE_XML_INVALID"],
        ["odd encoding", Buffer.from('<?xml version="1.0" encoding="EBCDIC"?><a/>'), "x.xml", "LOCALE_XML_INVALID"],
        ["root", "<Dictionary/>", "en_US.xml", "LOCALE_ROOT_INVALID"],
        ["locale name", `<CallBackDictionary locale="english"/>`, "en_US.xml", "LOCALE_NAME_INVALID"],
        ["file name", EN, "de_DE.xml", "LOCALE_NAME_MISMATCH"],
        ["charset", EN.replace('charset="ISO-8859-1"', 'charset="UTF-16"'), "en_US.xml", "LOCALE_CHARSET_INVALID"],
        [
            "sjis not ja",
            EN.replace('charset="ISO-8859-1"', 'charset="Shift_JIS"'),
            "en_US.xml",
            "LOCALE_CHARSET_INVALID",
        ],
        ["unknown key", EN.replace("softkey.ok", "softkey.yes"), "en_US.xml", "LOCALE_KEY_UNKNOWN"],
        ["duplicate", EN.replace("softkey.ok", "softkey.exit"), "en_US.xml", "LOCALE_KEY_DUPLICATE"],
        [
            "stray text",
            EN.replace('<String key="softkey.ok">', 'oops<String key="softkey.ok">'),
            "en_US.xml",
            "LOCALE_ROOT_INVALID",
        ],
        [
            "other element",
            EN.replace('<String key="softkey.ok">OK</String>', "<Entry/>"),
            "en_US.xml",
            "LOCALE_ROOT_INVALID",
        ],
        ["nested", EN.replace(">OK</String>", "><b>OK</b></String>"), "en_US.xml", "LOCALE_ROOT_INVALID"],
        ["no key", EN.replace('<String key="softkey.ok">', "<String>"), "en_US.xml", "LOCALE_ROOT_INVALID"],
    ];
    for (const [name, content, file, code] of cases) {
        const err = localeError(t, () => parseDictionary(content, file));
        t.equal(err.code, code, name);
        t.equal(err.details.file, file, `${name}: file named`);
        t.match(err.message, file, `${name}: message names the file`);
    }
    const dup = localeError(t, () => parseDictionary(EN.replace("softkey.ok", "softkey.exit"), "en_US.xml"));
    t.equal(dup.details.key, "softkey.exit");
    t.match(dup.message, /key "softkey\.exit"/);
});

t.test("content problems: key, placeholders, limits, charset, softkey names", async (t) => {
    const cases: [string, string | null, string][] = [
        ["activated.text", null, "LOCALE_KEY_MISSING"],
        ["activated.title", "", "LOCALE_EMPTY"],
        ["softkey.exit", "Be\u0007enden", "LOCALE_BAD_CHARACTER"],
        ["activated.text", "Rückruf für {dn} ist aktiv – Beenden, Abbruch.", "LOCALE_NOT_ENCODABLE"],
        ["activated.text", "Rückruf für {dn ist aktiv. Beenden Abbruch", "LOCALE_PLACEHOLDER_INVALID"],
        ["activated.text", "Rückruf für {nummer}. Beenden Abbruch", "LOCALE_PLACEHOLDER_UNKNOWN"],
        ["activated.title", "Rückruf {dn}", "LOCALE_PLACEHOLDER_UNKNOWN"],
        ["softkey.ok", "OK {dn}", "LOCALE_PLACEHOLDER_UNKNOWN"],
        ["activated.text", "Rückruf ist aktiviert. Drücken Sie Abbruch oder Beenden.", "LOCALE_PLACEHOLDER_MISMATCH"],
        ["available.text", "{dn} frei {time}. Wählen, Beenden.", "LOCALE_PLACEHOLDER_MISMATCH"],
        ["activated.title", "Rückruf-Benachrichtigung aktiviert", "LOCALE_TOO_LONG"],
        ["activated.prompt", "Rückruf für {dn} aktiv", "LOCALE_TOO_LONG"],
        ["softkey.dial", "W".repeat(33), "LOCALE_TOO_LONG"],
        ["activated.text", `{dn} ${"x".repeat(3990)} Abbruch Beenden`, "LOCALE_TOO_LONG"],
        ["activated.text", "Rückruf für {dn} ist aktiviert. Drücken Sie Beenden.", "LOCALE_SOFTKEY_NOT_NAMED"],
    ];
    for (const [key, value, code] of cases) {
        const err = localeError(t, () => prepareLocales([en, deWith(key, value)]));
        t.equal(err.code, code, `${key} = ${JSON.stringify(value)?.slice(0, 40)}`);
        t.equal(err.details.file, "de_DE.xml");
        t.equal(err.details.key, code === "LOCALE_SOFTKEY_NOT_NAMED" ? "activated.text" : key);
        t.type(err.details.reason, "string");
    }
    // a prompt may be empty and may use fewer placeholders than en_US
    t.ok(prepareLocales([en, deWith("activated.prompt", "")]));
    t.ok(prepareLocales([en, deWith("alreadyActive.prompt", "Neu: {dn2}")]));
    // several problems: the first is named, all are listed
    const many = localeError(t, () =>
        prepareLocales([
            en,
            deWith("activated.text", null),
            { ...deWith("softkey.ok", ""), locale: "de_AT", file: "de_AT.xml" },
        ]),
    );
    t.match(many.message, /and 1 more/);
    t.equal((many.details.problems as unknown[]).length, 2);
    // Japanese limits count Shift_JIS bytes: 17 full-width characters are 34 bytes
    const ja = parseDictionary(JA, "ja_JP.xml");
    const jaLong = new Map(ja.entries).set("activated.prompt", "コールバックが有効になっています。");
    t.equal(localeError(t, () => prepareLocales([en, { ...ja, entries: jaLong }])).code, "LOCALE_TOO_LONG");
});

t.test("set-level problems", async (t) => {
    t.equal(localeError(t, () => prepareLocales([parseDictionary(DE, "de_DE.xml")])).code, "LOCALE_MISSING");
    t.equal(localeError(t, () => prepareLocales([en], ["fr_FR"])).details.file, "fr_FR.xml");
    t.equal(localeError(t, () => prepareLocales([en, en])).code, "LOCALE_DUPLICATE");
});

t.test("loader: folders and files", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-locales-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(join(DIR, "en_US.xml"), join(dir, "en_US.xml"));
    writeFileSync(join(dir, "README.txt"), "not a dictionary");
    t.same((await loadDictionaries({ dir })).names(), ["en_US"]);
    t.same(loadDictionariesSync({ dir: new URL(`file://${dir}/`) }).names(), ["en_US"]);

    writeFileSync(
        join(dir, "fr_FR.xml"),
        readFileSync(join(DIR, "fr_FR.xml"), "utf8").replace("Quitter pour fermer", "Sortir pour fermer"),
    );
    const bad = await loadDictionaries({ dir }).catch((e: unknown) => e);
    t.type(bad, LocaleError);
    t.equal((bad as LocaleError).code, "LOCALE_SOFTKEY_NOT_NAMED");
    t.equal((bad as LocaleError).details.file, "fr_FR.xml");
    rmSync(join(dir, "fr_FR.xml"));

    t.equal(localeError(t, () => loadDictionariesSync({ dir, required: ["nl_NL"] })).code, "LOCALE_MISSING");
    const missing = await loadDictionaries({ dir: join(dir, "nope") }).catch((e: unknown) => e);
    t.equal((missing as LocaleError).code, "LOCALE_DIR_UNREADABLE");
    t.equal(localeError(t, () => loadDictionariesSync({ dir: join(dir, "nope") })).code, "LOCALE_DIR_UNREADABLE");

    // unreadable file: a directory named like a dictionary (EISDIR, unreadable even as root)
    mkdirSync(join(dir, "de_DE.xml"));
    t.equal(((await loadDictionaries({ dir }).catch((e: unknown) => e)) as LocaleError).code, "LOCALE_FILE_UNREADABLE");
    t.equal(localeError(t, () => loadDictionariesSync({ dir })).code, "LOCALE_FILE_UNREADABLE");
});
