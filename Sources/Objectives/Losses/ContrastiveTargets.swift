import Tensors

/// Which logit columns a contrastive row should pick, as a target distribution for the
/// cross-entropy over `[positive block | hard negatives | queue]` columns.
///
/// ```swift
/// nce(queries: z1, keys: z2)                                                   // row i ↔ key i
/// nce(queries: z, keys: z2, targets: .sharedLabels(queries: y, keys: y))       // several positives
/// nce(queries: img, keys: txtM, queue: txtQueue,
///     targets: .distilled(teacherQueries: imgM, weight: 0.4))                  // ALBEF
/// ```
public enum ContrastiveTargets {
    /// Row `i`'s only positive is key `i` (SimCSE, CLIP, MoCo, ESimCSE).
    case matchingIndex
    /// Every key with the query's label is a positive; the target mass is spread evenly over them
    /// (supervised InfoNCE, captions of the same image). Rows without a positive are left out of the mean.
    case sharedLabels(queries: [Int], keys: [Int])
    /// ALBEF's momentum distillation: `weight * softmax(teacher logits) + (1 - weight) * one-hot`,
    /// where the teacher logits are the same columns scored from `teacherQueries` (the momentum
    /// encoder's queries), without gradient.
    case distilled(teacherQueries: Tensor, weight: Float)
    /// An explicit `[rows, columns]` target distribution.
    case distribution(Tensor)
}

/// Cross-entropies of contrastive logits against the target kinds above, sharing label smoothing
/// (`(1 - ε) t + ε / columns`, as PyTorch's `label_smoothing`) and the fused kernels.
enum ContrastiveCrossEntropy {
    /// Mean cross-entropy against one target column per row.
    static func hard(_ logits: Tensor, targets: [Int], smoothing: Float) -> Tensor {
        if smoothing == 0 { return logits.crossEntropy(targets: targets) }
        return soft(logits, targets: oneHot(targets, columns: logits.shape[1]), smoothing: smoothing)
    }

    /// Mean cross-entropy against target distributions (rows of `targets`).
    static func soft(_ logits: Tensor, targets: Tensor, smoothing: Float) -> Tensor {
        ensure(smoothing >= 0 && smoothing < 1, "label smoothing \(smoothing) is outside [0, 1)")
        let t = smoothing == 0 ? targets : targets * (1 - smoothing) + smoothing / Float(logits.shape[1])
        return logits.crossEntropy(softTargets: t)
    }

    /// Mean over rows that have a positive of the cross-entropy against the uniform distribution
    /// over their positives. A batch without any positive gives a zero still connected to `logits`,
    /// so `backward()` works and leaves zero gradients.
    static func multiPositive(_ logits: Tensor, smoothing: Float, isPositive: (Int, Int) -> Bool) -> Tensor {
        let rows = logits.shape[0], columns = logits.shape[1]
        let counts = (0..<rows).map { i in (0..<columns).filter { isPositive(i, $0) }.count }
        let kept = (0..<rows).filter { counts[$0] > 0 }
        guard !kept.isEmpty else { return logits.sum() * 0 }
        let targets = Tensor.constant(rows: kept.count, columns: columns) { r, j in
            isPositive(kept[r], j) ? 1 / Float(counts[kept[r]]) : 0
        }
        let selected = kept.count == rows ? logits : logits.indexSelect(axis: 0, kept)
        return soft(selected, targets: targets, smoothing: smoothing)
    }

    /// `[rows, columns]` one-hot rows.
    static func oneHot(_ targets: [Int], columns: Int) -> Tensor {
        Tensor.mask(rows: targets.count, columns: columns) { i, j in j == targets[i] }
    }
}
