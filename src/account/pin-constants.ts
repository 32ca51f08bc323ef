/** Platform-free PIN policy constants (the renderer and the audit may import these). */

/** Below this estimate a PIN is accepted only after an explicit warning. */
export const STRONG_PIN_BITS = 50;
export const MIN_NUMERIC_PIN_LENGTH = 6;
export const MIN_PIN_LENGTH = 4;
export const GENERATED_PIN_LENGTH = 24;
