namespace Causeway.Translation.Ir;

/// <summary>How a rule's requests are spread over a backend's endpoints (BackendTrafficPolicy <c>loadBalancer</c>).</summary>
public sealed record LoadBalancerIr
{
    public LoadBalancerKind Kind { get; init; } = LoadBalancerKind.RoundRobin;

    /// <summary>For <see cref="LoadBalancerKind.ConsistentHash"/>: what the hash is taken of.</summary>
    public HashSourceKind HashOn { get; init; } = HashSourceKind.SourceIp;

    /// <summary>The header or cookie name hashed (empty for the source address).</summary>
    public string HashName { get; init; } = "";

    /// <summary>The lifetime of a cookie the gateway sets when the request has none (null: a session cookie).</summary>
    public TimeSpan? CookieTtl { get; init; }

    /// <summary>
    /// <c>slowStart.window</c> (round robin and least request): an endpoint added after the policy first saw the backend
    /// takes a share of requests growing linearly over this window (from 10%), as Envoy's slow start does.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public TimeSpan? SlowStartWindow { get; init; }
}
