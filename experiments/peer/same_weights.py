#!/usr/bin/env python3
"""Our Deep SVDD and the PyTorch reference's, step by step from the same weights.

Data: the first 128 training normals of the reference's cardio split (seed 0), so that an epoch
is one batch holding every row; the batch's order does not change its mean loss or its
batch-norm statistics, so both implementations take the same steps. Ours: `imdad train --method
deepsvdd --no-scaling --seed 0` for 1, 10 and 50 epochs, and once with lr 1e-30, whose weights are
the initial ones. The reference's MLP gets those initial weights, computes its center and takes 50
Adam steps (lr 1e-3, weight decay 0.5e-6). Printed: the largest differences in the center, the
weights, the batch-norm running statistics and the test scores (eval mode), and both AUROCs.

    ~/torchenv/bin/python experiments/peer/same_weights.py --imdad <binary>
"""
import argparse, subprocess, tempfile

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from peer_runs import PEER, load_peer, scores_csv, svdd_center, svdd_net_from, train_ours

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--imdad', default='.build/release/imdad')
p.add_argument('--peer', default=PEER)
a = p.parse_args()
peer = load_peer(a.peer)
data = peer.tabular_setup('cardio', 0)
X = data['x_norm'][:128].clone()
with tempfile.TemporaryDirectory() as tmp:
    np.savez(f'{tmp}/train.npz', X=X.numpy(), y=np.zeros(128, dtype=np.int64))
    np.savez(f'{tmp}/test.npz', X=data['x_test'].numpy(), y=data['y_test'].astype(np.int64))
    ours = {name: train_ours(a.imdad, f'{tmp}/train.npz', f'{tmp}/{name}.imdad', '--method', 'deepsvdd', '--seed', '0', *options)
            for name, options in [('init', ['--epochs', '1', '--lr', '1e-30']), (1, ['--epochs', '1']), (10, ['--epochs', '10']),
                                  (50, ['--epochs', '50'])]}
    subprocess.run([a.imdad, 'score', f'{tmp}/50.imdad', f'{tmp}/test.npz', '--label-column', 'y', '--force', '-o', f'{tmp}/s.csv'],
                   check=True)
    labels, mine = scores_csv(f'{tmp}/s.csv')

net, layers = svdd_net_from(peer, ours['init'][0], X.shape[1])
c = svdd_center(peer, net, X)
print(f"center: max |ours − reference| {(c - torch.tensor(ours['init'][1]['center'])).abs().max():.3g}")
opt = torch.optim.Adam([{'params': net.parameters(), 'weight_decay': 0.5e-6}], lr=1e-3)
for step in range(1, 51):
    net.train()
    loss = ((net(X) - c) ** 2).sum(1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step in ours:
        w, meta = ours[step]
        dw = max(np.abs(w[k] - v.detach().numpy()).max() for k, v in layers.items())
        print(f"step {step}: loss ours {meta['log'][-1]['loss']:.6f}, reference {loss.item():.6f}; max |Δ weight| {dw:.3g}")
w = ours[50][0]
for k, bn in [('1', net.hidden[0].bn), ('4', net.hidden[1].bn)]:
    print(f"batch norm {k}: max |Δ running mean| {np.abs(w[k + '.running_mean'] - bn.running_mean.numpy()).max():.3g}, "
          f"max |Δ running var| {np.abs(w[k + '.running_var'] - bn.running_var.numpy()).max():.3g}")
net.eval()
with torch.no_grad():
    reference = ((net(data['x_test']) - c) ** 2).sum(1).numpy()
print(f"test scores: max relative |Δ| {np.max(np.abs(mine - reference) / np.abs(reference)):.3g}; "
      f"AUROC ours {roc_auc_score(labels, mine):.6f}, reference {roc_auc_score(labels, reference):.6f}")
