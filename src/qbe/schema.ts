/**
 * The QBE tables compiled once into the form the codec walks: per message and per nested element type, its
 * fields with a numeric wire type, the slot size in the fixed part and, for elements, the element's own
 * definition. Names and kinds come from ids.tsv.
 */
import { qbeEnums } from "./tables/enums.js";
import { type QbeKind, qbeIds } from "./tables/ids.js";
import { type QbeFieldSpec, qbeMessageFields, qbeStructFields } from "./tables/schema.js";

/** Numeric wire types (QBE-REFERENCE.md §3.2). */
export const W = {
    int32: 0,
    bool32: 1,
    string: 2,
    ustring: 3,
    bytes: 4,
    element: 5,
    elementArray: 6,
    int32Array: 7,
    callhandle: 8,
    callhandleArray: 9,
} as const;
export type WireType = (typeof W)[keyof typeof W];

/** Fixed-part slot size of each wire type, indexed by WireType. */
export const SLOT_SIZE: readonly number[] = [4, 4, 8, 16, 8, 12, 16, 16, 8, 16];

/** One field of a message or element. */
export interface QbeFieldDef {
    readonly name: string;
    readonly type: WireType;
    /** The type as the reference spells it, e.g. "struct:PartyDNInfo_V2". */
    readonly wire: string;
    /** Element definition for element and element-array fields, else null. */
    readonly element: QbeStructDef | null;
}

/** A nested element type (or a message body): its fields in wire order. */
export interface QbeStructDef {
    readonly name: string;
    readonly fields: readonly QbeFieldDef[];
    /** Fixed-part size in this client version. */
    readonly fixedSize: number;
}

/** A message with its id-table facts. */
export interface QbeMessageDef extends QbeStructDef {
    readonly id: number;
    readonly constant: string;
    readonly kind: QbeKind;
}

const STRUCTS = new Map<string, QbeStructDef>();
/** The element types' field lists while the tables are compiled (see `messages`). */
let structFields: ReadonlyMap<string, readonly QbeFieldSpec[]> = new Map();
/** Element types being compiled (cycle check). */
const COMPILING = new Set<string>();

function compileField([name, wire]: QbeFieldSpec): QbeFieldDef {
    const arr = wire.endsWith("[]");
    const base = arr ? wire.slice(0, -2) : wire;
    if (base.startsWith("struct:")) {
        const element = structDef(base.slice(7));
        return { name, wire, type: arr ? W.elementArray : W.element, element };
    }
    let type: WireType;
    if (arr && base === "int32") type = W.int32Array;
    else if (arr && base === "callhandle") type = W.callhandleArray;
    else if (!arr && base in W && base !== "element" && base !== "elementArray") type = W[base as keyof typeof W];
    else throw new Error(`QBE schema: unsupported wire type "${wire}" of field ${name}`);
    return { name, wire, type, element: null };
}

function structDef(name: string): QbeStructDef {
    const known = STRUCTS.get(name);
    if (known !== undefined) {
        // The decoder recurses without a depth limit: that is safe only because no element contains itself.
        if (COMPILING.has(name)) throw new Error(`QBE schema: element type ${name} contains itself`);
        return known;
    }
    const spec = structFields.get(name);
    if (spec === undefined) throw new Error(`QBE schema: unknown element type ${name}`);
    const fields: QbeFieldDef[] = [];
    const def: QbeStructDef = { name, fields, fixedSize: 0 };
    STRUCTS.set(name, def);
    COMPILING.add(name);
    let fixed = 0;
    for (const f of spec) {
        const c = compileField(f);
        fields.push(c);
        fixed += SLOT_SIZE[c.type]!;
    }
    (def as { fixedSize: number }).fixedSize = fixed;
    COMPILING.delete(name);
    return def;
}

const MESSAGES = new Map<number, QbeMessageDef>();
const ID_NAMES = new Map<number, string>();
const ID_CONSTANTS = new Map<number, string>();
const NAME_TO_ID = new Map<string, number>();
let compiled = false;

