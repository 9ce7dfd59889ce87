/** Every error this package throws: bad model bytes, unsupported operators, shapes it cannot resolve. */
export class OnnxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxError';
  }
}

export function onnxFail(message: string): never {
  throw new OnnxError(message);
}
