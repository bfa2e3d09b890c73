// bench/hillstrom metrics: ROC AUC and scikit-uplift's Qini coefficient and uplift@k, in one JS
// implementation used for every model the benchmark compares (Cabine's and sklearn's), so that all
// figures come from identical metric code on identical splits.
//
// The uplift metrics follow scikit-uplift's source (sklift/metrics/metrics.py, the version with
// qini_auc_score(..., negative_effect=True) and uplift_at_k(..., strategy, k), 0.2 and later), read
// for this port:
//   - qini_curve: rows ordered by np.argsort(uplift, kind="mergesort")[::-1] (descending score, ties in
//     descending row order); one curve point at the end of each run of equal scores (np.diff on the
//     sorted scores), so tied rows enter the curve together and their inner order never matters;
//     value = treated responders − control responders × (treated / control) so far, 0 when no control
//     row has been seen yet; a (0, 0) point is put in front when the first point is not at 0.
//   - perfect_qini_curve with negative_effect=True: the qini_curve of the oracle score
//     y·t − y·(1 − t) (treated responders first, control responders last).
//   - qini_auc_score: areas by the trapezoid rule (sklearn.metrics.auc), minus the area under the
//     straight line from (0, 0) to the perfect curve's last point (random targeting), model over perfect.
//     Random ranking scores about 0, the oracle 1.
//   - uplift_at_k with strategy "overall": the first int(n·k) rows in the order above; response rate of
//     the treated among them minus that of the control rows among them (NaN when either is empty, as
//     numpy's mean of an empty array).
// baselines.py --self-test holds an independent numpy version of the same; metrics.test.mjs checks the
// two agree on random data with ties (and against sklift itself when it is importable).

function checkInputs(y, uplift, treatment) {
  if (y.length !== uplift.length || y.length !== treatment.length) {
    throw new Error(`inconsistent lengths: y ${y.length}, uplift ${uplift.length}, treatment ${treatment.length}`);
  }
  for (let i = 0; i < y.length; i++) {
    if ((y[i] !== 0 && y[i] !== 1) || (treatment[i] !== 0 && treatment[i] !== 1)) {
      throw new Error(`y and treatment must be 0/1 (row ${i}: y ${y[i]}, treatment ${treatment[i]})`);
    }
    if (Number.isNaN(uplift[i])) throw new Error(`uplift is NaN at row ${i}`);
  }
}

/** Row indices in numpy's np.argsort(scores, kind="mergesort")[::-1] order: descending, ties by descending index. */
export function descendingOrder(scores) {
  const order = Array.from(scores, (_, i) => i);
  order.sort((a, b) => (scores[a] !== scores[b] ? scores[b] - scores[a] : b - a));
  return order;
}

/** Area under a curve by the trapezoid rule, x non-decreasing (sklearn.metrics.auc). */
export function trapezoid(x, y) {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/** ROC AUC of scores for binary labels (truthy = positive), tied scores sharing their average rank. */
export function auc(scores, labels) {
  if (scores.length !== labels.length) throw new Error('auc: scores and labels differ in length');
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0, nPos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]]) rankSum += avg, nPos++;
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** sklift.metrics.qini_curve: { x: rows targeted, y: incremental responders }, one point per distinct score. */
export function qiniCurve(y, uplift, treatment) {
  checkInputs(y, uplift, treatment);
  const order = descendingOrder(uplift);
  const x = [], v = [];
  let nT = 0, yT = 0, yC = 0;
  for (let i = 0; i < order.length; i++) {
    const r = order[i];
    if (treatment[r]) nT++, yT += y[r];
    else yC += y[r];
    const last = i === order.length - 1 || uplift[order[i + 1]] !== uplift[r];
    if (!last) continue;
    const nAll = i + 1, nC = nAll - nT;
    x.push(nAll);
    v.push(yT - yC * (nC !== 0 ? nT / nC : 0));
  }
  if (x.length === 0 || v[0] !== 0 || x[0] !== 0) x.unshift(0), v.unshift(0);
  return { x, y: v };
}

/** sklift.metrics.perfect_qini_curve(y, treatment, negative_effect=True). */
export function perfectQiniCurve(y, treatment) {
  const oracle = Array.from(y, (yi, i) => yi * treatment[i] - yi * (1 - treatment[i]));
  return qiniCurve(y, oracle, treatment);
}

/** sklift.metrics.qini_auc_score(y, uplift, treatment, negative_effect=True): random ≈ 0, perfect = 1. */
export function qiniAucScore(y, uplift, treatment) {
  const actual = qiniCurve(y, uplift, treatment);
  const perfect = perfectQiniCurve(y, treatment);
  const baseline = trapezoid([0, perfect.x.at(-1)], [0, perfect.y.at(-1)]);
  return (trapezoid(actual.x, actual.y) - baseline) / (trapezoid(perfect.x, perfect.y) - baseline);
}

/** sklift.metrics.uplift_at_k(y, uplift, treatment, strategy, k); k a fraction in (0, 1) or a row count. */
export function upliftAtK(y, uplift, treatment, k = 0.3, strategy = 'overall') {
  checkInputs(y, uplift, treatment);
  const n = y.length;
  const isFraction = !Number.isInteger(k);
  if (isFraction ? k <= 0 || k >= 1 : k <= 0 || k >= n) throw new Error(`k=${k} must be in (0, 1) or a count in (0, ${n})`);
  const order = descendingOrder(uplift);
  const rate = (rows) => (rows.length ? rows.reduce((s, r) => s + y[r], 0) / rows.length : NaN);
  if (strategy === 'overall') {
    const top = order.slice(0, isFraction ? Math.trunc(n * k) : k);
    return rate(top.filter((r) => treatment[r] === 1)) - rate(top.filter((r) => treatment[r] === 0));
  }
  if (strategy === 'by_group') {
    const treated = order.filter((r) => treatment[r] === 1), control = order.filter((r) => treatment[r] === 0);
    const nT = isFraction ? Math.trunc(treated.length * k) : k, nC = isFraction ? Math.trunc(control.length * k) : k;
    if (nT > treated.length || nC > control.length) throw new Error(`k=${k} exceeds a group's size`);
    return rate(treated.slice(0, nT)) - rate(control.slice(0, nC));
  }
  throw new Error(`strategy must be overall or by_group, got ${strategy}`);
}
