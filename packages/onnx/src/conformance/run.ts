/**
 * Runs one of ONNX's operator tests through importOnnx on the active backend and compares every output with ONNX's
 * reference values. Node only (reads the test files); not part of the package's bundle.
 */
import { readFileSync } from 'node:fs';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { noGrad, type Tensor } from '@cnn/core';
import { OnnxUnsupportedError, type UnsupportedNode } from '../errors.js';
import { ModelProtoSchema, TensorProto_DataType as DT, TensorProtoSchema, type ModelProto, type TensorProto } from '../generated/onnx.proto3_pb.js';
import { importOnnx } from '../import.js';
import { constToTensor } from '../ops/context.js';
import { OPS } from '../ops/index.js';
import { constFromTensorProto, dataTypeName, type Const } from '../values.js';
import { CARRIED_TYPES, readTensorProto, type OperatorTestCase } from './testdata.js';

/**
 * ONNX's own backend tests (onnx/backend/test/runner) compare with numpy.testing.assert_allclose at rtol 1e-3 and
 * atol 1e-7 unless a test says otherwise; the same here, for every test: |actual − expected| ≤ atol + rtol·|expected|,
 * NaN only where NaN is expected. Integer and bool outputs must match exactly.
 */
export const ONNX_TEST_TOLERANCE = { rtol: 1e-3, atol: 1e-7 } as const;

export type OperatorTestStatus = 'passed' | 'failed' | 'unsupported';

export interface OperatorTestResult {
  readonly name: string;
  readonly status: OperatorTestStatus;
  /** Operator types of the graph (default domain without prefix). */
  readonly ops: readonly string[];
  /** What failed, or why the test is unsupported. */
  readonly message?: string;
  /** For unsupported tests: what is out of scope, by operator. */
  readonly unsupported?: readonly UnsupportedNode[];
}

function opTypes(model: ModelProto): string[] {
  return [...new Set(model.graph!.node.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType)))];
}

/** The graph inputs the importer reads as constants (shapes, axes, scales, pads: positions in an op's constInputs),
 * and every non-float one (integers only ever feed shape arithmetic here): they become initializers, as they would be
 * in an exported model; the rest are fed as tensors. */
function constantInputs(model: ModelProto): Set<string> {
  const out = new Set<string>();
  for (const n of model.graph!.node) {
    const positions = OPS[n.opType]?.constInputs ?? [];
    for (const i of positions) if (n.input[i]) out.add(n.input[i]);
  }
  for (const i of model.graph!.input) {
    const t = i.type?.value.case === 'tensorType' ? i.type.value.value.elemType : undefined;
    if (t !== undefined && t !== DT.FLOAT && t !== DT.DOUBLE) out.add(i.name);
  }
  return out;
}

interface Mismatch {
  index: number;
  actual: number;
  expected: number;
  count: number;
}

function compare(actual: ArrayLike<number>, expected: Const, exact: boolean): Mismatch | null {
  let first: Mismatch | null = null;
  let count = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual[i];
    const e = expected.data[i];
    let ok: boolean;
    if (exact) ok = a === e;
    else if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e)) ok = a === e;
    else ok = Math.abs(a - e) <= ONNX_TEST_TOLERANCE.atol + ONNX_TEST_TOLERANCE.rtol * Math.abs(e);
    if (!ok) {
      count++;
      first ??= { index: i, actual: a, expected: e, count: 0 };
    }
  }
  return first && { ...first, count };
}

async function runDataSet(model: ModelProto, set: OperatorTestCase['dataSets'][number]): Promise<string | null> {
  const graph = model.graph!;
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  const feedNames = graph.input.map((i) => i.name).filter((n) => !initializerNames.has(n));
  if (set.inputs.length > feedNames.length) return `${set.name}: ${set.inputs.length} input files for ${feedNames.length} graph inputs`;
  const asConstants = constantInputs(model);

  // A copy of the model with this data set's constant inputs as initializers.
  const copy = fromBinary(ModelProtoSchema, toBinary(ModelProtoSchema, model));
  const feeds: Record<string, Tensor> = {};
  const protos = set.inputs.map((path) => readTensorProto(path));
  protos.forEach((p, i) => {
    const name = feedNames[i];
    if (asConstants.has(name)) {
      copy.graph!.initializer.push(create(TensorProtoSchema, { ...p, name }));
      copy.graph!.input = copy.graph!.input.filter((x) => x.name !== name);
    }
  });
  const imported = await importOnnx(toBinary(ModelProtoSchema, copy));
  try {
    protos.forEach((p, i) => {
      const name = feedNames[i];
      if (!asConstants.has(name)) feeds[name] = constToTensor(constFromTensorProto(p, `${set.name} input ${i}`));
    });
    // The module's train() / eval() decides what the graph's training flags say in ONNX: train when they say so.
    if (declaresTraining(copy)) imported.train();
    else imported.eval();
    const outs = noGrad(() => imported.forwardAll(feeds));
    const problems: string[] = [];
    for (let i = 0; i < set.outputs.length; i++) {
      const name = graph.output[i]?.name;
      const proto = readTensorProto(set.outputs[i]);
      const expected = constFromTensorProto(proto, `${set.name} output ${i}`);
      const y = outs[name];
      if (!y) {
        problems.push(`output '${name}' missing`);
        continue;
      }
      if (y.shape.length !== expected.shape.length || y.shape.some((d, k) => d !== expected.shape[k])) {
        problems.push(`output '${name}': shape [${y.shape.join(', ')}], expected [${expected.shape.join(', ')}]`);
        continue;
      }
      const data = await y.data();
      const exact = expected.dtype === 'int';
      const m = compare(data, expected, exact);
      if (m) {
        problems.push(`output '${name}': ${m.count} of ${expected.data.length} values differ; first at ${m.index}: ${m.actual}, expected ${m.expected}${exact ? ' (exact)' : ''}`);
      }
    }
    for (const t of Object.values(outs)) if (!Object.values(feeds).includes(t)) t.dispose();
    return problems.length ? `${set.name}: ${problems.join('; ')}` : null;
  } finally {
    for (const t of Object.values(feeds)) t.dispose();
    imported.dispose();
  }
}

