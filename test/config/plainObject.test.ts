import t from "tap";
import { getAt, isPlainObject, putOwn } from "../../src/config/plainObject.js";

t.test("isPlainObject: objects only, not arrays or null", async (t) => {
    t.equal(isPlainObject({}), true);
    t.equal(isPlainObject([]), false);
    t.equal(isPlainObject(null), false);
    t.equal(isPlainObject("x"), false);
});

t.test("putOwn keeps __proto__ as data", async (t) => {
    const o: Record<string, unknown> = {};
    putOwn(o, "__proto__", { polluted: true });
    t.equal(Object.getPrototypeOf(o), Object.prototype);
    t.same(Object.keys(o), ["__proto__"]);
    t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test("getAt follows own keys and stops at a non-object", async (t) => {
    const doc = { a: { b: { c: 3 } }, n: 5 };
    t.equal(getAt(doc, ["a", "b", "c"]), 3);
    t.same(getAt(doc, []), doc);
    t.equal(getAt(doc, ["a", "x"]), undefined);
    t.equal(getAt(doc, ["n", "x"]), undefined);
    t.equal(getAt(doc, ["toString"]), undefined, "inherited keys are not paths");
});
