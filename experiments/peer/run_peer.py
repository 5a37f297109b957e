#!/usr/bin/env python3
"""The PyTorch reference (../shared/peers/imdad_torch.py) on the six ODDS sets, for the issue's
"our Deep SAD and Deep SVDD agree with the PyTorch reference within noise" check.

One JSON line per run, appended to --out; runs already in that file are skipped, so an
interrupted run resumes. The peer is imported once: run as its own process, one run took 17.3 s
of wall time for 5.2 s of training (`time ~/torchenv/bin/python imdad_torch.py --method deepsad
--sampler balanced --dataset thyroid --seed 0 --threads 1`, stop 20). Its splits are its own (scikit-learn's, per seed), not ours: the comparison is between
two samples of splits, `experiments/peer/peer-agreement.py` does it.

    ~/torchenv/bin/python experiments/peer/run_peer.py --seeds 10 --shard 0/2 &
    ~/torchenv/bin/python experiments/peer/run_peer.py --seeds 10 --shard 1/2

--split S holds every run on the split of seed S, so that the seeds vary only the training
(initialization and batch order): the training noise, measured on one split.
"""
from peer_runs import done_runs, load_peer, parser, record

# (label in the runs file, the peer's arguments): label matches our `--methods` names
METHODS = {
    'deepsad-balanced': ['--method', 'deepsad', '--sampler', 'balanced'],
    'deepsad': ['--method', 'deepsad', '--sampler', 'uniform'],
    'deepsvdd': ['--method', 'deepsvdd'],
    # the peer's own IMD-AD defaults (nu 0.1, kappa 1): compared with ours at --nu 0.1 --kappa 1
    'imdad-nu0.1-kappa1': ['--method', 'imdad'],
}


def main():
    p = parser(__doc__, METHODS, 'experiments/peer/runs.jsonl')
    p.add_argument('--shard', default='0/1', help='i/n: this process runs every n-th run, from the i-th')
    a = p.parse_args()
    peer = load_peer(a.peer, a.split)
    done = done_runs(a.out)
    i, n = (int(v) for v in a.shard.split('/'))
    todo = [(m, d, s) for s in range(a.seeds) for d in a.datasets.split(',') for m in a.methods.split(',')]
    for j, (m, d, s) in enumerate(todo):
        if j % n != i or (m, d, s) in done:
            continue
        r = peer.run(peer.parse_args(METHODS[m] + ['--dataset', d, '--seed', str(s), '--threads', '1'] + a.extra.split()))
        r['label'] = m
        record(a, r)
        print(f"{m} {d} seed {s}: AUROC {100 * r['auroc']:.2f} ({r['train_s']} s)", flush=True)


if __name__ == '__main__':
    main()
