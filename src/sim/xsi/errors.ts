import { CallbackdError } from "../../errors.js";

/** Misuse of the simulated XSI phone (not started, no such softkey, xmllint missing …). */
export class XsiSimError extends CallbackdError {}
