import t from "tap";
import { CaptureError, ConfigError, describeError } from "../src/errors.js";

t.test("typed errors carry stable codes and safe details", async (t) => {
    const err = new ConfigError("CONFIG_INVALID", "capture.interface: must be string", { key: "capture.interface" });
    t.equal(err.code, "CONFIG_INVALID");
    t.equal(err.name, "ConfigError");
    t.ok(err instanceof Error);
    t.same(err.toJSON(), {
        code: "CONFIG_INVALID",
        message: "capture.interface: must be string",
        details: { key: "capture.interface" },
    });
    t.same(describeError(new CaptureError("CAPTURE_OPEN", "no such file")), {
        code: "CAPTURE_OPEN",
        message: "no such file",
    });
    t.same(describeError(new TypeError("x")), { code: "INTERNAL", message: "x" });
    t.same(describeError("boom"), { code: "INTERNAL", message: "boom" });
});
