// Runs only where headless-gl cannot start (see scripts/test.sh): the backend must refuse, not fall back silently.
import { describe, expect, it } from 'vitest';
import { setBackend } from '@cnn/core';
import '@cnn/backend-gpu';

describe.runIf(process.env.CNN_GPU_EXPECT_UNAVAILABLE === '1')('gpu backend without headless-gl or a display', () => {
  it("setBackend('gpu') rejects and says what to install and run", async () => {
    await expect(setBackend('gpu')).rejects.toThrow(/xvfb-run -a[\s\S]*libgl1-mesa-dev|libgl1-mesa-dev[\s\S]*xvfb-run -a/);
  });
});
