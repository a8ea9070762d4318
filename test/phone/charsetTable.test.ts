import t from "tap";
import { encodeText } from "../../src/phone/charset.js";

// The Shift_JIS table is built from one decode of every double-byte pair; this is the pair-by-pair
// definition it must equal: each pair decoded on its own, the first code kept for a character.
t.test("Shift_JIS encodes every character exactly as decoding each double-byte pair on its own defines", async (t) => {
    const want = new Map<number, number>();
    const decoder = new TextDecoder("shift_jis");
    for (let lead = 0x81; lead <= 0xfc; lead++) {
        if (lead > 0x9f && lead < 0xe0) continue;
        for (let trail = 0x40; trail <= 0xfc; trail++) {
            if (trail === 0x7f) continue;
            const s = decoder.decode(new Uint8Array([lead, trail]));
            const cp = s.codePointAt(0);
            if (cp === undefined || cp === 0xfffd || s.length !== 1 || want.has(cp)) continue;
            want.set(cp, (lead << 8) | trail);
        }
    }
    t.ok(want.size > 7000, `${want.size} characters`);
    let wrong = 0;
    for (const [cp, code] of want) {
        if (cp < 0x80 || (cp >= 0xff61 && cp <= 0xff9f)) continue; // single bytes, not from the table
        const got = encodeText(String.fromCodePoint(cp), "Shift_JIS");
        if (got === undefined || got.length !== 2 || ((got[0]! << 8) | got[1]!) !== code) wrong++;
    }
    t.equal(wrong, 0, "every double-byte character encodes to its first pair");
    let extra = 0;
    for (let cp = 0x80; cp < 0x10000; cp++) {
        if (want.has(cp) || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0xff61 && cp <= 0xff9f)) continue;
        if (cp === 0xa5 || cp === 0x203e) continue;
        if (encodeText(String.fromCodePoint(cp), "Shift_JIS") !== undefined) extra++;
    }
    t.equal(extra, 0, "no other character has a code");
    t.same([...(encodeText("\u00a5\u203e", "Shift_JIS") ?? [])], [0x5c, 0x7e], "the WHATWG encoder's extras");
    t.equal(encodeText("\u0100", "Shift_JIS"), undefined, "a character without a code");
});
