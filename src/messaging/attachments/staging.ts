/**
 * Files on their way in from the UI, staged in the vault before they are sent: the UI announces a file
 * (`begin`), hands it over in bounded chunks in order (`append`), and the send takes the staged file by its
 * id (`take`). The bytes go straight into an uncommitted vault file (ciphertext on disk, key in memory), so
 * no whole file is ever in memory and nothing staged survives a cancel, a lock or a crash.
 *
 * The limits are one rule in limits.ts (the contract bounds its inputs with the same numbers): a file
 * ≤ 100 MiB, a chunk ≤ 1 MiB, ≤ 32 stages at once, and a stage nobody touched for 10 minutes is wiped at
 * the next staging call (a lock wipes every stage: the vault aborts its unfinished file writes).
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { NotFoundError, PreconditionError, ValidationError } from '../../errors.js';
import type { EncryptedFileStore, VaultFileWriter } from '../../vault/file-store.js';
import { tooLarge } from './errors.js';
import { STAGING_LIMITS } from './limits.js';

interface Stage {
  readonly writer: VaultFileWriter;
  readonly size: number;
  touchedAt: number;
}

export class AttachmentStaging {
  readonly #stages = new Map<string, Stage>();

  constructor(
    private readonly files: EncryptedFileStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts staging a file of `size` bytes; returns its id. */
  begin(size: number): string {
    this.#expire();
    if (!Number.isInteger(size) || size < 1)
      throw new ValidationError('A staged file has at least one byte.');
    if (size > STAGING_LIMITS.maxFileBytes) throw tooLarge();
    if (this.#stages.size >= STAGING_LIMITS.maxStages) {
      throw new PreconditionError(`At most ${STAGING_LIMITS.maxStages} files can be staged at once.`);
    }
    const id = randomBytes(16).toString('hex');
    this.#stages.set(id, { writer: this.files.createWriter(), size, touchedAt: this.clock() });
    return id;
  }

  /** Appends the chunk that starts at `offset` (chunks come in order); returns the bytes staged so far. */
  append(stageId: string, offset: number, chunk: Uint8Array): number {
    const stage = this.#stage(stageId);
    if (chunk.length > STAGING_LIMITS.chunkBytes) {
      throw new ValidationError(`A chunk has at most ${STAGING_LIMITS.chunkBytes} bytes.`);
    }
    if (offset !== stage.writer.size) {
      throw new PreconditionError(`The next chunk starts at byte ${stage.writer.size}.`);
    }
    if (offset + chunk.length > stage.size) {
      this.cancel(stageId);
      throw new ValidationError('The file is longer than announced; its staged part was wiped.');
    }
    try {
      stage.writer.write(chunk);
    } catch (error) {
      this.#stages.delete(stageId);
      throw error;
    }
    stage.touchedAt = this.clock();
    return stage.writer.size;
  }

  /**
   * Stages a file the platform's own file chooser picked (a path the UI never sees), read a chunk at a
   * time. Only regular files; the stage is wiped if the file cannot be read or changes size meanwhile.
   */
  async stageFromPath(path: string): Promise<{ stageId: string; fileName: string; size: number }> {
    const handle = await open(path, 'r');
    let stageId: string | undefined;
    const buffer = Buffer.alloc(STAGING_LIMITS.chunkBytes);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new ValidationError('Only regular files can be attached.');
      stageId = this.begin(stat.size);
      for (let offset = 0; offset < stat.size;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset = this.append(stageId, offset, buffer.subarray(0, bytesRead));
      }
      if (this.#stage(stageId).writer.size !== stat.size) {
        throw new PreconditionError('The file changed while it was read.');
      }
      return { stageId, fileName: basename(path), size: stat.size };
    } catch (error) {
      if (stageId) this.cancel(stageId);
      throw error;
    } finally {
      buffer.fill(0);
      await handle.close();
    }
  }

  /** Ends staging: the complete file becomes a vault file (the caller's to record or delete). */
  take(stageId: string): string {
    const stage = this.#stage(stageId);
    if (stage.writer.size !== stage.size) {
      throw new PreconditionError(`The file is not complete: ${stage.writer.size} of ${stage.size} bytes.`);
    }
    this.#stages.delete(stageId);
    return stage.writer.commit();
  }

  /** Wipes a staged file; false when there was none. */
  cancel(stageId: string): boolean {
    const stage = this.#stages.get(stageId);
    if (!stage) return false;
    this.#stages.delete(stageId);
    stage.writer.abort();
    return true;
  }

  #stage(stageId: string): Stage {
    this.#expire();
    const stage = this.#stages.get(stageId);
    if (!stage) throw new NotFoundError('No such staged file (cancelled, expired or already sent).');
    return stage;
  }

  #expire(): void {
    const cutoff = this.clock() - STAGING_LIMITS.idleMs;
    for (const [id, stage] of this.#stages) if (stage.touchedAt <= cutoff) this.cancel(id);
  }
}
