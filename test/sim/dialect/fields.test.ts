/** Field readers and header versions shared by both ends of a link. */
import t from "tap";
import { headerVersionOf, num, text } from "../../../src/sim/dialect/fields.js";

t.test("absent or mistyped fields read as 0 and empty", async (t) => {
    const f = { a: 3, b: "x" };
    t.equal(num(f, "a"), 3);
    t.equal(num(f, "b"), 0);
    t.equal(num(f, "zz"), 0);
    t.equal(text(f, "b"), "x");
    t.equal(text(f, "a"), "");
});

t.test("only V20 links stamp a header version on call control", async (t) => {
    t.equal(headerVersionOf("cm2"), 0);
    t.equal(headerVersionOf("cm4"), 0);
    t.ok(headerVersionOf("v20") > 0);
});
