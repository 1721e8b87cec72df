#!/usr/bin/env python3
"""The service's L0 training step written as a plain eager PyTorch loop: the yardstick of
scripts/benchmark-step-vs-pytorch.

The same math as the Java core (io.l0sparsify.l0), step for step:
  * hard-concrete gates (Louizos et al. 2018, eq. 10-12), beta 2/3, gamma -0.1, zeta 1.1, one sample per
    minibatch and gated layer: z = clip(sigmoid((log u - log(1-u) + log alpha) / beta) * (zeta - gamma) + gamma,
    0, 1), u ~ U(1e-6, 1 - 1e-6), drawn here with torch.rand as the authors' code does;
    a dense layer gates its inputs (x * z), a convolution its output maps (filters and bias scaled by z);
  * objective: mean cross-entropy + sum over layers and groups of
    P(z_g != 0) * sum_{w in g} (wd/2 * w^2 + lambda / N), with P(z != 0) = sigmoid(log alpha - beta*log(-gamma/zeta)),
    a dense layer's bias outside the groups (plain wd/2 * b^2), a convolution's bias inside its filter's group
    (L0Penalty, AbstractGatedLayer.penalty);
  * Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay of its own), then log alpha clamped in place to
    [ln 0.01, ln 100], then the parameter average m <- d*m + (1-d)*theta, d = 0.999, every step;
  * batch 100 from a shuffled MNIST, scaled by 1/255; the loss is read on the host every step, as the authors'
    training loop does (loss.item()).
Initialisation as ours: weights He-normal, biases 0, log alpha ~ N(log(1-d) - log d, 0.01^2) with the initial drop
rate d = 0.2 for the MLP's first layer and 0.5 elsewhere.

Prints one JSON line: examples/s over the steps after the warm-up, and the torch version, BLAS, oneDNN and thread
settings it ran with.

  OMP_NUM_THREADS=1 python3 src/bench/python/l0_step_reference.py --preset mlp --threads 1 --steps 600
"""
import argparse
import gzip
import json
import math
import os
import re
import struct
import time

import torch
import torch.nn.functional as F

BETA = 2.0 / 3.0
GAMMA = -0.1
ZETA = 1.1
EPSILON = 1e-6
MIN_LOG_ALPHA = math.log(1e-2)
MAX_LOG_ALPHA = math.log(1e2)
BATCH = 100


def read_idx(path):
    with gzip.open(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).reshape(dims)


class Gated:
    """One dense or conv layer: weight, bias and (when gated) log alpha, all leaves that Adam updates."""

    def __init__(self, weight_shape, drop_rate, generator):
        fan_in = math.prod(weight_shape[1:])
        self.weight = (torch.randn(weight_shape, generator=generator) * math.sqrt(2.0 / fan_in)).requires_grad_()
        self.bias = torch.zeros(weight_shape[0], requires_grad=True)
        self.conv = len(weight_shape) == 4
        groups = weight_shape[0] if self.conv else weight_shape[1]
        self.group_size = math.prod(weight_shape[1:]) + 1 if self.conv else weight_shape[0]
        mean = math.log(1 - drop_rate) - math.log(drop_rate)
        self.log_alpha = (mean + 0.01 * torch.randn(groups, generator=generator)).requires_grad_()

    def parameters(self):
        return [self.weight, self.bias, self.log_alpha]

    def sample_gates(self):
        u = torch.rand(self.log_alpha.shape).mul_(1 - 2 * EPSILON).add_(EPSILON)
        s = torch.sigmoid((torch.log(u) - torch.log(1 - u) + self.log_alpha) / BETA)
        return torch.clamp(s * (ZETA - GAMMA) + GAMMA, 0, 1)

    def forward(self, x):
        z = self.sample_gates()
        if self.conv:
            return F.conv2d(x, self.weight * z.view(-1, 1, 1, 1), self.bias * z)
        return F.linear(x * z, self.weight, self.bias)

    def penalty(self, lambda_over_n, weight_decay):
        p = torch.sigmoid(self.log_alpha - BETA * math.log(-GAMMA / ZETA))
        if weight_decay == 0:
            return (p * (lambda_over_n * self.group_size)).sum()
        if self.conv:
            squares = self.weight.square().sum(dim=(1, 2, 3)) + self.bias.square()
            return ((squares * (0.5 * weight_decay) + lambda_over_n * self.group_size) * p).sum()
        squares = self.weight.square().sum(dim=0)
        total = ((squares * (0.5 * weight_decay) + lambda_over_n * self.group_size) * p).sum()
        return total + self.bias.square().sum() * (0.5 * weight_decay)


