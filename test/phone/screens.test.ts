import t from "tap";
import { decodeBytes } from "../../src/phone/charset.js";
import { loadDictionaries, SCREEN_KINDS, SCREENS, SHIPPED_LOCALES } from "../../src/phone/dictionary.js";
import { XsiError } from "../../src/phone/errors.js";
import type { PhoneTime } from "../../src/phone/phoneTime.js";
import {
    EXIT_URI,
    type RenderedScreen,
    renderScreen,
    type ScreenParams,
    sanitizeValue,
    serializeScreen,
} from "../../src/phone/screens.js";
import { needXmllint, xsdFailures } from "./xmllint.js";

const locales = await loadDictionaries();
const en = locales.get("en_US")!;
/** 2025-03-07 13:05 UTC. */
const NOW = Date.UTC(2025, 2, 7, 13, 5, 0);
const TIME: PhoneTime = { epochMs: NOW, utcOffsetMinutes: 60, dateTemplate: "D.M.Y" };
const URLS = {
    cancel: "http://192.0.2.10:8080/cb/cancel?r=42&t=abc",
    ok: "http://192.0.2.10:8080/cb/confirm?r=42&t=abc",
};
const PARAMS: ScreenParams = { dn: "2001", dn2: "2002", urls: URLS };

t.test("seed screens in en_US, character for character", async (t) => {
    const text = (kind: Parameters<typeof renderScreen>[0], p: ScreenParams = PARAMS) =>
        renderScreen(kind, p, en, { epochMs: NOW }).text;
    t.equal(text("notFound"), "CallBack cannot be activated for 2001.");
    t.equal(text("cannotInvoke"), "Call Back cannot be invoked for extension 2001. Press Exit to quit this screen.");
    t.equal(text("serviceUnavailable"), "Service not available.");
    t.equal(text("serviceFailure"), "Call Back Service Failure.");
    t.equal(
        text("alreadyActive"),
        "CallBack is already active on 2001. Press OK to activate on 2002. Press Exit to quit this screen.",
    );
    t.equal(
        text("activated"),
        "Call Back is activated on 2001. Press Cancel to deactivate. Press Exit to quit this screen.",
    );
    t.equal(text("notActive"), "Call Back is not active. Press Exit to quit this screen.");
    t.equal(
        text("available"),
        "2001 has become available Time 13:05 03/07/25. Press Dial to Call. Press Exit to quit this screen.",
    );
});

t.test("softkeys: labels, positions, URLs", async (t) => {
    const a = renderScreen("activated", PARAMS, en, TIME);
    t.same(a.softKeys, [
        { name: "Cancel", position: 1, url: URLS.cancel },
        { name: "Exit", position: 2, url: EXIT_URI },
    ]);
    t.equal(a.title, "Call Back");
    t.equal(a.prompt, "Call Back active");
    const av = renderScreen("available", { dn: "20 01" }, en, TIME);
    t.same(
        av.softKeys.map((k) => [k.name, k.url]),
        [
            ["Dial", "Dial:2001"],
            ["Exit", EXIT_URI],
        ],
    );
    const custom = renderScreen(
        "available",
        { dn: "2001", urls: { dial: "http://x/dial", exit: "http://x/exit" } },
        en,
        TIME,
    );
    t.same(
        custom.softKeys.map((k) => k.url),
        ["http://x/dial", "http://x/exit"],
    );
    const ok = renderScreen("alreadyActive", PARAMS, locales.get("de_DE")!, TIME);
    t.same(
        ok.softKeys.map((k) => [k.name, k.position]),
        [
            ["OK", 1],
            ["Beenden", 2],
        ],
    );
    const nf = renderScreen("notFound", { dn: "9" }, en);
    t.equal(nf.prompt, undefined, "empty prompt is omitted");
    t.same(
        nf.softKeys.map((k) => k.name),
        ["Exit"],
    );
});

t.test("time and date in the caller phone's clock and template", async (t) => {
    const de = locales.get("de_DE")!;
    t.match(renderScreen("available", PARAMS, de, TIME).text, /Zeit 14:05 07\.03\.25\./);
    t.match(
        renderScreen("available", PARAMS, en, { epochMs: NOW, utcOffsetMinutes: -300, dateTemplate: "M/D/YA" }).text,
        /Time 8:05 AM 03\/07\/25\./,
    );
    t.match(
        renderScreen("available", PARAMS, en, { epochMs: NOW, utcOffsetMinutes: 660, dateTemplate: "Y-M-D" }).text,
        /Time 00:05 25-03-08\./,
        "crosses midnight into the phone's next day",
    );
});