/**
 * Compiles the tables on the first lookup (the first QBE frame, or the simulator's first message), not when
 * the module loads: a run or a decode without CTI traffic never pays for it. Returns MESSAGES.
 */
function messages(): Map<number, QbeMessageDef> {
    if (compiled) return MESSAGES;
    compiled = true;
    structFields = qbeStructFields();
    const messageFields = qbeMessageFields();
    for (const [id, constant, cls, kind] of qbeIds()) {
        ID_NAMES.set(id, cls ?? constant);
        ID_CONSTANTS.set(id, constant);
        NAME_TO_ID.set(cls ?? constant, id);
        const spec = messageFields.get(id);
        if (spec === undefined || cls === null || kind === null) continue;
        const fields = spec.map(compileField);
        let fixed = 0;
        for (const f of fields) fixed += SLOT_SIZE[f.type]!;
        MESSAGES.set(id, { id, name: cls, constant, kind, fields, fixedSize: fixed });
    }
    for (const [e, values] of qbeEnums()) ENUM_NAMES.set(e, new Map(values));
    structFields = new Map();
    return MESSAGES;
}

/** Definition of a message id, or undefined when this client version has no class for it. */
export function qbeMessageDef(id: number): QbeMessageDef | undefined {
    return messages().get(id);
}

/** Definition of a nested element type by name. */
export function qbeStructDef(name: string): QbeStructDef | undefined {
    messages();
    return STRUCTS.get(name);
}

/** Name of an id: the class name as in ids.tsv, the constant for ids without a class, else undefined. */
export function qbeMessageName(id: number): string | undefined {
    messages();
    return ID_NAMES.get(id);
}

/** The ids.tsv constant of an id (e.g. "CALL_STATE_CHANGED_EVENT"). */
export function qbeMessageConstant(id: number): string | undefined {
    messages();
    return ID_CONSTANTS.get(id);
}

/** Id of a class name (or of a constant for ids without a class). */
export function qbeMessageId(name: string): number | undefined {
    messages();
    return NAME_TO_ID.get(name);
}

/** All message definitions, ascending by id. */
export function qbeMessageDefs(): readonly QbeMessageDef[] {
    return [...messages().values()];
}

const ENUM_NAMES = new Map<string, Map<number, string>>();

/** Name of an enumeration value (e.g. qbeEnumName("CALLSTATE", 8) === "CONNECTED"), or undefined. */
export function qbeEnumName(enumName: string, value: number): string | undefined {
    messages();
    return ENUM_NAMES.get(enumName)?.get(value);
}

/** Well-known message ids used by the link observer. */
export const QbeId = {
    FailureResponse: 0,
    ProviderOpenRequest: 3,
    ProviderOpenResponse: 4,
    ProviderCloseRequest: 9,
    ProviderCloseResponse: 10,
    DeviceRegisteredEvent: 15,
    DeviceOpenRequest: 16,
    DeviceOpenResponse: 17,
    DeviceCloseRequest: 22,
    DeviceCloseResponse: 23,
    DeviceClosedEvent: 30,
    LineOpenRequest: 37,
    LineOpenResponse: 38,
    LineCloseRequest: 41,
    LineCloseResponse: 42,
    LineClosedEvent: 47,
    NewCallEvent: 48,
    ExistingCallEvent: 49,
    CallClosedEvent: 84,
    CallPartyInfoChangedEvent: 108,
    DeviceOutOfServiceEvent: 111,
    DeviceInServiceEvent: 112,
    LineOutOfServiceEvent: 113,
    LineInServiceEvent: 114,
    Heartbeat: 120,
    ProviderOpenCompletedEvent: 126,
    DeviceUnregisteredEvent: 129,
    ProviderClosedEvent: 155,
    DeviceLineInfoEvent: 279,
    DeviceRegisteredEventWithLineInfo: 280,
    CallStateChangedEvent_V2: 281,
} as const;
