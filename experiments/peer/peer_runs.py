"""What the peer scripts share: their options, loading the reference, the runs already in an
output file (the runners resume), and moving weights and scores between our binary and the
reference's PyTorch code."""
import argparse, csv, importlib.util, json, os, struct, subprocess

import numpy as np

ODDS = ['arrhythmia', 'cardio', 'satellite', 'satimage-2', 'shuttle', 'thyroid']
PEER = '../shared/peers/imdad_torch.py'


def parser(doc, methods, out):
    """The runners' common options; `methods` are the labels a run may have, `out` the default runs file."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--peer', default=PEER)
    p.add_argument('--out', default=out)
    p.add_argument('--seeds', type=int, default=10)
    p.add_argument('--methods', default=','.join(methods))
    p.add_argument('--datasets', default=','.join(ODDS))
    p.add_argument('--split', type=int, help='the split of this seed for every run')
    p.add_argument('--extra', default='', help='more training options for every run, e.g. "--epochs 50"')
    return p


def load_peer(path=PEER, split=None):
    """The reference module; with `split`, its data setup always draws the split of that seed."""
    spec = importlib.util.spec_from_file_location('imdad_torch', path)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    if split is not None:
        setup = peer.tabular_setup
        peer.tabular_setup = lambda name, seed, gamma_l=0.01, data_file=None: setup(name, split, gamma_l, data_file)
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


def scores_csv(path):
    """Labels and scores of an `imdad score --label-column …` CSV file."""
    with open(path) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith('#')))
    return np.array([float(r['label']) for r in rows]), np.array([float(r['score']) for r in rows])


def model_tensors(path):
    """The tensors and metadata of one of our model files (safetensors layout)."""
    with open(path, 'rb') as f:
        b = f.read()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    t = {k: np.frombuffer(b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]], dtype=np.float32).reshape(v['shape'])
         for k, v in header.items() if k != '__metadata__'}
    return t, json.loads(header['__metadata__']['imdad'])


def train_ours(imdad, data, output, *options):
    """`imdad train DATA --no-scaling … -o OUTPUT` on one thread, quietly; returns the model's tensors and metadata.
    With `--epochs 1 --lr 1e-30` the weights stay as drawn: the initial weights of that seed."""
    subprocess.run([imdad, 'train', data, '--no-scaling', '--threads', '1', '--quiet', '--force', '-o', output, *options],
                   check=True, stdout=subprocess.DEVNULL)
    return model_tensors(output)


def svdd_net_from(peer, weights, features):
    """The reference's cardio-sized bias-free MLP (32-16-8) holding our weights, and its three weight tensors by our names."""
    import torch
    net = peer.MLP(features, [32, 16], 8, bias=False)
    layers = {'0.weight': net.hidden[0].linear.weight, '3.weight': net.hidden[1].linear.weight, '6.weight': net.code.weight}
    with torch.no_grad():
        for k, v in layers.items():
            v.copy_(torch.from_numpy(weights[k].copy()))
    return net, layers


def svdd_center(peer, net, x):
    """Deep SVDD's center as the reference computes it: the mean of a training-mode forward pass, coordinates
    nearer zero than 0.1 set to ±0.1."""
    c = peer.init_forward(net, x).mean(0)
    c[(c.abs() < 0.1) & (c < 0)] = -0.1
    c[(c.abs() < 0.1) & (c >= 0)] = 0.1
    return c
