/** Loads the WebGPU backend in a worker (training or replica) once an adapter is there; the reason otherwise. */
type GpuNavigator = { gpu?: { requestAdapter(): Promise<unknown> } };

export async function loadWebGpu(): Promise<unknown> {
  const gpu = ((self as unknown as { navigator: Navigator }).navigator as unknown as GpuNavigator).gpu;
  if (!gpu) throw new Error('this browser has no WebGPU');
  if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter (no GPU, or WebGPU disabled)');
  return import('@tensorflow/tfjs-backend-webgpu');
}
