import Tensors

/// Parameters that share optimizer settings (PyTorch's `param_groups`).
///
/// ```swift
/// let groups = ParameterGroup.splittingWeightDecay(model.trainableParameters(), weightDecay: 0.01)
/// // groups[0]: matrices with decay 0.01; groups[1]: biases and norm weights with decay 0
/// ```
public struct ParameterGroup {
    /// The parameters with their dotted names (names key the optimizer state).
    public var parameters: [(name: String, tensor: Tensor)]
    /// The decoupled (AdamW) or L2 (SGD) weight decay coefficient.
    public var weightDecay: Float
    /// Multiplies the optimizer's learning rate for this group (layer-wise rates, a slower encoder).
    public var learningRateScale: Float

    /// A group; decay 0 and the base learning rate by default.
    public init(parameters: [(name: String, tensor: Tensor)], weightDecay: Float = 0, learningRateScale: Float = 1) {
        self.parameters = parameters
        self.weightDecay = weightDecay
        self.learningRateScale = learningRateScale
    }

    /// Whether a parameter is conventionally exempt from weight decay, decided by name and shape:
    /// a name ending in `bias`; a `weight` whose module name contains `norm` in any case
    /// (`LayerNorm`, `layer_norm`, `final_norm`); or any tensor of rank 0 or 1 (biases, norm scales,
    /// temperatures). This matches Hugging Face's `["bias", "LayerNorm.weight"]` for BERT and
    /// extends it to other naming schemes.
    public static func isExcludedFromWeightDecay(name: String, tensor: Tensor) -> Bool {
        if tensor.rank <= 1 || name.hasSuffix("bias") { return true }
        let components = name.split(separator: ".")
        guard components.last == "weight", components.count >= 2 else { return false }
        return components[components.count - 2].lowercased().contains("norm")
    }

    /// Two groups: the parameters that decay with `weightDecay`, and those `isExcluded` exempts
    /// (decay 0). Empty groups are left out.
    public static func splittingWeightDecay(
        _ parameters: [(name: String, tensor: Tensor)], weightDecay: Float,
        isExcluded: (String, Tensor) -> Bool = isExcludedFromWeightDecay
    ) -> [ParameterGroup] {
        let exempt = parameters.filter { isExcluded($0.name, $0.tensor) }
        let decayed = parameters.filter { !isExcluded($0.name, $0.tensor) }
        return [ParameterGroup(parameters: decayed, weightDecay: weightDecay), ParameterGroup(parameters: exempt, weightDecay: 0)]
            .filter { !$0.parameters.isEmpty }
    }
}
