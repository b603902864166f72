namespace Causeway.Translation.Ir;

/// <summary>
/// Outlier detection (BackendTrafficPolicy <c>healthCheck.passive</c>): an endpoint with too many consecutive errors
/// is ejected for <see cref="BaseEjectionTime"/> times the number of its ejections, while at most
/// <see cref="MaxEjectionPercent"/> of the endpoints are ejected. A limit of 0 or null disables that criterion.
/// </summary>
public sealed record PassiveHealthIr
{
    public int? Consecutive5xxErrors { get; init; }
    public int? ConsecutiveGatewayErrors { get; init; }
    public int? ConsecutiveLocalOriginFailures { get; init; }

    /// <summary>Connect failures counted on their own (true) or as 503s (false, Envoy's default).</summary>
    public bool SplitExternalLocalOriginErrors { get; init; }
    public required TimeSpan Interval { get; init; }
    public required TimeSpan BaseEjectionTime { get; init; }
    public int MaxEjectionPercent { get; init; } = 10;

    /// <summary>One endpoint may be ejected whatever <see cref="MaxEjectionPercent"/> says.</summary>
    public bool AlwaysEjectOneEndpoint { get; init; }
}
