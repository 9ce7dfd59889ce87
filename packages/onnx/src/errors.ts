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

/** One unsupported thing in a graph: an operator type, or an option of a supported one (`reason` says which). */
export interface UnsupportedNode {
  /** `Resize`, or `com.microsoft.FusedConv` for another domain. */
  readonly opType: string;
  /** Node names (or `#index (output 'y')` for unnamed nodes). */
  readonly nodes: readonly string[];
  /** Absent for an unknown operator type; the unsupported option otherwise (`mode 'cubic'`). */
  readonly reason?: string;
}

/** The model uses operators or operator options this package does not implement (a valid model, out of scope). */
export class OnnxUnsupportedError extends OnnxError {
  constructor(message: string, readonly unsupported: readonly UnsupportedNode[]) {
    super(message);
    this.name = 'OnnxUnsupportedError';
  }
}

/** An operator option out of scope, found while running (it depends on a shape known only then). */
export function unsupportedFail(where: string, opType: string, reason: string): never {
  throw new OnnxUnsupportedError(`${where}: ${reason} is not supported`, [{ opType, nodes: [where], reason }]);
}
