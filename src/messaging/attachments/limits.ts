/**
 * Attachment limits, platform-free so the API contract (and through it the UI) and the core share one
 * rule: Signal's 100 MiB per file, and how files are staged across the UI boundary (staging.ts).
 */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

export const STAGING_LIMITS = {
  /** One file. */
  maxFileBytes: MAX_ATTACHMENT_BYTES,
  /** One chunk of `attachments.stageChunk` (≈ 1.33 MiB as base64 in a JSON message). */
  chunkBytes: 1024 * 1024,
  /** Files being staged at once (a message carries at most 32). */
  maxStages: 32,
  /** A stage nobody touched for this long is wiped. */
  idleMs: 10 * 60 * 1000,
} as const;