/** BatchNormalization with training_mode 1, or Dropout with a training_mode input that is true. */
function declaresTraining(model: ModelProto): boolean {
  const known = new Map(model.graph!.initializer.map((t) => [t.name, t]));
  return model.graph!.node.some((n) => {
    if (n.opType === 'BatchNormalization') return n.attribute.some((a) => a.name === 'training_mode' && Number(a.i) === 1);
    if (n.opType !== 'Dropout' || !n.input[2]) return false;
    const t = known.get(n.input[2]);
    return t !== undefined && constFromTensorProto(t, 'training_mode').data[0] !== 0;
  });
}

/** Dropout that drops (training_mode true, ratio > 0): ONNX's expected values come from NumPy's random generator,
 * which no implementation reproduces. */
function randomOutput(model: ModelProto, set: OperatorTestCase['dataSets'][number]): boolean {
  const graph = model.graph!;
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  const feedNames = graph.input.map((i) => i.name).filter((n) => !initializerNames.has(n));
  const valueOf = (name: string): number | undefined => {
    const i = feedNames.indexOf(name);
    const t = i >= 0 && set.inputs[i] ? readTensorProto(set.inputs[i]) : graph.initializer.find((x) => x.name === name);
    return t ? constFromTensorProto(t, name).data[0] : undefined;
  };
  return graph.node.some((n) => {
    if (n.opType !== 'Dropout' || !n.input[2] || !valueOf(n.input[2])) return false;
    const ratio = n.input[1] ? valueOf(n.input[1]) : 0.5;
    return ratio !== 0;
  });
}

/** Element types the importer does not carry (float16, strings, complex…), among the test's inputs and outputs. */
function uncarriedTypes(model: ModelProto, test: OperatorTestCase): string[] {
  const types = new Set<number>();
  for (const v of [...model.graph!.input, ...model.graph!.output]) {
    const t = v.type?.value.case === 'tensorType' ? v.type.value.value.elemType : undefined;
    if (t !== undefined && !CARRIED_TYPES.has(t)) types.add(t);
    if (v.type && v.type.value.case !== 'tensorType') return [`${v.type.value.case ?? 'unknown'} values`];
  }
  for (const set of test.dataSets) {
    for (const path of [...set.inputs, ...set.outputs]) {
      const t: TensorProto = readTensorProto(path);
      if (!CARRIED_TYPES.has(t.dataType)) types.add(t.dataType);
    }
  }
  return [...types].map((t) => `element type ${dataTypeName(t)}`);
}

/** Runs one test: unsupported (with what) when an operator, option or element type is out of scope; else every
 * data set's outputs against ONNX's. */
export async function runOperatorTest(test: OperatorTestCase): Promise<OperatorTestResult> {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(test.modelPath)));
  } catch (err) {
    return { name: test.name, status: 'failed', ops: [], message: `cannot decode model.onnx: ${(err as Error).message}` };
  }
  const ops = opTypes(model);
  const unknown = ops.filter((o) => !Object.prototype.hasOwnProperty.call(OPS, o));
  if (unknown.length) return { name: test.name, status: 'unsupported', ops, message: `operator ${unknown.join(', ')}`, unsupported: unknown.map((opType) => ({ opType, nodes: [] })) };
  const types = uncarriedTypes(model, test);
  if (types.length) return { name: test.name, status: 'unsupported', ops, message: types.join(', '), unsupported: ops.map((opType) => ({ opType, nodes: [], reason: types.join(', ') })) };
  if (test.dataSets.some((set) => randomOutput(model, set))) {
    const reason = 'training_mode true with ratio > 0 (random output: ONNX\'s reference comes from NumPy\'s generator)';
    return { name: test.name, status: 'unsupported', ops, message: `Dropout with ${reason}`, unsupported: [{ opType: 'Dropout', nodes: [], reason }] };
  }
  const problems: string[] = [];
  for (const set of test.dataSets) {
    try {
      const p = await runDataSet(model, set);
      if (p) problems.push(p);
    } catch (err) {
      if (err instanceof OnnxUnsupportedError) {
        return { name: test.name, status: 'unsupported', ops, message: err.unsupported.map((u) => `${u.opType}${u.reason ? ` with ${u.reason}` : ''}`).join('; '), unsupported: err.unsupported };
      }
      problems.push(`${set.name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (test.dataSets.length === 0) problems.push('no test_data_set_* directory');
  return problems.length ? { name: test.name, status: 'failed', ops, message: problems.join(' | ') } : { name: test.name, status: 'passed', ops };
}
