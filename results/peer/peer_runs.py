"""What `run_peer.py` and `ours_on_peer_splits.py` share: their options, loading the reference,
and the runs already in the output file (both resume)."""
import argparse, importlib.util, json, os

ODDS = ['arrhythmia', 'cardio', 'satellite', 'satimage-2', 'shuttle', 'thyroid']


def parser(doc, methods, out):
    """The common options; `methods` are the labels a run may have, `out` the default runs file."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--peer', default='../shared/peers/imdad_torch.py')
    p.add_argument('--out', default=out)
    p.add_argument('--seeds', type=int, default=10)
    p.add_argument('--methods', default=','.join(methods))
    p.add_argument('--datasets', default=','.join(ODDS))
    p.add_argument('--split', type=int, help='the split of this seed for every run')
    p.add_argument('--extra', default='', help='more training options for every run, e.g. "--epochs 50"')
    return p


def load_peer(a):
    """The reference module; with --split, its data setup always draws the split of that seed."""
    spec = importlib.util.spec_from_file_location('imdad_torch', a.peer)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    if a.split is not None:
        setup = peer.tabular_setup
        peer.tabular_setup = lambda name, seed, gamma_l=0.01, data_file=None: setup(name, a.split, gamma_l, data_file)
    return peer


def done_runs(path):
    """(label, data set, seed) of every run in the file."""
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {(r['label'], r['dataset'], r['seed']) for r in map(json.loads, f)}


def record(a, r):
    """Adds the run's --split and --extra to its JSON line and appends it to --out."""
    if a.split is not None:
        r['split'] = a.split
    if a.extra:
        r['extra'] = a.extra
    with open(a.out, 'a') as f:
        f.write(json.dumps(r) + '\n')
