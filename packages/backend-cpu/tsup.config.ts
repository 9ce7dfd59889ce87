import { libraryConfig } from '../../tsup.shared.js';

export default libraryConfig({ index: 'src/index.ts', kernels: 'src/kernels-entry.ts', 'elementwise-kernels': 'src/elementwise-kernels-entry.ts' });
