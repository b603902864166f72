using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>Which protocol the external authorization service speaks.</summary>
public enum ExtAuthProtocol
{
    /// <summary>A plain HTTP request per check: 2xx allows, anything else is the answer.</summary>
    Http,

    /// <summary>Envoy's <c>envoy.service.auth.v3.Authorization/Check</c> over HTTP/2.</summary>
    Grpc,
}

/// <summary>
/// SecurityPolicy <c>extAuth</c>: every request is first checked by an external service, reached through a backend of
/// the Gateway (<see cref="BackendId"/>, with its endpoints and TLS). Header names are lower case.
/// </summary>
public sealed record ExtAuthIr
{
    public ExtAuthProtocol Protocol { get; init; }

    /// <summary>
    /// The authorization service's backend (an entry of the Gateway's backends); null when it could not be resolved and
    /// <see cref="FailOpen"/> lets requests through unchecked.
    /// </summary>
    public string? BackendId { get; init; }

    /// <summary>HTTP: a prefix put before the request's path, or null.</summary>
    public string? PathPrefix { get; init; }

    /// <summary>HTTP: the path every check goes to instead of the request's, or null.</summary>
    public string? PathOverride { get; init; }

    /// <summary>HTTP: headers of an allowing answer set on the request the backend gets.</summary>
    public EquatableArray<string> HeadersToBackend { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Client headers sent to the service; empty: gRPC all, HTTP only the ones always sent.</summary>
    public EquatableArray<string> HeadersToExtAuth { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The request body (buffered up to this many bytes; larger: 413) goes to the service; null: no body.</summary>
    public int? MaxRequestBytes { get; init; }

    /// <summary>gRPC: <c>context_extensions</c> of every check, sorted by name.</summary>
    public EquatableArray<ExtAuthContextIr> ContextExtensions { get; init; } = EquatableArray<ExtAuthContextIr>.Empty;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The service failing (unreachable, timeout, malformed answer) lets the request through.</summary>
    public bool FailOpen { get; init; }

    /// <summary>The answer when the service fails and <see cref="FailOpen"/> is off.</summary>
    public int StatusOnError { get; init; } = 403;

    /// <summary>
    /// <c>recomputeRoute</c>: once the service allowed the request, the route is chosen again with the headers it set
    /// (the Kestrel pipeline; the byte transports hand such rules on).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool RecomputeRoute { get; init; }

    /// <summary>
    /// <c>includeRouteMetadata</c>: a gRPC check carries the route's metadata (<see cref="RouteMetadata"/>, filled per
    /// rule when the policy is applied) in the "envoy-gateway" namespace of its <c>route_metadata_context</c>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool IncludeRouteMetadata { get; init; }

    /// <summary>The route (rule) the policy is applied to, when <see cref="IncludeRouteMetadata"/>; null otherwise.</summary>
    public RouteMetadataIr? RouteMetadata { get; init; }
}

/// <summary>
/// Envoy Gateway's built-in metadata of a route: its kind, namespace and name, the rule's name as
/// <see cref="SectionName"/>, and its annotations prefixed <c>gateway.envoyproxy.io/</c> (without the prefix, sorted).
/// </summary>
public sealed record RouteMetadataIr
{
    public required string Kind { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public string? SectionName { get; init; }
    public EquatableArray<KeyValuePair<string, string>> Annotations { get; init; } = EquatableArray<KeyValuePair<string, string>>.Empty;
}

/// <summary>A context extension: its value inline, or read from a ConfigMap (plain) or a Secret (<see cref="Secret"/>).</summary>
public sealed record ExtAuthContextIr(string Name, string? Value, SecretText? Secret = null);