t.test("missing values are typed errors", async (t) => {
    const code = (fn: () => unknown) => {
        try {
            fn();
        } catch (err) {
            return err instanceof XsiError ? err.code : "other";
        }
        return "none";
    };
    t.equal(
        code(() => renderScreen("available", { dn: "1" }, en)),
        "XSI_MISSING_PARAM",
    );
    t.equal(
        code(() => renderScreen("notFound", {}, en)),
        "XSI_MISSING_PARAM",
    );
    t.equal(
        code(() => renderScreen("activated", { dn: "1" }, en)),
        "XSI_MISSING_URL",
    );
    t.equal(
        code(() => renderScreen("alreadyActive", { dn: "1", dn2: "2" }, en)),
        "XSI_MISSING_URL",
    );
    t.equal(
        code(() => renderScreen("available", { dn: "abc" }, en, TIME)),
        "XSI_URL_INVALID",
        "no dialable digits",
    );
    t.equal(
        code(() => renderScreen("bogus" as "notFound", { dn: "1" }, en)),
        "XSI_SCREEN_UNKNOWN",
    );
    t.equal(
        code(() => renderScreen("constructor" as "notFound", { dn: "1" }, en)),
        "XSI_SCREEN_UNKNOWN",
    );
});

t.test("wire values are sanitised and escaped", async (t) => {
    t.equal(sanitizeValue("  12\u000034\n5 ", 24, "ISO-8859-1"), "12345");
    t.equal(sanitizeValue("x".repeat(40), 24, "ISO-8859-1").length, 24);
    t.equal(sanitizeValue("Zoë ☎ 日本", 24, "ISO-8859-1"), "Zoë ? ??");
    t.equal(sanitizeValue("日本 ☎", 24, "Shift_JIS"), "日本 ?");
    const s = renderScreen("notFound", { dn: `<a href="x">&'1'</a>` }, en);
    const xml = serializeScreen(s).toString("latin1");
    t.match(xml, /&lt;a href=&quot;x&quot;&gt;&amp;&apos;1&apos;&lt;\/a&gt;/);
    t.notMatch(xml, /<a href/);
});

t.test("every screen of every locale serialises in its charset and validates against Cisco's XSD", async (t) => {
    t.same(locales.names(), [...SHIPPED_LOCALES].sort());
    const docs: { name: string; bytes: Buffer }[] = [];
    const screens: RenderedScreen[] = [];
    for (const name of locales.names()) {
        const loc = locales.get(name)!;
        for (const kind of SCREEN_KINDS) {
            // the longest DNs, and hostile characters, at the XSI limits
            for (const dn of ["2001", "9".repeat(24), `1<&"'>`.repeat(5)]) {
                const s = renderScreen(kind, { dn, dn2: dn, urls: URLS }, loc, TIME);
                screens.push(s);
                docs.push({ name: `${name}/${kind}/${dn.length}`, bytes: serializeScreen(s) });
            }
        }
    }
    for (const s of screens) {
        t.ok([...(s.title ?? "")].length <= 32 && [...(s.prompt ?? "")].length <= 32, `${s.locale}/${s.kind} limits`);
        t.equal(s.softKeys.length, SCREENS[s.kind].softKeys.length);
    }
    for (const d of docs) {
        const isJa = d.name.startsWith("ja_JP");
        const head = d.bytes.subarray(0, 60).toString("latin1");
        t.match(head, isJa ? /encoding="Shift_JIS"/ : /encoding="ISO-8859-1"/, `${d.name} declaration`);
    }
    const ja = docs.find((d) => d.name === "ja_JP/activated/4")!;
    t.match(decodeBytes(ja.bytes, "Shift_JIS"), /<Title>コールバック<\/Title>/, "Shift_JIS bytes decode back");
    const de = docs.find((d) => d.name === "de_DE/available/4")!;
    t.ok(de.bytes.includes(Buffer.from("Wählen", "latin1")), "Latin-1 bytes, not UTF-8");
    t.test("xmllint --schema", { skip: needXmllint() }, async (t) => {
        t.same(xsdFailures(docs), {}, `${docs.length} documents valid`);
    });
});