def build(preset, generator):
    if preset == "mlp":
        layers = [Gated((300, 784), 0.2, generator), Gated((100, 300), 0.5, generator),
                  Gated((10, 100), 0.5, generator)]

        def forward(x):
            h = F.relu(layers[0].forward(x))
            h = F.relu(layers[1].forward(h))
            return layers[2].forward(h)
        return layers, forward, (784,)
    if preset == "lenet5-caffe":
        layers = [Gated((20, 1, 5, 5), 0.5, generator), Gated((50, 20, 5, 5), 0.5, generator),
                  Gated((500, 800), 0.5, generator), Gated((10, 500), 0.5, generator)]

        def forward(x):
            h = F.max_pool2d(F.relu(layers[0].forward(x)), 2, 2)
            h = F.max_pool2d(F.relu(layers[1].forward(h)), 2, 2)
            h = F.relu(layers[2].forward(h.flatten(1)))
            return layers[3].forward(h)
        return layers, forward, (1, 28, 28)
    raise SystemExit("unknown preset " + preset)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="mlp", choices=["mlp", "lenet5-caffe"])
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--steps", type=int, default=600, help="optimizer steps, the first --warmup untimed")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--lambda", dest="lam", type=float, default=0.1, help="lambda per 1/N")
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--ema", type=float, default=0.999)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default="data/datasets/mnist")
    args = parser.parse_args()
    if args.steps <= args.warmup:
        raise SystemExit("--steps must exceed --warmup")

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    images = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).long()
    layers, forward, input_shape = build(args.preset, generator)
    inputs = (images.float() / 255).reshape((-1,) + input_shape)
    n = inputs.shape[0]
    lambda_over_n = args.lam / n

    parameters = [p for layer in layers for p in layer.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    shadows = [torch.zeros_like(p) for p in parameters]

    order = torch.randperm(n)
    position = 0
    started = None
    loss_sum = 0.0
    for step in range(args.steps):
        if step == args.warmup:
            started = time.perf_counter()
        if position + BATCH > n:
            order = torch.randperm(n)
            position = 0
        index = order[position:position + BATCH]
        position += BATCH
        x = inputs[index]
        y = labels[index]

        logits = forward(x)
        loss = F.cross_entropy(logits, y)
        penalty = sum(layer.penalty(lambda_over_n, args.weight_decay) for layer in layers)
        objective = loss + penalty
        optimizer.zero_grad(set_to_none=False)
        objective.backward()
        optimizer.step()
        with torch.no_grad():
            for layer in layers:
                layer.log_alpha.clamp_(MIN_LOG_ALPHA, MAX_LOG_ALPHA)
            for p, m in zip(parameters, shadows):
                m.mul_(args.ema).add_(p, alpha=1 - args.ema)
        loss_sum += loss.item()
    seconds = time.perf_counter() - started
    timed = args.steps - args.warmup

    blas_info = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    blas = blas_info.group(1) if blas_info else "unknown"
    # "generic" means the system's libblas.so.3: name the library the process actually mapped
    with open("/proc/self/maps") as maps:
        libraries = sorted({line.split()[-1] for line in maps if re.search(r"lib(open)?blas|libmkl", line)})
    print(json.dumps({
        "implementation": "eager PyTorch",
        "preset": args.preset,
        "threads": args.threads,
        "batchSize": BATCH,
        "timedSteps": timed,
        "examplesPerSecond": round(timed * BATCH / seconds),
        "meanLoss": loss_sum / args.steps,
        "torch": torch.__version__,
        "blas": blas,
        "blasLibraries": libraries,
        "openblasNumThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "intraOpThreads": torch.get_num_threads(),
        "interOpThreads": torch.get_num_interop_threads(),
        "ompNumThreads": os.environ.get("OMP_NUM_THREADS"),
        "dnnlMaxCpuIsa": os.environ.get("DNNL_MAX_CPU_ISA"),
    }))


if __name__ == "__main__":
    main()
