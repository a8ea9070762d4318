import { CallbackdError } from "../errors.js";

/**
 * Misuse of the simulator's strict API (unknown phone, softkey not on screen, phone not registered, a
 * CallManager that cannot listen). Codes start with `SIM_`.
 */
export class SimError extends CallbackdError {}
