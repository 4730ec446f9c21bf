#!/usr/bin/python3
"""real_votes_numpy.py - the numpy baseline of bench/review/run_real_votes:
loads a ReaL vote file (raters.npz: tensor R x N x A one-hot, info N x 2,
ids R) with numpy.load and runs the same binary Dawid-Skene EM as
mlfy_dawid_skene (src/review/aggregate.h: init from the mean answer score,
additive smoothing 0.01, tolerance 1e-6 on the largest posterior change,
at most 100 iterations, log-space E-step), vectorised with numpy
(bincount over the sparse votes), then saves the posteriors as float64 .npy.

    /usr/bin/python3 real_votes_numpy.py VOTES.npz OUT.npy

Prints 'iterations N' and the seconds spent loading and in EM on stdout."""
import sys
import time

import numpy as np


def dawid_skene(q, r, a, n_questions, n_raters, n_answers, s=0.01, tol=1e-6, max_iter=100):
    code = r * n_answers + a
    n_cells = n_raters * n_answers
    nvotes = np.bincount(q, minlength=n_questions)
    answered = nvotes > 0
    post = np.zeros(n_questions)
    post[answered] = (np.bincount(q, weights=a, minlength=n_questions)[answered]
                      / (nvotes[answered] * (n_answers - 1)))
    n_answered = int(answered.sum())
    p = 0.5
    it = 0
    while it < max_iter:
        it += 1
        t = post[q]
        cnt1 = np.bincount(code, weights=t, minlength=n_cells).reshape(n_raters, n_answers)
        cnt0 = np.bincount(code, weights=1.0 - t, minlength=n_cells).reshape(n_raters, n_answers)
        p = (post[answered].sum() + s) / (n_answered + 2.0 * s)
        p1 = (cnt1 + s) / (cnt1.sum(axis=1, keepdims=True) + n_answers * s)
        p0 = (cnt0 + s) / (cnt0.sum(axis=1, keepdims=True) + n_answers * s)
        lr = (np.log(p1) - np.log(p0)).ravel()
        logit = np.log(p) - np.log(1.0 - p) + np.bincount(q, weights=lr[code], minlength=n_questions)
        new = 1.0 / (1.0 + np.exp(-logit))
        delta = np.abs(new - post)[answered].max() if n_answered else 0.0
        post = np.where(answered, new, post)
        if delta <= tol:
            break
    post[~answered] = p
    return post, it


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: real_votes_numpy.py VOTES.npz OUT.npy")
    t0 = time.monotonic()
    with np.load(sys.argv[1]) as z:
        tensor = z["tensor"]
        info = z["info"]
        ids = z["ids"]
    if tensor.ndim != 3 or info.shape != (tensor.shape[1], 2) or ids.shape != (tensor.shape[0],):
        sys.exit("real_votes_numpy.py: shapes disagree")
    labels = info[:, 1].astype(np.int64)   # what mlfy parses (class indices)
    del labels
    # sparse votes, rater-major as the tensor: (rater, question, answer)
    answered = tensor.any(axis=2)
    r, q = np.nonzero(answered)
    a = tensor[r, q].argmax(axis=1)
    del tensor, answered
    t1 = time.monotonic()
    post, it = dawid_skene(q, r, a, info.shape[0], ids.shape[0], 3)
    t2 = time.monotonic()
    np.save(sys.argv[2], post)
    print(f"iterations {it}\nload_s {t1 - t0:.3f}\nem_s {t2 - t1:.3f}")


if __name__ == "__main__":
    main()
