/**
 * Starting gpu.js on a real GL context, explicitly: headless-gl (`gl`) in Node, WebGL2 in browsers — on a page from a
 * <canvas>, in a dedicated Web Worker (no `document`) from an OffscreenCanvas, which gpu.js 2.x accepts as its canvas.
 * Never a silent fallback to gpu.js's `cpu` / `webasm` modes: when no GL context can be made, `start()` throws an
 * error that says what to install or run.
 */
import * as gpujsModule from 'gpu.js';

export type GpuMode = 'headlessgl' | 'webgl2' | 'webgl';

/** The WebGL calls this package makes, on headless-gl's context or a browser's WebGL2 / WebGL1 context. */
export interface GlContext {
  readonly RENDERER: number;
  readonly VENDOR: number;
  readonly VERSION: number;
  readonly MAX_TEXTURE_SIZE: number;
  getParameter(pname: number): unknown;
  getExtension(name: string): unknown;
  createTexture(): WebGLTexture | null;
  deleteTexture(texture: WebGLTexture | null): void;
  /** True once the context is lost (browsers; headless-gl always answers false). A flag read: no GPU round-trip. */
  isContextLost(): boolean;
}

/** A gpu.js pipeline output: a texture that must be deleted. */
export interface GpuTexture {
  delete(): void;
  toArray(): Float32Array;
}

/** What a gpu.js kernel takes: textures (pipeline outputs), flat arrays and numbers. */
export type GpuKernelArg = GpuTexture | Float32Array | number;

/** A compiled gpu.js kernel in pipeline mode: every call returns a new texture. */
export type GpuKernel = (...args: GpuKernelArg[]) => GpuTexture;

/** The gpu.js kernel settings this package uses. */
export interface GpuKernelSettings {
  output: number[];
  pipeline: true;
  immutable: true;
  tactic: 'precision';
  precision: 'single';
  dynamicOutput: false;
  loopMaxIterations: number;
  returnType?: 'Array(4)';
}

/** The part of a gpu.js `GPU` instance this package uses. */
export interface GpuJs {
  readonly mode: string;
  createKernel(source: string, settings: GpuKernelSettings): GpuKernel;
  addNativeFunction(name: string, source: string): unknown;
  destroy(): Promise<void> | void;
}

type GpuJsConstructor = new (settings: { mode: GpuMode; canvas?: HTMLCanvasElement | OffscreenCanvas; context: GlContext }) => GpuJs;

// gpu.js is CommonJS; depending on the loader its exports arrive as named exports or under `default`.
const gpujsExports = gpujsModule as unknown as { GPU?: GpuJsConstructor; default?: { GPU?: GpuJsConstructor } };
const GPU: GpuJsConstructor | undefined = gpujsExports.GPU ?? gpujsExports.default?.GPU;

export interface GpuContext {
  gpu: GpuJs;
  gl: GlContext;
  mode: GpuMode;
  renderer: string;
  vendor: string;
  version: string;
  maxTextureSize: number;
  /** GL texture objects created and not yet deleted on this context (gpu.js's own included). */
  glTextures(): number;
  /** Throws the context-lost error (see contextLostError) once the context is lost; cheap enough for every dispatch. */
  assertUsable(): void;
  destroy(): Promise<void>;
}

/**
 * What every operation and read throws once the WebGL context is lost (a GPU reset or driver crash, the browser
 * reclaiming contexts, or `WEBGL_lose_context`): every texture and compiled kernel is gone, and reading would return
 * zeros, so nothing may run on this backend again.
 */
export function contextLostError(how: string): Error {
  return new Error(
    `gpu backend: the WebGL context was lost (${how}); its textures and compiled kernels are gone, so every tensor on ` +
      "this backend is invalid and no operation can run. Dispose the backend (await disposeBackend('gpu')) and set it " +
      'again, then create the tensors again (e.g. reload the model from a checkpoint), or switch to another backend ' +
      "(await setBackend('cpu')).",
  );
}

export const NODE_HELP =
  'The gpu backend needs headless-gl (the `gl` package, built from source) and an X display. ' +
  'Install the build and run-time packages (Debian/Ubuntu: apt-get install libxi-dev libxext-dev libx11-dev ' +
  'libgl1-mesa-dev libglu1-mesa-dev pkg-config xvfb xauth), build it (in the cnn repository: pnpm install again; ' +
  'elsewhere: npm rebuild gl), and run under a display, ' +
  'e.g. `xvfb-run -a node app.js` or `xvfb-run -a pnpm test`.';

type WebCanvas = HTMLCanvasElement | OffscreenCanvas;

/** A canvas for WebGL: a <canvas> on a page, an OffscreenCanvas in a Web Worker; null outside browsers (Node). */
function webCanvas(): WebCanvas | null {
  if (typeof document !== 'undefined' && typeof window !== 'undefined') return document.createElement('canvas');
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  return null;
}

const GL_ATTRIBUTES = { premultipliedAlpha: false, preserveDrawingBuffer: true, antialias: false };

