"""External reference for bench/step-speed.ts: one Adam backprop step in numpy (float32, the BLAS numpy links).

Same problems and shapes: MNIST-shaped MLP 784-392-10 ReLU at batch 100, and the two-spirals 2-5-5-5-2 all-shortcut
tanh net at full batch 194. Prints one JSON object per line. Run: python3 bench/peers/numpy_step.py [--quick]
"""
import json
import sys
import time

import numpy as np

QUICK = "--quick" in sys.argv
rng = np.random.default_rng(0)
f32 = np.float32


class Adam:
    def __init__(self, params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.p, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, b1, b2, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def softmax_ce_grad(z, y):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(s[np.arange(len(y)), y]).mean()
    s[np.arange(len(y)), y] -= 1
    return loss, s / len(y)


def mlp():
    n, b = 1000, 100
    x = rng.random((n, 784), dtype=f32)
    y = rng.integers(0, 10, n)
    w1 = (rng.standard_normal((784, 392)) * 0.05).astype(f32)
    b1 = np.zeros(392, f32)
    w2 = (rng.standard_normal((392, 10)) * 0.05).astype(f32)
    b2 = np.zeros(10, f32)
    opt = Adam([w1, b1, w2, b2])

    def step(i):
        rows = rng.permutation(n)[:b]
        xb, yb = x[rows], y[rows]
        a1 = xb @ w1 + b1
        h = np.maximum(a1, 0)
        loss, dz2 = softmax_ce_grad(h @ w2 + b2, yb)
        dh = dz2 @ w2.T
        dz1 = dh * (a1 > 0)
        opt.step([xb.T @ dz1, dz1.sum(0), h.T @ dz2, dz2.sum(0)])
        return loss

    return "mnist-mlp 784-392-10 relu", b, step, 50 if QUICK else 200


def spirals():
    n = 194
    t = np.linspace(0, 1, n // 2, dtype=f32)
    r, a = 6.5 * t, np.pi * 3.5 * t
    x = np.concatenate([np.stack([r * np.sin(a), r * np.cos(a)], 1), np.stack([-r * np.sin(a), -r * np.cos(a)], 1)]).astype(f32)
    y = np.array([0] * (n // 2) + [1] * (n // 2))
    fan = [2, 7, 12, 17]
    outs = [5, 5, 5, 2]
    ws = [(rng.standard_normal((f, o)) * 0.3).astype(f32) for f, o in zip(fan, outs)]
    bs = [np.zeros(o, f32) for o in outs]
    opt = Adam(ws + bs, lr=0.01)

    def step(i):
        srcs = [x]
        for l in range(3):
            srcs.append(np.tanh(np.concatenate(srcs, 1) @ ws[l] + bs[l]))
        inp = np.concatenate(srcs, 1)
        loss, dz = softmax_ce_grad(inp @ ws[3] + bs[3], y)
        gw, gb = [None] * 4, [None] * 4
        gw[3], gb[3] = inp.T @ dz, dz.sum(0)
        dsrc = dz @ ws[3].T  # gradient wrt [x, h1, h2, h3]
        dh = [None, None, None, None]
        cols = np.cumsum([0, 2, 5, 5, 5])
        acc = [dsrc[:, cols[k]:cols[k + 1]].copy() for k in range(4)]
        for l in (2, 1, 0):
            dzl = acc[l + 1] * (1 - srcs[l + 1] ** 2)
            into = np.concatenate(srcs[: l + 1], 1)
            gw[l], gb[l] = into.T @ dzl, dzl.sum(0)
            back = dzl @ ws[l].T
            for k in range(l + 1):
                acc[k] += back[:, cols[k]:cols[k + 1]]
        opt.step(gw + gb)
        return loss

    return "two-spirals 2-5-5-5-2 shortcuts tanh", n, step, 300 if QUICK else 2000


ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
problems = [p for p in (mlp, spirals) if ONLY is None or p.__name__ == ONLY]
for name, batch, step, iters in (p() for p in problems):
    for i in range(10):
        step(i)
    t0 = time.perf_counter()
    c0 = time.process_time()
    for i in range(iters):
        step(i)
    ms = (time.perf_counter() - t0) * 1000 / iters
    cpu = (time.process_time() - c0) * 1000 / iters
    print(json.dumps({"bench": "step-speed", "backend": "numpy " + np.__version__, "problem": name, "batch": batch, "trainer": "numpy-float32", "msPerIteration": round(ms, 3), "cpuMsPerIteration": round(cpu, 3)}))
