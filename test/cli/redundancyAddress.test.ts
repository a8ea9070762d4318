import t from "tap";
import { redundancyAddress } from "../../src/cli/run.js";

t.test("the box's address in the redundancy ordering", async (t) => {
    t.equal(redundancyAddress("10.0.0.7", "http://10.9.9.9:8080", "http://127.0.0.1:80"), "10.0.0.7", "configured");
    t.throws(() => redundancyAddress("box1", null, "http://127.0.0.1:80"), { code: "CONFIG_REDUNDANCY_ADDRESS" });
    t.equal(redundancyAddress("", "http://10.9.9.9:8080", "http://127.0.0.1:80"), "10.9.9.9", "from http.publicUrl");
    t.equal(redundancyAddress("", null, "http://[fd00::5]:8080"), "fd00::5", "from the bound address, IPv6");
    t.equal(
        redundancyAddress("", "http://callbackd.branch1:8080", "http://127.0.0.2:80"),
        "127.0.0.2",
        "names skipped",
    );
});
