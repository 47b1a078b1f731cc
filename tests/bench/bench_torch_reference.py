#!/usr/bin/env python3
"""PyTorch reference for tests/bench/bench_models.cpp (run by hand, not part of ctest).

Builds the same autoencoders (METHOD §3, same layer arithmetic and default widths as
core/model/ModelConfig.cpp) in PyTorch and times
  1. one training step at batch 32 (forward + MSE + backward + Adam), slices/s;
  2. encode + decode of one 4 s note (124 slices; frame1d: 126 frames), ms.
Usage: /usr/bin/python3 tests/bench/bench_torch_reference.py [--threads N]
(Debian python3-torch; /usr/bin/python3, not a pyenv interpreter.)
"""
import argparse
import os
import statistics
import time

import torch
import torch.nn as nn

STRIDED = {"single": [2], "double": [2, 4], "triple": [2, 3, 5], "frame1d": []}
DEFAULT_CHANNELS = {"2d": [8, 16, 16, 16], "frame1d": [16] * 8}  # as ModelConfig.cpp


def geometry(arch, bins):
    layers = 9 if arch == "frame1d" else 5
    widths = DEFAULT_CHANNELS["frame1d" if arch == "frame1d" else "2d"]
    out, length, width, cin = [], bins, 1 if arch == "frame1d" else 3, 1
    for i in range(1, layers + 1):
        cout = 1 if i == layers else widths[i - 1]
        stride = 2 if i in STRIDED[arch] else 1
        pf = 0 if arch == "frame1d" else (1 if i == 1 else 0)
        pt = 0 if arch == "frame1d" else (0 if i == layers else 1)
        span = length + 2 * pf - 3
        out.append(dict(cin=cin, cout=cout, stride=stride, pf=pf, pt=pt, inlen=length,
                        outlen=span // stride + 1, op=span % stride))
        length, cin = span // stride + 1, cout
    return out


class Slice2d(nn.Module):
    def __init__(self, arch, bins):
        super().__init__()
        g = geometry(arch, bins)
        self.bins, self.emb = bins, g[-1]["outlen"]
        enc, dec = [], []
        for i, l in enumerate(g):
            enc.append(nn.Conv2d(l["cin"], l["cout"], 3, stride=(l["stride"], 1), padding=(l["pf"], l["pt"])))
            if i + 1 < len(g):
                enc += [nn.ReLU(), nn.BatchNorm2d(l["cout"])]
        for j, l in enumerate(reversed(g)):
            dec.append(nn.ConvTranspose2d(l["cout"], l["cin"], 3, stride=(l["stride"], 1),
                                          padding=(l["pf"], l["pt"]), output_padding=(l["op"], 0)))
            if j + 1 < len(g):
                dec += [nn.ReLU(), nn.BatchNorm2d(l["cin"])]
        self.enc, self.dec = nn.Sequential(*enc), nn.Sequential(*dec)

    def encode(self, x):
        return self.enc((x + 50) / 20).flatten(1)

    def decode(self, z):
        return self.dec(z.view(-1, 1, self.emb, 1)) * 20 - 50

    def forward(self, x):
        return self.decode(self.encode(x))


class Frame1d(nn.Module):
    def __init__(self, bins):
        super().__init__()
        g = geometry("frame1d", bins)
        self.emb = g[-1]["outlen"]
        enc, dec = [], []
        for i, l in enumerate(g):
            enc.append(nn.Conv1d(l["cin"], l["cout"], 3))
            if i + 1 < len(g):
                enc += [nn.LeakyReLU(), nn.BatchNorm1d(l["cout"])]
        for j, l in enumerate(reversed(g)):
            dec.append(nn.ConvTranspose1d(l["cout"], l["cin"], 3))
            if j + 1 < len(g):
                dec += [nn.LeakyReLU(), nn.BatchNorm1d(l["cin"])]
        self.enc, self.dec = nn.Sequential(*enc), nn.Sequential(*dec)

    def encode(self, x):
        return self.enc((x + 50) / 20).flatten(1)

    def decode(self, z):
        return self.dec(z.view(-1, 1, self.emb)) * 20 - 50

    def forward(self, x):
        return self.decode(self.encode(x))


def median_time(fn, warm, reps):
    for _ in range(warm):
        fn()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return statistics.median(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--channels", default="", help="2D widths, e.g. 16,32,32,32 (default: 8,16,16,16)")
    args = ap.parse_args()
    if args.channels:
        DEFAULT_CHANNELS["2d"] = [int(c) for c in args.channels.split(",")]
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, load {os.getloadavg()[0]:.2f}")
    print(f"{'arch':8} {'scale':7} {'embed':>6} {'train slices/s':>15} {'note enc+dec ms':>16}")
    for arch in ["single", "double", "triple", "frame1d"]:
        for mel in [False, True]:
            bins = 128 if mel else 513
            model = Frame1d(bins) if arch == "frame1d" else Slice2d(arch, bins)
            shape = (32, 1, bins) if arch == "frame1d" else (32, 1, bins, 3)
            x = torch.rand(shape) * -80
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            model.train()

            def step():
                opt.zero_grad()
                loss = torch.nn.functional.mse_loss(model(x), x)
                loss.backward()
                opt.step()
                loss.item()

            t_step = median_time(step, 3, 20 if mel else 10)
            model.eval()
            n = 126 if arch == "frame1d" else 124
            note = torch.rand((n,) + shape[1:]) * -80
            with torch.inference_mode():
                t_note = median_time(lambda: model.decode(model.encode(note)).sum().item(), 3, 15)
            print(f"{arch:8} {'mel' if mel else 'log-mag':7} {model.emb:6d} {32 / t_step:15.0f} {1e3 * t_note:16.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
