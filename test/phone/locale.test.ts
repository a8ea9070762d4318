import t from "tap";
import {
    chooseLocale,
    matchLocale,
    modelShowsShiftJis,
    needsShiftJis,
    parseAcceptLanguage,
} from "../../src/phone/locale.js";

const ALL = ["de_DE", "en_US", "es_ES", "fr_FR", "it_IT", "ja_JP", "nl_NL", "pt_BR"];

t.test("directory first, then Accept-Language, then the default", async (t) => {
    t.equal(chooseLocale({ directoryLocale: "de_DE", acceptLanguage: "fr", default: "it_IT" }), "de_DE");
    t.equal(chooseLocale({ acceptLanguage: "fr-FR,fr;q=0.9", default: "it_IT" }), "fr_FR");
    t.equal(chooseLocale({ default: "it_IT" }), "it_IT");
    t.equal(
        chooseLocale({ directoryLocale: "xx_YY", acceptLanguage: "nl", default: "it_IT" }),
        "nl_NL",
        "unknown falls through",
    );
    t.equal(chooseLocale({ acceptLanguage: "sv-SE, da;q=0.8", default: "es_ES" }), "es_ES");
    t.equal(chooseLocale({ default: "sv_SE" }), "en_US", "unknown default → en_US");
    t.equal(chooseLocale({ directoryLocale: "German Germany", default: "en_US" }), "de_DE", "CallManager locale names");
    t.equal(chooseLocale({ directoryLocale: "pt-br", default: "en_US" }), "pt_BR");
    t.equal(chooseLocale({ directoryLocale: "de_DE", default: "en_US", available: ["en_US", "fr_FR"] }), "en_US");
});

t.test("Japanese only on phones that show Shift_JIS, else English", async (t) => {
    t.equal(chooseLocale({ directoryLocale: "ja_JP", model: "7961G", default: "en_US" }), "ja_JP");
    t.equal(chooseLocale({ directoryLocale: "ja_JP", model: "CP-7965G", default: "de_DE" }), "ja_JP");
    t.equal(chooseLocale({ directoryLocale: "ja_JP", model: "Cisco 7940", default: "de_DE" }), "en_US");
    t.equal(chooseLocale({ directoryLocale: "ja_JP", default: "de_DE" }), "en_US", "unknown model");
    t.equal(chooseLocale({ acceptLanguage: "ja,en;q=0.5", model: "7960", default: "fr_FR" }), "en_US");
    t.equal(chooseLocale({ acceptLanguage: "ja-JP", model: "7970", default: "fr_FR" }), "ja_JP");
    t.equal(chooseLocale({ default: "ja_JP", model: "7912" }), "en_US");
    t.equal(chooseLocale({ default: "ja_JP", model: "7912", shiftJisModels: ["7912"] }), "ja_JP", "configurable");
    t.ok(needsShiftJis("ja_JP"));
    t.notOk(needsShiftJis("de_DE"));
    t.ok(modelShowsShiftJis("Cisco IP Communicator"));
    t.notOk(modelShowsShiftJis("79610"), "five digits is not a model number");
    t.notOk(modelShowsShiftJis(undefined));
});

t.test("Accept-Language parsing", async (t) => {
    t.same(parseAcceptLanguage("fr;q=0.5, de-DE, en;q=0.8, *;q=0.1, it;q=0"), ["de-DE", "en", "fr"]);
    t.same(parseAcceptLanguage("nl, ,es"), ["nl", "es"]);
    t.same(parseAcceptLanguage("en;q=abc, de;q=0.5"), ["en", "de"], "malformed q ignored");
    t.same(parseAcceptLanguage("en; level=1"), ["en"]);
    t.same(parseAcceptLanguage("x".repeat(5000)).length, 1, "bounded");
});

t.test("matchLocale", async (t) => {
    t.equal(matchLocale("en", ALL), "en_US");
    t.equal(matchLocale("en-GB", ALL), "en_US", "language fallback");
    t.equal(matchLocale("de_CH", ALL), "de_DE");
    t.equal(matchLocale("fr_FR.ISO8859-1", ALL), "fr_FR");
    t.equal(matchLocale("pt", ["pt_PT", "pt_BR"]), "pt_BR", "first in sort order");
    t.equal(matchLocale("Japanese Japan", ["en_US"]), undefined);
    t.equal(matchLocale("123", ALL), undefined);
    t.equal(matchLocale("sv", ALL), undefined);
});
