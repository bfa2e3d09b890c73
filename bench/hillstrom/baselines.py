#!/usr/bin/env python3
"""bench/hillstrom baselines: the sklearn side of the Hillstrom uplift benchmark.

  baselines.py DIR
      For each DIR/split_NN/ written by run.mjs, fits on train.csv and predicts test.csv, writing
      DIR/split_NN/sklearn.csv (one row per test row, in order) with columns
        uplift_two_model, p_treated_two_model, p_control_two_model,
        uplift_class_transformation, p_visit
      - two-model LR: one LogisticRegression on the treated rows, one on the control rows,
        uplift = P(visit | treated) - P(visit | control);
      - class-transformation LR: z = y*t + (1-y)*(1-t) on all rows, uplift = 2 P(z=1) - 1;
      - propensity LR: P(visit) on all train rows (both arms).
      Features: recency, history, mens, womens, newbie standardised; zip_code and channel one-hot.
      LogisticRegression(C=1.0, max_iter=1000) throughout. Metrics are not computed here: run.mjs
      computes them for every model with bench/hillstrom/metrics.mjs.

  baselines.py --self-test CASES.json
      Reference values for metrics.test.mjs: reads {"cases": [{"y", "uplift", "treatment", "k"}]} and
      prints JSON with, per case, an independent numpy port of scikit-uplift's qini_curve,
      perfect_qini_curve (negative_effect=True), qini_auc_score and uplift_at_k (strategy "overall"),
      sklearn's roc_auc_score when sklearn is importable, and sklift's own values when sklift is.

  baselines.py --check
      Prints the numpy / pandas / sklearn versions; exit 1 if one is missing.
"""
import json
import os
import sys
import time

NUMERIC = ["recency", "history", "mens", "womens", "newbie"]
CATEGORICAL = ["zip_code", "channel"]
TREATMENT, CONTROL = "Womens E-Mail", "No E-Mail"


# --- the numpy reference for the uplift metrics (self-test) -------------------------------------

def ref_qini_curve(y, uplift, t):
    """scikit-uplift's qini_curve, re-derived: points at the last row of each run of equal scores."""
    import numpy as np
    y, uplift, t = np.asarray(y, float), np.asarray(uplift, float), np.asarray(t, float)
    # descending by score, ties by descending row index (np.argsort(..., mergesort)[::-1])
    order = np.lexsort((np.arange(len(uplift)), uplift))[::-1]
    s, y, t = uplift[order], y[order], t[order]
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    n_all = (ends + 1).astype(float)
    n_t = np.cumsum(t)[ends]
    y_t = np.cumsum(y * t)[ends]
    y_c = np.cumsum(y * (1 - t))[ends]
    n_c = n_all - n_t
    ratio = np.zeros_like(n_t)
    np.divide(n_t, n_c, out=ratio, where=n_c != 0)
    values = y_t - y_c * ratio
    if len(n_all) == 0 or values[0] != 0 or n_all[0] != 0:
        n_all, values = np.r_[0.0, n_all], np.r_[0.0, values]
    return n_all, values


def ref_trapezoid(x, y):
    import numpy as np
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def ref_qini_auc_score(y, uplift, t):
    import numpy as np
    y, t = np.asarray(y, float), np.asarray(t, float)
    xa, ya = ref_qini_curve(y, uplift, t)
    xp, yp = ref_qini_curve(y, y * t - y * (1 - t), t)
    base = ref_trapezoid([0, xp[-1]], [0, yp[-1]])
    return (ref_trapezoid(xa, ya) - base) / (ref_trapezoid(xp, yp) - base)


def ref_uplift_at_k(y, uplift, t, k):
    import numpy as np
    y, uplift, t = np.asarray(y, float), np.asarray(uplift, float), np.asarray(t, int)
    order = np.lexsort((np.arange(len(uplift)), uplift))[::-1]
    n = int(len(y) * k) if isinstance(k, float) else int(k)
    top_y, top_t = y[order][:n], t[order][:n]
    mean = lambda a: float(a.mean()) if len(a) else float("nan")
    return mean(top_y[top_t == 1]) - mean(top_y[top_t == 0])


