import t from "tap";
import { findJsonError, lineColumn, parseJson } from "../../src/config/json.js";
import { ConfigError } from "../../src/errors.js";

t.test("valid JSON parses and has no error", async (t) => {
    const text = '{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9\\"\\\\\\/\\b\\f\\r\\t"], "b": {}, "c": []}';
    t.same(parseJson(text, "x.json"), JSON.parse(text));
    t.equal(findJsonError(text), undefined);
    t.equal(findJsonError(" \t\r\n 0 "), undefined);
});

t.test("line and column are 1-based", async (t) => {
    t.same(lineColumn("ab\ncd", 0), { line: 1, column: 1 });
    t.same(lineColumn("ab\ncd", 4), { line: 2, column: 2 });
    t.same(lineColumn("ab\n", 3), { line: 2, column: 1 });
});

t.test("every kind of syntax error is located like JSON.parse rejects it", async (t) => {
    const cases: [string, number, number, RegExp][] = [
        ["", 1, 1, /unexpected end of input, expected a value/],
        ["{", 1, 2, /end of input, expected a double-quoted property name/],
        ['{"a" 1}', 1, 6, /expected ":"/],
        ['{"a": 1 "b": 2}', 1, 9, /expected "," or "}"/],
        ['{"a": 1,}', 1, 9, /expected a double-quoted property name/],
        ["{'a': 1}", 1, 2, /double-quoted property name/],
        ["[1 2]", 1, 4, /expected "," or "]"/],
        ["[1,]", 1, 4, /expected a value/],
        ["[", 1, 2, /end of input, expected a value/],
        ['"abc', 1, 1, /unterminated string/],
        ['"a\tb"', 1, 3, /control character/],
        ['"\\x"', 1, 2, /bad escape/],
        ['"\\u12G4"', 1, 2, /bad \\u escape/],
        ["-", 1, 1, /bad number/],
        ["01", 1, 2, /after the JSON value/],
        ["tru", 1, 1, /expected a value/],
        ["nul", 1, 1, /expected a value/],
        ["fals", 1, 1, /expected a value/],
        ["{} x", 1, 4, /unexpected character "x" after the JSON value/],
        ["// comment\n{}", 1, 1, /unexpected character "\/"/],
        ['{\n  "a": 1,\n  "b": ]\n}', 3, 8, /unexpected character "]", expected a value/],
    ];
    for (const [text, line, column, reason] of cases) {
        t.throws(() => JSON.parse(text), SyntaxError, `JSON.parse rejects ${JSON.stringify(text)}`);
        const found = findJsonError(text);
        t.match(found, { line, column, reason }, JSON.stringify(text));
        try {
            parseJson(text, "f.json");
            t.fail("parseJson should throw");
        } catch (err) {
            t.ok(err instanceof ConfigError);
            const e = err as ConfigError;
            t.equal(e.code, "CONFIG_PARSE");
            t.ok(e.message.startsWith(`f.json:${line}:${column}: `), e.message);
            t.ok(e.cause instanceof SyntaxError);
        }
    }
});

t.test("a leading BOM is skipped", async (t) => {
    t.same(parseJson('\uFEFF{"a":1}', "x"), { a: 1 });
});
