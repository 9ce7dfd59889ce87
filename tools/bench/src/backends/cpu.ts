import { contractAdapter } from './contract.js';

export const cpu = contractAdapter('cpu', () => import('@cnn/backend-cpu'));
