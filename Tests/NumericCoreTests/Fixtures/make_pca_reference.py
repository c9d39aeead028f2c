#!/usr/bin/env python3
"""Reference values for Persona's PCA (NumericCore.PCA, LAPACK dsyevd on the covariance).

Produces Tests/NumericCoreTests/Fixtures/pca_reference.json (next to this script):

    {"generator": "<script, library versions>",
     "cases": [{"name", "X", "n_components", "mean", "components",
                "explained_variance", "explained_variance_ratio", "transformed"}]}

Each case is sklearn.decomposition.PCA(n_components, svd_solver="covariance_eigh") on X.
sklearn signs each component so its largest-magnitude loading is positive (svd_flip with
u_based_decision=False), which is the convention Persona follows; variances use n - 1.

Cases
  correlated   n=300, d=5: three latent factors mixed with noise, columns on different scales.
  two_of_three n=50, d=3: n_components=2 on a nearly planar cloud.

Rerun: python3 make_pca_reference.py   (numpy, scikit-learn; versions are recorded)
"""
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import PCA

rng = np.random.default_rng(20261123)


def case(name, X, n_components):
    pca = PCA(n_components=n_components, svd_solver="covariance_eigh").fit(X)
    return {
        "name": name,
        "X": X.tolist(),
        "n_components": n_components,
        "mean": pca.mean_.tolist(),
        "components": pca.components_.tolist(),
        "explained_variance": pca.explained_variance_.tolist(),
        "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "transformed": pca.transform(X).tolist(),
    }


latent = rng.normal(size=(300, 3))
mixing = rng.normal(size=(3, 5))
correlated = latent @ mixing + 0.3 * rng.normal(size=(300, 5))
correlated *= np.array([1.0, 10.0, 0.5, 3.0, 100.0])
correlated += np.array([5.0, -2.0, 0.0, 40.0, 1000.0])

plane = rng.normal(size=(50, 2))
planar = np.column_stack([plane[:, 0], plane[:, 1], 0.5 * plane[:, 0] - plane[:, 1] + 0.01 * rng.normal(size=50)])

out = {
    "generator": f"make_pca_reference.py, numpy {np.__version__}, scikit-learn {sklearn.__version__}",
    "cases": [case("correlated", correlated, 2), case("two_of_three", planar, 2)],
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pca_reference.json"), "w") as f:
    json.dump(out, f)
