/** Softkey templates and sets; the phone's clock and its formatting. */
import t from "tap";
import {
    callBackInSet,
    INTERN_CAP,
    internedCounts,
    labelCode,
    mergeSets,
    mergeTemplate,
    slotOfEvent,
} from "../../src/cluster/softkeys.js";
import { clockFromTimeDate, formatPhoneTime, phoneTimeAt } from "../../src/cluster/time.js";
import type { PhoneTimeView } from "../../src/cluster/types.js";
import type { SccpFields } from "../../src/sccp/codec.js";

t.test("label codes", async (t) => {
    t.equal(labelCode("\u0080A"), 0x41);
    t.equal(labelCode("x\u0080\u0009"), 9);
    t.equal(labelCode("\u0080"), null);
    t.equal(labelCode("plain"), null);
    t.equal(labelCode(undefined), null);
});

t.test("templates are paged, interned and find the CallBack event", async (t) => {
    const page1: SccpFields = {
        softKeyOffset: 0,
        softKeyCount: 2,
        totalSoftKeyCount: 3,
        definition: [
            { softKeyLabel: "Redial", softKeyLabelCodes: "\u0080\u0001", softKeyEvent: 1 },
            { softKeyLabel: "Mine", softKeyEvent: 7 },
        ],
    };
    const page2: SccpFields = {
        softKeyOffset: 2,
        softKeyCount: 1,
        totalSoftKeyCount: 3,
        definition: [{ softKeyLabel: "Callback", softKeyLabelCodes: "\u0080A", softKeyEvent: 65 }],
    };
    const a = mergeTemplate(mergeTemplate(null, page1), page2);
    t.same(a.events, [1, 7, 65]);
    t.same(a.codes, [1, null, 0x41]);
    t.equal(a.callBackEvent, 65);
    t.equal(slotOfEvent(a, 65), 2);
    t.equal(slotOfEvent(a, 99), -1);
    const b = mergeTemplate(mergeTemplate(null, page1), page2);
    t.equal(a, b, "interned");
    // A page at an offset beyond what is known leaves holes; a page at 0 starts again.
    const c = mergeTemplate(null, { ...page2, softKeyOffset: 3 });
    t.same(c.events, [-1, -1, -1, 65]);
    t.equal(mergeTemplate(a, page1).events.length, 2);
    t.equal(mergeTemplate(null, { softKeyOffset: 0, definition: "x" }).events.length, 0);
    const big = mergeTemplate(null, {
        softKeyOffset: 0,
        definition: Array.from({ length: 80 }, (_, i) => ({ softKeyLabel: `k${i}`, softKeyEvent: i })),
    });
    t.equal(big.events.length, 64);
});

t.test("sets: CallBack presence per set, paging, unknowns", async (t) => {
    const tpl = mergeTemplate(null, {
        softKeyOffset: 0,
        definition: [
            { softKeyLabel: "Redial", softKeyLabelCodes: "\u0080\u0001", softKeyEvent: 1 },
            { softKeyLabel: "Callback", softKeyLabelCodes: "\u0080A", softKeyEvent: 20 },
        ],
    });
    const s = mergeSets(null, {
        softKeySetOffset: 0,
        definition: [
            { softKeyTemplateIndex: [1, 2, 0] },
            { softKeyTemplateIndex: [1, 0] },
            { softKeyTemplateIndex: "bad" },
        ],
    });
    t.equal(callBackInSet(tpl, s, 0), true);
    t.equal(callBackInSet(tpl, s, 1), false);
    t.equal(callBackInSet(tpl, s, 2), false);
    t.equal(callBackInSet(tpl, s, 8), false);
    t.equal(callBackInSet(null, s, 0), null);
    t.equal(callBackInSet(tpl, null, 0), null);
    const s2 = mergeSets(s, { softKeySetOffset: 8, definition: [{ softKeyTemplateIndex: [2] }] });
    t.equal(s2.sets.length, 9);
    t.equal(callBackInSet(tpl, s2, 8), true);
    t.equal(
        mergeSets(null, {
            softKeySetOffset: 0,
            definition: Array.from({ length: 40 }, () => ({ softKeyTemplateIndex: [1] })),
        }).sets.length,
        32,
    );
});

