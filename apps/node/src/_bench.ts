import { nn, optim, tensor, tidy, F, setBackend, randn, randint } from '@cnn/core';
import '@cnn/backend-cpu';
await setBackend('cpu');
const lenet = () => new nn.Sequential(
  new nn.Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }),
  new nn.Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }),
  new nn.Flatten(), new nn.Linear({ inFeatures: 400, outFeatures: 120 }), new nn.ReLU(),
  new nn.Linear({ inFeatures: 120, outFeatures: 84 }), new nn.ReLU(), new nn.Linear({ inFeatures: 84, outFeatures: 10 }));
const cnn = () => new nn.Sequential(
  new nn.Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3 }), new nn.ReLU(),
  new nn.Conv2d({ inChannels: 32, outChannels: 64, kernelSize: 3 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }),
  new nn.Dropout({ p: 0.25 }), new nn.Flatten(), new nn.Linear({ inFeatures: 9216, outFeatures: 128 }), new nn.ReLU(),
  new nn.Dropout({ p: 0.5 }), new nn.Linear({ inFeatures: 128, outFeatures: 10 }));
for (const [name, mk] of [['lenet', lenet], ['mnistcnn', cnn]] as const) {
  const model = mk(); const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  for (const B of [64, 128]) {
    const x = randn([B, 1, 28, 28]); const y: any = null;
    const yy = tensor(Int32Array.from({ length: B }, (_, i) => i % 10), [B], 'int32');
    const t0 = performance.now(); const N = name === 'lenet' ? 10 : 3;
    for (let i = 0; i < N; i++) { const l = tidy(() => { const l = F.crossEntropy(model.forward(x), yy); opt.zeroGrad(); l.backward(); opt.step(); return l.detach(); }); await l.item(); l.dispose(); }
    const dt = (performance.now() - t0) / N;
    console.log(name, B, dt.toFixed(1), 'ms/batch', (B / dt * 1000).toFixed(0), 'img/s');
    x.dispose(); yy.dispose(); y?.dispose?.();
  }
}
