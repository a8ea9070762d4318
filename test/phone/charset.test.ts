import t from "tap";
import {
    decodeBytes,
    encodedLength,
    encodeLossy,
    encodeText,
    firstUnencodable,
    isAllowedCodePoint,
    parseCharset,
    replaceUnencodable,
} from "../../src/phone/charset.js";

t.test("charset labels", async (t) => {
    t.equal(parseCharset("iso-8859-1"), "ISO-8859-1");
    t.equal(parseCharset(" Latin1 "), "ISO-8859-1");
    t.equal(parseCharset("ISO_8859-1"), "ISO-8859-1");
    t.equal(parseCharset("Shift_JIS"), "Shift_JIS");
    t.equal(parseCharset("sjis"), "Shift_JIS");
    t.equal(parseCharset("utf-8"), undefined);
});

t.test("Latin-1", async (t) => {
    t.same(encodeText("Grüße àé", "ISO-8859-1"), Buffer.from("Grüße àé", "latin1"));
    t.equal(encodeText("€", "ISO-8859-1"), undefined);
    t.equal(encodeText("a\u{1F600}", "ISO-8859-1"), undefined);
    t.equal(firstUnencodable("Rückruf’s", "ISO-8859-1"), "’");
    t.equal(firstUnencodable("Rückruf", "ISO-8859-1"), undefined);
    t.equal(replaceUnencodable("a’b€", "ISO-8859-1"), "a?b?");
    t.equal(replaceUnencodable("ab", "ISO-8859-1"), "ab");
    t.equal(encodedLength("Grüße", "ISO-8859-1"), 5);
    t.same(encodeLossy("a€b", "ISO-8859-1"), Buffer.from("a?b"));
});

t.test("Shift_JIS round trip through the WHATWG decoder", async (t) => {
    const text = "コールバック 日本語 ｱｲｳ ABC ～ ①";
    const bytes = encodeText(text, "Shift_JIS")!;
    t.ok(bytes);
    t.equal(new TextDecoder("shift_jis").decode(bytes), text);
    t.same([...encodeText("日", "Shift_JIS")!], [0x93, 0xfa]);
    t.same([...encodeText("ｱ", "Shift_JIS")!], [0xb1], "half-width katakana single byte");
    t.same([...encodeText("¥", "Shift_JIS")!], [0x5c]);
    t.equal(encodeText("é", "Shift_JIS"), undefined);
    t.equal(encodedLength("コールバック", "Shift_JIS"), 12);
    t.equal(decodeBytes(bytes, "Shift_JIS"), text);
});

t.test("decodeBytes and allowed characters", async (t) => {
    t.equal(decodeBytes(Buffer.from("é", "latin1"), undefined), "é");
    t.equal(decodeBytes(Buffer.from("é", "utf8"), "UTF-8"), "é");
    t.equal(decodeBytes(Buffer.from("é", "latin1"), "x-unknown"), "é");
    for (const cp of [0x09, 0x0a, 0x0d, 0x20, 0xe9, 0x3042]) t.ok(isAllowedCodePoint(cp), `U+${cp.toString(16)}`);
    for (const cp of [0x00, 0x07, 0x1b, 0x7f, 0x85, 0xd800, 0xfffe, 0xffff]) t.notOk(isAllowedCodePoint(cp));
});
