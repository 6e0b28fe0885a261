/// Tokenizers and text datasets.
public enum Text {}
