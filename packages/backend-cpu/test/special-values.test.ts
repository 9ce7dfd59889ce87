// PyTorch's answers on NaN, ±inf, ±0, ties and empty tensors (the contract's "Special values"), on this backend.
import { runSpecialValues } from '@cnn/conformance/vitest';

runSpecialValues('cpu');
