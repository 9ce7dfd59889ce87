import { libraryConfig } from '../../tsup.shared.js';

// The geometry entry is a leaf (no tensors, no op tables) for backend kernels bundled into worker threads.
export default libraryConfig({ index: 'src/index.ts', geometry: 'src/geometry/index.ts' });
