/**
 * One task turn before every test. The gpu backend's reads are synchronous (readPixels) and cpu's resolve at once, so
 * a file of large models (torchvision at 224², seconds per forward on a software rasteriser) would otherwise run
 * without the event loop turning, and vitest's own worker messages time out ("Timeout calling onTaskUpdate").
 */
import { beforeEach } from 'vitest';

beforeEach(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
