#!/usr/bin/env python3
"""Our methods on the PyTorch reference's own splits, so that the two implementations can be
compared seed by seed on identical data (`experiments/peer/peer-agreement.py --paired`).

For each data set and seed: the reference's data exactly as it trains on them (its `tabular_setup`:
scikit-learn's stratified 60/40 split, the standardize-then-min-max scaler fitted on the whole
training split, its draw of the labeled anomalies, at random_state = seed), written as train.npz
(normals + labeled anomalies) and test.npz; then `imdad train` with the same seed, `imdad score`,
and the AUROC by scikit-learn. `imdad train --no-scaling` trains on these values as they are, so
both implementations see the same numbers. One JSON line per run, appended to --out; runs
already there are skipped.

    ~/torchenv/bin/python experiments/peer/ours_on_peer_splits.py --imdad /tmp/imdad --seeds 10

--split S trains every seed on the split of seed S (as `run_peer.py --split S`).
"""
import subprocess, tempfile

import numpy as np
from sklearn.metrics import roc_auc_score

from peer_runs import done_runs, load_peer, parser, record, scores_csv, train_ours

# label (as in the reference's runs) → our `imdad train` arguments
METHODS = {
    'deepsad-balanced': ['--method', 'deepsad-balanced'],
    'deepsad': ['--method', 'deepsad'],
    'deepsvdd': ['--method', 'deepsvdd'],
    'imdad-nu0.1-kappa1': ['--method', 'imdad', '--nu', '0.1', '--kappa', '1'],
}

p = parser(__doc__, METHODS, 'experiments/peer/ours-on-peer-splits.jsonl')
p.add_argument('--imdad', default='.build/release/imdad')
a = p.parse_args()
peer = load_peer(a.peer, a.split)
done = done_runs(a.out)

def export(name, seed, folder):
    data = peer.tabular_setup(name, seed)
    normals, labeled = data['x_norm'].numpy(), data['x_anom'].numpy()
    np.savez(f'{folder}/train.npz', X=np.concatenate([normals, labeled]),
             y=np.r_[np.zeros(len(normals)), np.ones(len(labeled))].astype(np.int64))
    np.savez(f'{folder}/test.npz', X=data['x_test'].numpy(), y=data['y_test'].astype(np.int64))

with tempfile.TemporaryDirectory() as tmp:
    for seed in range(a.seeds):
        for d in a.datasets.split(','):
            todo = [m for m in a.methods.split(',') if (m, d, seed) not in done]
            if not todo:
                continue
            export(d, seed, tmp)  # with --split, load_peer fixed the split
            for m in todo:
                model, scores = f'{tmp}/{m}.imdad', f'{tmp}/{m}.csv'
                train_ours(a.imdad, f'{tmp}/train.npz', model, *METHODS[m], '--seed', str(seed), *a.extra.split())
                subprocess.run([a.imdad, 'score', model, f'{tmp}/test.npz', '--label-column', 'y', '--force', '-o', scores], check=True)
                auroc = roc_auc_score(*scores_csv(scores))
                record(a, {'label': m, 'dataset': d, 'seed': seed, 'auroc': auroc, 'splits': 'peer'})
                print(f'{m} {d} seed {seed}: AUROC {100 * auroc:.2f}', flush=True)