t.test("interning pools stay bounded", async (t) => {
    const template = (i: number): SccpFields => ({
        softKeyOffset: 0,
        definition: [{ softKeyLabel: `bounded${i}`, softKeyEvent: i }],
    });
    const sets = (i: number): SccpFields => ({
        softKeySetOffset: 0,
        definition: [{ softKeyTemplateIndex: [i % 256] }, { softKeyTemplateIndex: [i, 7777] }],
    });
    const first = mergeTemplate(null, template(0));
    const firstSets = mergeSets(null, sets(0));
    t.equal(mergeTemplate(null, template(0)), first, "interned: the same object again");
    for (let i = 1; i < INTERN_CAP + 44; i++) {
        mergeTemplate(null, template(i));
        mergeSets(null, sets(i));
    }
    t.same(internedCounts(), { templates: INTERN_CAP, sets: INTERN_CAP }, "300 distinct of each: the cap is held");
    const last = mergeTemplate(null, template(INTERN_CAP + 43));
    t.equal(mergeTemplate(null, template(INTERN_CAP + 43)), last, "recent templates are still shared");
    const again = mergeTemplate(null, template(0));
    t.not(again, first, "the oldest was forgotten (a new object)...");
    // the id names one interned object (the knowledge snapshot refers to templates by it): a new object, a new id
    t.same({ ...again, id: 0 }, { ...first, id: 0 }, "...with the same content");
    t.not(again.id, first.id, "...and its own id");
    t.not(mergeSets(null, sets(0)), firstSets, "set lists alike");
    t.same(internedCounts(), { templates: INTERN_CAP, sets: INTERN_CAP }, "still at the cap");
});

const view = (over: Partial<PhoneTimeView>): PhoneTimeView => ({
    year: 2026,
    month: 6,
    day: 3,
    hour: 20,
    minute: 5,
    second: 0,
    dayOfWeek: 3,
    dateTemplate: "M/D/Y",
    utcOffsetS: 0,
    setAt: 0,
    ...over,
});

t.test("phone clock: set by DefineTimeDate, advanced by capture time, formatted with the date template", async (t) => {
    const c = clockFromTimeDate(
        {
            wYear: 2026,
            wMonth: 12,
            wDay: 31,
            wHour: 23,
            wMinute: 59,
            wSecond: 30,
            wMilliseconds: 0,
            systemTime: Date.UTC(2026, 11, 31, 22, 59, 30) / 1000,
        },
        1000,
    )!;
    t.equal(c.utcOffsetS, 3600);
    t.match(phoneTimeAt(c, 1040, "D.M.Y"), {
        year: 2027,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 10,
        dayOfWeek: 5,
    });
    t.equal(clockFromTimeDate({ wYear: 2026, wMonth: 1, wDay: 1, wHour: 0, wMinute: 0 }, 0)!.utcOffsetS, null);
    t.equal(clockFromTimeDate({ wYear: 2026, wMonth: 13, wDay: 1 }, 0), null);
    t.equal(clockFromTimeDate({ wYear: 2026, wMonth: 1, wDay: 1, wHour: 24 }, 0), null);
    t.equal(formatPhoneTime(view({})), "20:05 06/03/26");
    t.equal(formatPhoneTime(view({ dateTemplate: "D.M.Y" })), "20:05 03.06.26");
    t.equal(formatPhoneTime(view({ dateTemplate: "Y-M-D" })), "20:05 26-06-03");
    t.equal(formatPhoneTime(view({ dateTemplate: "M/D/YA" })), "8:05pm 06/03/26");
    t.equal(formatPhoneTime(view({ dateTemplate: "M/D/YA", hour: 0 })), "12:05am 06/03/26");
    t.equal(formatPhoneTime(view({ dateTemplate: null, hour: 9 })), "09:05 06/03/26");
    t.equal(formatPhoneTime(view({ dateTemplate: "??" })), "20:05 06/03/26");
});
