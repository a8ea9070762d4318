/**
 * The service's redundancy roles with the simulated office in one process: a standby acts on nothing and
 * answers softkeys with "Service not available.", takes replicated state, and resumes it when made active;
 * an activation is acknowledged only once the replication has it too.
 */
import t from "tap";
import { CallbackService, ServiceRoleError } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { needTool } from "../helpers/tools.js";
import { activated, type Office, startOffice } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

async function busyPress(o: Office): Promise<void> {
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "1003 hears busy");
    await o.branch.press("1003", "CallBack");
}

t.test("an activation waits for the replication as well as for flash", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    let release: () => void = () => {};
    let asked = 0;
    o.service.attachReplication({
        replicate: () => {
            asked++;
            return new Promise<void>((r) => {
                release = r;
            });
        },
    });
    await busyPress(o);
    await o.until(() => asked > 0, "the state handed to the replication");
    await o.branch.advance(2000);
    t.notOk(o.screenTexts("1003").includes(activated("1002")), "not acknowledged before the replication has it");
    t.equal(o.service.state.requests[0]?.phase, "pending");
    release();
    await o.until(() => o.screenTexts("1003").includes(activated("1002")), "acknowledged once replicated");
    o.service.attachReplication(null);
});

t.test("standby: takes state, acts on nothing, answers softkeys with Service not available", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    await busyPress(o);
    await o.until(() => o.screenTexts("1003").includes(activated("1002")), "activated");
    const replica = o.service.replicaPayload();
    t.throws(() => o.service.applyReplica(2, replica), ServiceRoleError, "an active box refuses replicated state");
    await o.until(() => o.service.atSafePoint(), "nothing half done (the screen's push answered)");

    o.service.setRole("standby", "test");
    t.equal(o.service.role, "standby");
    o.service.applyReplica(2, replica);
    t.equal(o.service.state.requests.length, 1, "the replicated request is held");
    // Cancel on the activated screen: the standby does not act
    const phone = o.xsi.get(o.branch.phone("1003").ip)!;
    await phone.pressSoftKey("Cancel");
    await o.until(() => o.screenTexts("1003").includes("Service not available."), "Service not available.");
    t.equal(o.service.state.requests.length, 1, "the request is untouched");
    // the callee frees up: a standby notifies nobody
    await o.branch.hangUp("1003");
    await o.branch.hangUp("1002");
    await o.branch.advance(10_000);
    o.service.tick();
    t.notOk(
        o.screenTexts("1003").some((s) => s.startsWith("1002 has become available")),
        "no notification from a standby",
    );
    // made active: the request resumes (guard time from the current line state) and is served
    o.service.setRole("active", "test");
    await o.until(
        () => o.screenTexts("1003").some((s) => s.startsWith("1002 has become available")),
        "notified once active",
    );
});

t.test(
    "a standby that saw no registration takes the phones it does not know from the active box's knowledge",
    { skip },
    async (t) => {
        const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
        t.teardown(() => o.stop());
        await o.until(() => o.service.model.knowledgeSummary().registration === 3, "three registrations");
        await o.until(() => o.service.model.unlearnedPhones().length === 0, "their templates and lines");
        // a standby installed later: the same configuration, nothing seen on the wire yet
        const standby = new CallbackService({
            config: o.service.config,
            fs: new MemoryFlashFs(),
            timeMode: "capture",
            initialRole: "standby",
        });
        await standby.start();
        t.teardown(() => standby.stop());
        standby.applyReplica(2, o.service.replicaPayload());
        t.equal(standby.model.knowledgeSummary().devices, 0, "the request replica carries no knowledge");
        standby.applyKnowledge(o.service.knowledgePayload());
        t.match(
            standby.model.knowledgeSummary(),
            { devices: 3, restored: 3 },
            "restored from the replicated knowledge",
        );
        t.throws(
            () => o.service.applyKnowledge(o.service.knowledgePayload()),
            ServiceRoleError,
            "not on the active box",
        );
        const caller = o.branch.phone("1003").deviceName;
        t.match(standby.model.device(caller), { lines: [{ dn: "1003" }], softKeys: { callBackEvent: Number } });
        // what it knows stays: the same knowledge again adds nothing
        t.equal(standby.knowledge.applyReplica(o.service.knowledgePayload()), 0);
    },
);
