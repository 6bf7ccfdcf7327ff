"""External reference for bench/step-speed.ts: the same Adam backprop steps in PyTorch (CPU, float32).

Prints one JSON object per line. Run: python3 bench/peers/torch_step.py [--quick]
"""
import json
import sys
import time

import torch

QUICK = "--quick" in sys.argv
torch.manual_seed(0)


def timed(name, batch, model, x, y, iters):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]

    def step():
        rows = torch.randperm(n)[:batch]
        opt.zero_grad()
        loss = loss_fn(model(x[rows]), y[rows])
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    ms = (time.perf_counter() - t0) * 1000 / iters
    print(json.dumps({"bench": "step-speed", "backend": "torch " + torch.__version__, "problem": name, "batch": batch, "trainer": "torch-float32", "msPerIteration": round(ms, 3)}))


class Shortcuts(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(f, o) for f, o in ((2, 5), (7, 5), (12, 5), (17, 2))])

    def forward(self, x):
        srcs = [x]
        for layer in self.layers[:3]:
            srcs.append(torch.tanh(layer(torch.cat(srcs, 1))))
        return self.layers[3](torch.cat(srcs, 1))


mlp = torch.nn.Sequential(torch.nn.Linear(784, 392), torch.nn.ReLU(), torch.nn.Linear(392, 10))
timed("mnist-mlp 784-392-10 relu", 100, mlp, torch.rand(1000, 784), torch.randint(0, 10, (1000,)), 50 if QUICK else 200)
timed("two-spirals 2-5-5-5-2 shortcuts tanh", 194, Shortcuts(), torch.randn(194, 2), torch.randint(0, 2, (194,)), 300 if QUICK else 2000)
