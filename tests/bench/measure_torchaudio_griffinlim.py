#!/usr/bin/env python3
"""Reference figure for tests/core/test_griffinlim.cpp: spectral convergence of
torchaudio.functional.griffinlim on the real NSynth notes (n_fft 1024, hop 512, periodic Hann,
power 1, n_iter 32, momentum 0.99, rand_init True). Not used at build or test time.
Needs Debian's python3-torchaudio and python3-scipy; run with /usr/bin/python3.

Spectral convergence = ||S - |STFT(y)|||_F / ||S||_F, with S and STFT(y) computed with the
project's STFT (centred, ZERO padding, METHOD §2), and also with torch's reflect padding (the
padding torchaudio's griffinlim uses internally) for comparison.
usage: measure_torchaudio_griffinlim.py DATA_DIR [--first N] [--seeds K]
"""
import argparse
import os
import sys

import numpy as np
import scipy.io.wavfile
import torch
import torchaudio

p = argparse.ArgumentParser()
p.add_argument("data")
p.add_argument("--first", type=int, default=0, help="only the first N notes by file name")
p.add_argument("--seeds", type=int, default=3)
a = p.parse_args()
torch.set_num_threads(1)
files = sorted(f for f in os.listdir(os.path.join(a.data, "audio")) if f.endswith(".wav"))
if a.first:
    files = files[: a.first]
win = torch.hann_window(1024, periodic=True)


def stft(x, pad):
    return torch.stft(x, 1024, 512, window=win, center=True, pad_mode=pad, return_complex=True)


def sc(S, y, pad):
    R = stft(y, pad).abs()
    return float(torch.linalg.norm(S - R) / torch.linalg.norm(S))


rows = []
for f in files:
    rate, data = scipy.io.wavfile.read(os.path.join(a.data, "audio", f))
    x = torch.tensor(data.astype(np.float32) / 32768.0)
    per = {"constant": [], "reflect": []}
    for pad in per:
        S = stft(x, pad).abs()
        for seed in range(a.seeds):
            torch.manual_seed(seed)
            y = torchaudio.functional.griffinlim(S, win, 1024, 512, 1024, 1.0, 32, 0.99, len(x), True)
            per[pad].append(sc(S, y, pad))
    rows.append((f, np.mean(per["constant"]), np.mean(per["reflect"])))
    print(f"{f}: zero-pad SC {rows[-1][1]:.5f}  reflect SC {rows[-1][2]:.5f}", flush=True)
c = np.array([r[1] for r in rows])
r = np.array([r[2] for r in rows])
print(f"notes {len(rows)} seeds {a.seeds}: mean SC zero-pad {c.mean():.5f} (min {c.min():.5f} max {c.max():.5f}), "
      f"reflect {r.mean():.5f}")
