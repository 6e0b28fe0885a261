/// Whose checkpoint names a transformer layer registers its parameters under, so that one
/// implementation of the math loads the weights of several model families by name.
public enum CheckpointNaming: Sendable {
    /// Hugging Face BERT's names (`query`, `key`, `value`), and ViT's, which keeps them inside
    /// `attention.attention` (`layernorm_before`, `attention.output.dense`, `layernorm_after`,
    /// `intermediate.dense`, `output.dense`; embeddings `cls_token`, `position_embeddings`,
    /// `patch_embeddings.projection`).
    case bert
    /// Hugging Face CLIP's names: `self_attn.q_proj`, `k_proj`, `v_proj`, `out_proj`, `layer_norm1`,
    /// `mlp.fc1`, `mlp.fc2`, `layer_norm2` (embeddings `class_embedding`, `patch_embedding`,
    /// `position_embedding.weight`).
    case clip
}
