namespace Causeway.Translation.Ir;

/// <summary>What a rate-limit condition looks at.</summary>
public enum RateLimitConditionKind { Header, Method, Path, SourceCidr, QueryParam }
