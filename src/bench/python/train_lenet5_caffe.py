#!/usr/bin/env python3
"""Trains LeNet-5-Caffe without gates on MNIST in plain PyTorch and exports it to ONNX in eval mode: the model a
user would bring to the service to make smaller (scripts/benchmark-fine-tune-lenet5-caffe).

The network is the service's lenet5-caffe preset: conv 20@5x5, ReLU, max pool 2, conv 50@5x5, ReLU, max pool 2,
flatten, dense 500, ReLU, dense 10. Inputs are x / 255 standardised with MNIST's mean 0.1307 and std 0.3081
(torchvision's usual Normalize). Adam at 0.001, batch 100, seeded; the test error after every epoch is printed and
the final one written with the model's facts to --facts.

Usage: python3 train_lenet5_caffe.py --mnist DIR --epochs N --out MODEL.onnx --facts FACTS.json
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.1307, 0.3081


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, part):
    x = idx(f"{directory}/{part}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = idx(f"{directory}/{part}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.tensor((x - MEAN) / STD).unsqueeze(1), torch.tensor(y)


class LeNet5Caffe(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.fc1 = nn.Linear(800, 500)
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def error(model, x, y):
    model.eval()
    with torch.no_grad():
        wrong = sum(int((model(x[i:i + 1000]).argmax(1) != y[i:i + 1000]).sum()) for i in range(0, len(y), 1000))
    return wrong / len(y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mnist", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", required=True)
    parser.add_argument("--facts", required=True)
    args = parser.parse_args()
    torch.manual_seed(2018)
    x_train, y_train = load(args.mnist, "train")
    x_test, y_test = load(args.mnist, "t10k")
    model = LeNet5Caffe()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    started = time.time()
    errors = []
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(y_train))
        for i in range(0, len(order), 100):
            batch = order[i:i + 100]
            optimizer.zero_grad()
            F.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
        errors.append(error(model, x_test, y_test))
        print(f"epoch {epoch + 1}: test error {errors[-1]:.4f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    torch.onnx.export(model, torch.randn(1, 1, 28, 28), args.out, input_names=["input"], output_names=["logits"],
                      opset_version=13, dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with open(args.facts, "w") as f:
        json.dump({"torch": torch.__version__, "epochs": args.epochs, "testErrorPerEpoch": errors,
                   "testError": errors[-1], "parameters": sum(p.numel() for p in model.parameters()),
                   "trainingSeconds": round(time.time() - started, 1), "threads": torch.get_num_threads(),
                   "preprocessing": {"scale": 1 / 255.0, "mean": [MEAN], "std": [STD]}}, f, indent=1)


if __name__ == "__main__":
    main()
