namespace Causeway.Translation.Ir;

/// <summary>How a rate-limit condition compares: <c>Distinct</c> gives every distinct value its own bucket.</summary>
public enum RateLimitMatch { Exact, Prefix, Regex, Distinct }
