// Messages between the render pool and its threads. Types only.
import type { ContractDocumentInput } from '../../domain/contract';

export interface RenderRequest {
  id: number;
  input: ContractDocumentInput;
}

export type RenderReply =
  | { id: number; ok: true; pdf: Uint8Array }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string | undefined; fields?: string[] | undefined } };
