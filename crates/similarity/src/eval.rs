//! Evaluation measures for labelled pairs: ROC AUC (Mann–Whitney) and the best F1.

/// ROC AUC of scores for positive and negative pairs: the probability that a random positive
/// scores higher than a random negative, ties counted half (Mann–Whitney U / (P·N)).
/// `None` when either side is empty.
pub fn roc_auc(positives: &[f64], negatives: &[f64]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() {
        return None;
    }
    let mut neg = negatives.to_vec();
    neg.sort_by(f64::total_cmp);
    let mut u = 0.0;
    for &p in positives {
        let below = neg.partition_point(|&n| n < p);
        let not_above = neg.partition_point(|&n| n <= p);
        u += below as f64 + (not_above - below) as f64 / 2.0;
    }
    Some(u / (positives.len() as f64 * neg.len() as f64))
}

/// The best F1 over all thresholds "score ≥ t is flagged" (0 when there are no positives).
pub fn best_f1(positives: &[f64], negatives: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = positives
        .iter()
        .map(|&s| (s, true))
        .chain(negatives.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|x, y| y.0.total_cmp(&x.0));
    let p = positives.len() as f64;
    let mut best = 0.0f64;
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let t = all[i].0;
        while i < all.len() && all[i].0 == t {
            if all[i].1 {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        if tp > 0.0 {
            let precision = tp / (tp + fp);
            let recall = tp / p;
            best = best.max(2.0 * precision * recall / (precision + recall));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(roc_auc(&[1.0], &[0.0]), Some(1.0));
        assert_eq!(roc_auc(&[0.5], &[0.5]), Some(0.5));
        assert_eq!(roc_auc(&[0.2, 0.8], &[0.5]), Some(0.5));
        assert_eq!(roc_auc(&[], &[0.5]), None);
    }

    #[test]
    fn best_f1_of_a_perfect_split_is_one() {
        assert_eq!(best_f1(&[0.9, 0.8], &[0.1]), 1.0);
    }
}
