namespace Causeway.Translation.Ir;

/// <summary>
/// The effective Envoy Gateway ClientTrafficPolicy of one listener, as plain data: what the listener does with each
/// HTTP request before routing (client address detection, request IDs, headers with underscores, path normalization,
/// its own health check answer) and its TLS settings. Connection-level settings are the port's (<see cref="PortIr.Connection"/>).
/// Present only where a policy applies: a listener without one keeps Causeway's defaults.
/// </summary>
public sealed record ClientTrafficIr
{
    /// <summary><c>namespace/name</c> of the policy.</summary>
    public required string Policy { get; init; }

    /// <summary>Where the client address comes from; null: the connection's peer (or the PROXY header's source).</summary>
    public ClientIpDetectionIr? ClientIpDetection { get; init; }

    /// <summary>The peer address is not appended to X-Forwarded-For (the client's header still goes on unchanged).</summary>
    public bool DisableXForwardedForAppend { get; init; }

    public RequestIdMode RequestId { get; init; } = RequestIdMode.Generate;

    public UnderscoresAction WithUnderscores { get; init; } = UnderscoresAction.RejectRequest;

    /// <summary>A path answered 200 by the listener itself (any method, before routing); null: none.</summary>
    public string? HealthCheckPath { get; init; }

    /// <summary>Adjacent slashes in the path are merged into one before routing (and forwarded so); Envoy Gateway's default.</summary>
    public bool MergeSlashes { get; init; } = true;

    /// <summary>What happens to escaped slashes in the path before routing.</summary>
    public EscapedSlashesAction EscapedSlashes { get; init; } = EscapedSlashesAction.UnescapeAndRedirect;

    /// <summary>The x-forwarded-client-cert header's handling; null: sanitized (removed), as without a policy.</summary>
    public ForwardedClientCertIr? ForwardedClientCert { get; init; }

    /// <summary>
    /// <c>headers.earlyRequestHeaders</c>: edits of every request the listener receives, before anything else reads it
    /// (path normalization, client address detection, request ID, routing, the route's filters); null: none.
    /// </summary>
    public HeaderModifierIr? EarlyRequestHeaders { get; init; }

    /// <summary>
    /// <c>headers.lateResponseHeaders</c>: edits of every response the listener sends (the backend's and the gateway's
    /// own), after every other edit; null: none.
    /// </summary>
    public HeaderModifierIr? LateResponseHeaders { get; init; }

    /// <summary>
    /// <c>http1.http10.useDefaultHost</c>: the Host an HTTP/1.0 request without one gets before routing (the listener's
    /// hostname, else the one hostname of its only HTTPRoute with non-wildcard hostnames); null: none.
    /// </summary>
    public string? Http10DefaultHost { get; init; }

    /// <summary>TLS settings towards clients (HTTPS listeners); null: Causeway's defaults.</summary>
    public ClientTlsIr? Tls { get; init; }

    /// <summary>
    /// <c>headers.enableEnvoyHeaders</c>: the x-envoy-* headers Envoy's router adds when not suppressed
    /// (<c>x-envoy-upstream-service-time</c> on backend responses, <c>x-envoy-expected-rq-timeout-ms</c> on forwarded
    /// requests of rules with a timeout, <c>x-envoy-original-path</c> on rewritten ones); false: none, as Envoy Gateway's default.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool EnableEnvoyHeaders { get; init; }
}
