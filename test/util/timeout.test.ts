import t from "tap";
import { withTimeout } from "../../src/util/timeout.js";

t.test("resolves, rejects with the promise's error, or times out", async (t) => {
    t.equal(await withTimeout(Promise.resolve(7), 1000), 7);
    await t.rejects(withTimeout(Promise.reject(new Error("boom")), 1000), /boom/);
    await t.rejects(withTimeout(new Promise(() => {}), 20), /timed out after 20 ms/);
});