/** WebGL2, else WebGL1, on a page's or a worker's canvas. */
function webContext(canvas: WebCanvas): { gl: GlContext; mode: GpuMode } {
  // The union of canvas types loses getContext's per-id overloads; the ids name the context types.
  const gl2 = canvas.getContext('webgl2', GL_ATTRIBUTES) as WebGL2RenderingContext | null;
  if (gl2) return { gl: gl2, mode: 'webgl2' };
  const gl1 = canvas.getContext('webgl', GL_ATTRIBUTES) as WebGLRenderingContext | null;
  if (gl1) return { gl: gl1, mode: 'webgl' };
  const where = typeof document === 'undefined' ? 'in a worker (OffscreenCanvas)' : 'on this page';
  throw new Error(`gpu backend: this browser offers neither WebGL2 nor WebGL ${where}; use the cpu backend.`);
}

/** Counts live GL textures by wrapping createTexture / deleteTexture on the context. */
function countTextures(gl: GlContext): () => number {
  let live = 0;
  const create = gl.createTexture.bind(gl);
  const del = gl.deleteTexture.bind(gl);
  const seen = new WeakSet<object>();
  gl.createTexture = () => {
    const t = create();
    if (t) {
      live++;
      seen.add(t);
    }
    return t;
  };
  gl.deleteTexture = (t: WebGLTexture | null) => {
    if (t && seen.has(t)) {
      seen.delete(t);
      live--;
    }
    return del(t);
  };
  return () => live;
}

function describe(gl: GlContext): { renderer: string; vendor: string; version: string } {
  let renderer = String(gl.getParameter(gl.RENDERER));
  let vendor = String(gl.getParameter(gl.VENDOR));
  const dbg = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number; UNMASKED_VENDOR_WEBGL: number } | null;
  if (dbg) {
    renderer = String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL));
    vendor = String(gl.getParameter(dbg.UNMASKED_VENDOR_WEBGL));
  }
  return { renderer, vendor, version: String(gl.getParameter(gl.VERSION)) };
}

type HeadlessGl = (width: number, height: number, attributes: Record<string, boolean>) => GlContext | null;

async function nodeContext(): Promise<GlContext> {
  if (!GPU) throw new Error(`gpu backend: could not load gpu.js. ${NODE_HELP}`);
  // A computed specifier keeps bundlers (Vite, esbuild) from pulling headless-gl into browser bundles.
  const spec = ['g', 'l'].join('');
  let createGl: HeadlessGl;
  try {
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as { default?: HeadlessGl } & HeadlessGl;
    createGl = mod.default ?? mod;
  } catch (err) {
    throw new Error(`gpu backend: headless-gl (the 'gl' package) is not installed or failed to build (${String((err as Error).message).split('\n')[0]}). ${NODE_HELP}`, { cause: err });
  }
  if (!process.env.DISPLAY) {
    throw new Error(`gpu backend: no X display (DISPLAY is not set), so headless-gl cannot create a context. ${NODE_HELP}`);
  }
  const gl = createGl(1, 1, { preserveDrawingBuffer: true, antialias: false, depth: false, stencil: false });
  if (!gl) {
    throw new Error(`gpu backend: headless-gl returned no context (DISPLAY=${process.env.DISPLAY} unusable?). ${NODE_HELP}`);
  }
  if (!gl.getExtension('OES_texture_float')) {
    throw new Error('gpu backend: this GL context has no OES_texture_float; float32 textures are required.');
  }
  return gl;
}

/** Makes the GL context and the gpu.js instance. Throws (with what to do) when no GL context can be made. */
export async function start(): Promise<GpuContext> {
  let gl: GlContext;
  let mode: GpuMode;
  const canvas = webCanvas() ?? undefined;
  if (canvas) ({ gl, mode } = webContext(canvas));
  else {
    gl = await nodeContext();
    mode = 'headlessgl';
  }
  if (!GPU) throw new Error(`gpu backend: could not load gpu.js. ${NODE_HELP}`);
  const glTextures = countTextures(gl);
  // The event arrives asynchronously (a task after the loss); isContextLost() below catches a loss at once.
  let lostHow: string | null = null;
  const onLost = (): void => {
    lostHow ??= `a webglcontextlost event at ${new Date().toISOString()}: GPU reset, driver crash, too many contexts, or WEBGL_lose_context`;
  };
  canvas?.addEventListener('webglcontextlost', onLost);
  const gpu = new GPU({ mode, canvas, context: gl });
  if (gpu.mode !== mode) throw new Error(`gpu backend: gpu.js started in mode '${gpu.mode}' instead of '${mode}'.`);
  const { renderer, vendor, version } = describe(gl);
  return {
    gpu,
    gl,
    mode,
    renderer,
    vendor,
    version,
    maxTextureSize: Number(gl.getParameter(gl.MAX_TEXTURE_SIZE)),
    glTextures,
    assertUsable() {
      if (lostHow) throw contextLostError(lostHow);
      if (gl.isContextLost()) {
        lostHow = 'gl.isContextLost() is true: GPU reset, driver crash, too many contexts, or WEBGL_lose_context';
        throw contextLostError(lostHow);
      }
    },
    async destroy() {
      canvas?.removeEventListener('webglcontextlost', onLost);
      try {
        await gpu.destroy();
      } catch {
        /* already gone */
      }
      if (mode === 'headlessgl') {
        try {
          (gl.getExtension('STACKGL_destroy_context') as { destroy(): void } | null)?.destroy();
        } catch {
          /* gpu.js destroyed it already */
        }
      }
    },
  };
}
