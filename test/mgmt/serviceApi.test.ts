/**
 * The Call Back operations as MQTT shows them (issue T item 11): show-phones with a filter counts the
 * phones that match, list-callbacks replies `callbacks`, and every time is epoch milliseconds.
 */
import t from "tap";
import { serviceApi } from "../../src/service/serviceApi.js";
import { startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";

const isMs = (v: unknown): boolean => typeof v === "number" && v > 1e12;

t.test("show-phones, show-phone and list-callbacks", { skip: needTool("xmllint", "libxml2-utils") }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    await o.until(() => o.service.model.allDevices().length === 3, "three phones");
    const api = serviceApi(o.service);
    const filtered = (await api.showPhones({ filter: "1002", limit: 100 })) as {
        total: number;
        known: number;
        phones: unknown[];
    };
    t.equal(filtered.phones.length, 1);
    t.equal(filtered.total, 1, "total counts the phones that match, not all of them");
    t.equal(filtered.known, 3);
    const limited = (await api.showPhones({ limit: 2 })) as { total: number; phones: unknown[] };
    t.same([limited.total, limited.phones.length], [3, 2], "the limit cuts the list, not the total");
    const name = o.service.model.allDevices()[0]!.name!;
    const phone = (await api.showPhone(name)) as { lastSeen: number; registeredAt: number };
    t.ok(isMs(phone.lastSeen) && isMs(phone.registeredAt), "times in milliseconds");
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
    await o.branch.press("1003", "CallBack");
    await o.until(() => o.service.state.requests.some((r) => r.phase === "waiting"), "the request");
    const list = (await api.listCallbacks({ state: "waiting", limit: 10 })) as {
        total: number;
        callbacks: Array<{ createdAt: number; expiresAt: number; calledDn: string }>;
    };
    t.equal(list.total, 1);
    t.equal(list.callbacks[0]?.calledDn, "1002");
    t.ok(isMs(list.callbacks[0]?.createdAt) && isMs(list.callbacks[0]?.expiresAt), "times in milliseconds");
    t.same(await api.listCallbacks({ state: "notified", limit: 10 }), { total: 0, callbacks: [] });
});
