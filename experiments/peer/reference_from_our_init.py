#!/usr/bin/env python3
"""The reference's Deep SVDD on cardio's split 0, started from *our* initial weights of each seed
(read from `imdad train --epochs 1 --lr 1e-30`, which leaves them as drawn), with its own center,
batches and training (150 epochs, lr 1e-3, ÷10 at epoch 50, weight decay 0.5e-6). Prints the
AUROC per seed: if it scores like our runs of those seeds and not like its own, the seeds'
initial weights, not the code, make the difference.

    ~/torchenv/bin/python experiments/peer/reference_from_our_init.py --imdad <binary> --seeds 20
"""
import argparse, tempfile

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from peer_runs import PEER, load_peer, svdd_center, svdd_net_from, train_ours

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--imdad', default='.build/release/imdad')
p.add_argument('--peer', default=PEER)
p.add_argument('--seeds', type=int, default=20)
a = p.parse_args()
peer = load_peer(a.peer)
data = peer.tabular_setup('cardio', 0)
normals, test, labels = data['x_norm'], data['x_test'], data['y_test']
scores = []
with tempfile.TemporaryDirectory() as tmp:
    np.savez(f'{tmp}/train.npz', X=normals.numpy(), y=np.zeros(len(normals), dtype=np.int64))
    for seed in range(a.seeds):
        initial, _ = train_ours(a.imdad, f'{tmp}/train.npz', f'{tmp}/init.imdad', '--method', 'deepsvdd', '--seed', str(seed),
                                '--epochs', '1', '--lr', '1e-30')
        torch.manual_seed(seed)
        batches = torch.Generator().manual_seed(seed)
        net, _ = svdd_net_from(peer, initial, normals.shape[1])
        c = svdd_center(peer, net, normals)
        opt = torch.optim.Adam([{'params': net.parameters(), 'weight_decay': 0.5e-6}], lr=1e-3)
        schedule = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[50], gamma=0.1)
        for epoch in range(150):
            net.train()
            for rows, _ in peer.uniform_batches(len(normals), 0, 128, batches):
                loss = ((net(normals[rows]) - c) ** 2).sum(1).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
            schedule.step()
        net.eval()
        with torch.no_grad():
            scores.append(100 * roc_auc_score(labels, ((net(test) - c) ** 2).sum(1).numpy()))
        print(f'seed {seed}: AUROC {scores[-1]:.2f}', flush=True)
print(f'mean {np.mean(scores):.2f} ± {np.std(scores, ddof=1):.2f} (std) over {len(scores)} seeds')
