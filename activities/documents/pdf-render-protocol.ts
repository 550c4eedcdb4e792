// Messages between the render pool and its threads. Types only.
import type { ContractDocumentInput } from '../../workflows/contract/rules';

/** A process's own renderer, loaded by the thread: an absolute module path and the name of its `(input) => Promise<Buffer>`. */
export interface DocumentRenderer {
  module: string;
  name: string;
}

export interface RenderRequest {
  id: number;
  /** The contract's document input, or the input of `renderer`. */
  input: ContractDocumentInput | unknown;
  /** Absent: the contract's renderer. */
  renderer?: DocumentRenderer;
}

export type RenderReply =
  | { id: number; ok: true; pdf: Uint8Array }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string | undefined; fields?: string[] | undefined } };
