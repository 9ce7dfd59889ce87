/**
 * @cnn/backend-cpu: importing this package registers the 'cpu' backend (priority 1, the fallback every environment
 * can run).
 */
import { registerBackend } from '@cnn/core';
import { CpuBackend } from './backend.js';

registerBackend('cpu', () => new CpuBackend(), 1);

export { CpuBackend };
