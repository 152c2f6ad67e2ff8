// The Bot API's vocabulary, typed from @grammyjs/types: method names, their parameters and
// results, and the file to upload. The client (telegram/client.ts) and everything that only
// speaks of calls (the AI's journaled effects, the outbox, command handlers) share it.
import type { ApiMethods, Opts } from "@grammyjs/types";

/** Bytes to upload as multipart: a photo or document that is not a URL or file_id. */
export class InputFile {
  constructor(
    readonly data: Blob | Uint8Array | ArrayBuffer,
    readonly filename: string,
    readonly contentType = "application/octet-stream",
  ) {}
  toBlob(): Blob {
    if (this.data instanceof Blob) return this.data;
    return new Blob([this.data], { type: this.contentType });
  }
}

type Api = ApiMethods<InputFile>;
export type ApiMethod = keyof Api;
export type ApiParams<M extends ApiMethod> = Opts<InputFile>[M];
export type ApiResult<M extends ApiMethod> = Awaited<ReturnType<Api[M]>>;