def self_test(path):
    import numpy as np
    with open(path) as f:
        cases = json.load(f)["cases"]
    try:
        from sklearn.metrics import roc_auc_score
    except ImportError:
        roc_auc_score = None
    try:
        from sklift.metrics import qini_auc_score, uplift_at_k
    except ImportError:
        qini_auc_score = uplift_at_k = None
    out = {"numpy": [], "sklearn_auc": None if roc_auc_score is None else [],
           "sklift": None if qini_auc_score is None else []}
    nan_to_none = lambda v: None if v != v else v
    for c in cases:
        y, u, t, k = np.array(c["y"]), np.array(c["uplift"], float), np.array(c["treatment"]), c["k"]
        x, v = ref_qini_curve(y, u, t)
        out["numpy"].append({"qini": ref_qini_auc_score(y, u, t), "uplift_at_k": nan_to_none(ref_uplift_at_k(y, u, t, k)),
                             "curve_x": x.tolist(), "curve_y": v.tolist()})
        if roc_auc_score is not None:
            out["sklearn_auc"].append(float(roc_auc_score(y, u)) if 0 < y.sum() < len(y) else None)
        if qini_auc_score is not None:
            out["sklift"].append({"qini": float(qini_auc_score(y, u, t)),
                                  "uplift_at_k": nan_to_none(float(uplift_at_k(y, u, t, strategy="overall", k=k)))})
    json.dump(out, sys.stdout)


# --- the sklearn baselines ------------------------------------------------------------------------

def make_model():
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    pre = ColumnTransformer([("num", StandardScaler(), NUMERIC),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)])
    return make_pipeline(pre, LogisticRegression(C=1.0, max_iter=1000))


def fit_split(split_dir):
    import numpy as np
    import pandas as pd
    train = pd.read_csv(os.path.join(split_dir, "train.csv"))
    test = pd.read_csv(os.path.join(split_dir, "test.csv"))
    for df in (train, test):
        bad = set(df["segment"]) - {TREATMENT, CONTROL}
        if bad:
            raise SystemExit(f"{split_dir}: unexpected segment values {sorted(bad)}")
    t = (train["segment"] == TREATMENT).to_numpy().astype(int)
    y = train["visit"].to_numpy().astype(int)
    X, Xt = train[NUMERIC + CATEGORICAL], test[NUMERIC + CATEGORICAL]

    treated = make_model().fit(X[t == 1], y[t == 1])
    control = make_model().fit(X[t == 0], y[t == 0])
    p_t, p_c = treated.predict_proba(Xt)[:, 1], control.predict_proba(Xt)[:, 1]

    z = y * t + (1 - y) * (1 - t)
    ct = make_model().fit(X, z)
    uplift_ct = 2 * ct.predict_proba(Xt)[:, 1] - 1

    propensity = make_model().fit(X, y)
    p_visit = propensity.predict_proba(Xt)[:, 1]

    out = pd.DataFrame({"uplift_two_model": p_t - p_c, "p_treated_two_model": p_t, "p_control_two_model": p_c,
                        "uplift_class_transformation": uplift_ct, "p_visit": p_visit})
    out.to_csv(os.path.join(split_dir, "sklearn.csv"), index=False, float_format="%.17g")
    return len(train), len(test)


def fit_all(root):
    splits = sorted(d for d in os.listdir(root) if d.startswith("split_"))
    if not splits:
        raise SystemExit(f"no split_NN directories in {root}")
    for d in splits:
        started = time.perf_counter()
        n_train, n_test = fit_split(os.path.join(root, d))
        print(f"{d}: sklearn fitted on {n_train} rows, predicted {n_test} in {time.perf_counter() - started:.2f} s",
              flush=True)


def check():
    import numpy, pandas, sklearn
    print(f"numpy {numpy.__version__}, pandas {pandas.__version__}, sklearn {sklearn.__version__} ({sys.executable})")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--self-test"] and len(args) == 2:
        self_test(args[1])
    elif args == ["--check"]:
        check()
    elif len(args) == 1 and not args[0].startswith("-"):
        fit_all(args[0])
    else:
        raise SystemExit(__doc__)
