/**
 * Starting gpu.js on a real GL context, explicitly: headless-gl (`gl`) in Node, WebGL2 in browsers — on a page from a
 * <canvas>, in a dedicated Web Worker (no `document`) from an OffscreenCanvas, which gpu.js 2.x accepts as its canvas.
 * Never a silent fallback to gpu.js's `cpu` / `webasm` modes: when no GL context can be made, `start()` throws an
 * error that says what to install or run.
 */
import * as gpujsModule from 'gpu.js';

// gpu.js is CommonJS; depending on the loader its exports arrive as named exports or under `default`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const gpujs: any = (gpujsModule as any).GPU ? gpujsModule : (gpujsModule as any).default;

export type GpuMode = 'headlessgl' | 'webgl2' | 'webgl';

export interface GpuContext {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  gpu: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  gl: any;
  mode: GpuMode;
  renderer: string;
  vendor: string;
  version: string;
  maxTextureSize: number;
  /** GL texture objects created and not yet deleted on this context (gpu.js's own included). */
  glTextures(): number;
  destroy(): Promise<void>;
}

export const NODE_HELP =
  'The gpu backend needs headless-gl (the `gl` package, built from source) and an X display. ' +
  'Install the build and run-time packages (Debian/Ubuntu: apt-get install libxi-dev libxext-dev libx11-dev ' +
  'libgl1-mesa-dev libglu1-mesa-dev pkg-config xvfb xauth), rebuild it (pnpm rebuild gl), and run under a display, ' +
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
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function webContext(canvas: WebCanvas): { gl: any; mode: GpuMode } {
  const gl2 = canvas.getContext('webgl2', GL_ATTRIBUTES);
  if (gl2) return { gl: gl2, mode: 'webgl2' };
  const gl1 = canvas.getContext('webgl', GL_ATTRIBUTES);
  if (gl1) return { gl: gl1, mode: 'webgl' };
  const where = typeof document === 'undefined' ? 'in a worker (OffscreenCanvas)' : 'on this page';
  throw new Error(`gpu backend: this browser offers neither WebGL2 nor WebGL ${where}; use the cpu backend.`);
}

/** Counts live GL textures by wrapping createTexture / deleteTexture on the context. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function countTextures(gl: any): () => number {
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
  gl.deleteTexture = (t: object) => {
    if (t && seen.has(t)) {
      seen.delete(t);
      live--;
    }
    return del(t);
  };
  return () => live;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function describe(gl: any): { renderer: string; vendor: string; version: string } {
  let renderer = String(gl.getParameter(gl.RENDERER));
  let vendor = String(gl.getParameter(gl.VENDOR));
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  if (dbg) {
    renderer = String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL));
    vendor = String(gl.getParameter(dbg.UNMASKED_VENDOR_WEBGL));
  }
  return { renderer, vendor, version: String(gl.getParameter(gl.VERSION)) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function nodeContext(): Promise<any> {
  if (!gpujs?.GPU) throw new Error(`gpu backend: could not load gpu.js. ${NODE_HELP}`);
  // A computed specifier keeps bundlers (Vite, esbuild) from pulling headless-gl into browser bundles.
  const spec = ['g', 'l'].join('');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let createGl: any;
  try {
    const mod = await import(/* @vite-ignore */ /* webpackIgnore: true */ spec);
    createGl = mod.default ?? mod;
  } catch (err) {
    throw new Error(`gpu backend: headless-gl (the 'gl' package) is not installed or failed to build (${String((err as Error).message).split('\n')[0]}). ${NODE_HELP}`);
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let gl: any;
  let mode: GpuMode;
  const canvas = webCanvas() ?? undefined;
  if (canvas) ({ gl, mode } = webContext(canvas));
  else {
    gl = await nodeContext();
    mode = 'headlessgl';
  }
  const glTextures = countTextures(gl);
  const gpu = new gpujs.GPU({ mode, canvas, context: gl });
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
    async destroy() {
      try {
        await gpu.destroy();
      } catch {
        /* already gone */
      }
      if (mode === 'headlessgl') {
        try {
          gl.getExtension('STACKGL_destroy_context')?.destroy();
        } catch {
          /* gpu.js destroyed it already */
        }
      }
    },
  };
}
