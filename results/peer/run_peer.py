#!/usr/bin/env python3
"""The PyTorch reference (../shared/peers/imdad_torch.py) on the six ODDS sets, for the issue's
"our Deep SAD and Deep SVDD agree with the PyTorch reference within noise" check.

One JSON line per run, appended to --out; runs already in that file are skipped, so an
interrupted run resumes. The peer is imported once (a process per run spends ~10 s importing
torch). Its splits are its own (scikit-learn's, per seed), not ours: the comparison is between
two samples of splits, `scripts/peer-agreement.py` does it.

    ~/torchenv/bin/python results/peer/run_peer.py --seeds 10 --shard 0/2 &
    ~/torchenv/bin/python results/peer/run_peer.py --seeds 10 --shard 1/2

--split S holds every run on the split of seed S, so that the seeds vary only the training
(initialization and batch order): the training noise, measured on one split.
"""
import argparse
import importlib.util
import json
import os

# (label in the runs file, the peer's arguments): label matches our `--methods` names
METHODS = {
    'deepsad-balanced': ['--method', 'deepsad', '--sampler', 'balanced'],
    'deepsad': ['--method', 'deepsad', '--sampler', 'uniform'],
    'deepsvdd': ['--method', 'deepsvdd'],
    # the peer's own IMD-AD defaults (nu 0.1, kappa 1): compared with ours at --nu 0.1 --kappa 1
    'imdad-nu0.1-kappa1': ['--method', 'imdad'],
}
ODDS = ['arrhythmia', 'cardio', 'satellite', 'satimage-2', 'shuttle', 'thyroid']


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--peer', default='../shared/peers/imdad_torch.py')
    p.add_argument('--out', default='results/peer/runs.jsonl')
    p.add_argument('--seeds', type=int, default=10)
    p.add_argument('--methods', default=','.join(METHODS))
    p.add_argument('--datasets', default=','.join(ODDS))
    p.add_argument('--shard', default='0/1', help='i/n: this process runs every n-th run, from the i-th')
    p.add_argument('--split', type=int, help='the split of this seed for every run')
    p.add_argument('--extra', default='', help='more training options for every run, e.g. "--epochs 50"')
    a = p.parse_args()
    spec = importlib.util.spec_from_file_location('imdad_torch', a.peer)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    if a.split is not None:
        setup = peer.tabular_setup
        peer.tabular_setup = lambda name, seed, gamma_l=0.01, data_file=None: setup(name, a.split, gamma_l, data_file)

    done = set()
    if os.path.exists(a.out):
        with open(a.out) as f:
            done = {(r['label'], r['dataset'], r['seed']) for r in map(json.loads, f)}
    i, n = (int(v) for v in a.shard.split('/'))
    todo = [(m, d, s) for s in range(a.seeds) for d in a.datasets.split(',') for m in a.methods.split(',')]
    for j, (m, d, s) in enumerate(todo):
        if j % n != i or (m, d, s) in done:
            continue
        r = peer.run(peer.parse_args(METHODS[m] + ['--dataset', d, '--seed', str(s), '--threads', '1'] + a.extra.split()))
        r['label'] = m
        if a.split is not None:
            r['split'] = a.split
        if a.extra:
            r['extra'] = a.extra
        with open(a.out, 'a') as f:
            f.write(json.dumps(r) + '\n')
        print(f"{m} {d} seed {s}: AUROC {100 * r['auroc']:.2f} ({r['train_s']} s)", flush=True)


if __name__ == '__main__':
    main()
