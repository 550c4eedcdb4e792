// Messages between the render pool and its threads. Types only.

/** A process's own renderer, loaded by the thread: an absolute module path and the name of its `(input) => Promise<Buffer>`. */
export interface DocumentRenderer {
  module: string;
  name: string;
}

export interface RenderRequest {
  id: number;
  input: unknown;
  renderer: DocumentRenderer;
}

export type RenderReply =
  | { id: number; ok: true; pdf: Uint8Array }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string | undefined; fields?: string[] | undefined } };
