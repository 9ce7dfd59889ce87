import { describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { nn } from '../src/index.js';

describe('layer type names survive minification', () => {
  it('built-in layers report their own name even when the class was renamed (as minifiers do)', () => {
    const original = Object.getOwnPropertyDescriptor(nn.Conv2d, 'name')!;
    Object.defineProperty(nn.Conv2d, 'name', { value: 'G', configurable: true });
    try {
      const conv = new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 });
      expect(conv.typeName).toBe('Conv2d');
      conv.dispose();
    } finally {
      Object.defineProperty(nn.Conv2d, 'name', original);
    }
  });

  it("a user's subclass reports its own class name, not the built-in parent's", () => {
    class MyConv extends nn.Conv2d {}
    class MyNet extends nn.Module {
      forward(x: Parameters<nn.Module['forward']>[0]) {
        return x;
      }
    }
    const conv = new MyConv({ inChannels: 1, outChannels: 2, kernelSize: 3 });
    expect(conv.typeName).toBe('MyConv');
    expect(new MyNet().typeName).toBe('MyNet');
    expect(new nn.BatchNorm2d({ numFeatures: 2 }).typeName).toBe('BatchNorm2d');
    conv.dispose();
  });
});
