using Causeway.Model;

namespace Causeway.Translation.Ir;

public enum ActiveHealthKind { Http, Tcp, Grpc }

/// <summary>
/// Active health checking (BackendTrafficPolicy <c>healthCheck.active</c>): every endpoint of the rule's backends is
/// probed each <see cref="Interval"/>; a failed probe marks it unhealthy at once (an HTTP status neither expected nor
/// retriable) or after <see cref="UnhealthyThreshold"/> failures in a row (timeouts, connection failures, retriable
/// statuses, wrong TCP or gRPC answers); <see cref="HealthyThreshold"/> successes in a row bring it back.
/// </summary>
public sealed record ActiveHealthIr
{
    public required ActiveHealthKind Kind { get; init; }
    public required TimeSpan Timeout { get; init; }
    public required TimeSpan Interval { get; init; }
    public TimeSpan InitialJitter { get; init; }
    public int UnhealthyThreshold { get; init; } = 3;
    public int HealthyThreshold { get; init; } = 1;

    /// <summary>Probe this port instead of the endpoint's (<c>overrides.port</c>).</summary>
    public int? Port { get; init; }

    public string Path { get; init; } = "/";
    public string Method { get; init; } = "GET";
    public string? Hostname { get; init; }
    public EquatableArray<int> ExpectedStatuses { get; init; } = new(new[] { 200 });
    public EquatableArray<int> RetriableStatuses { get; init; } = EquatableArray<int>.Empty;

    /// <summary>HTTP: the body must contain these bytes; TCP: the answer must (null: any answer, or none, will do).</summary>
    public EquatableArray<byte>? Expected { get; init; }

    /// <summary>HTTP request body, or the bytes sent on a TCP check (null: connect only).</summary>
    public EquatableArray<byte>? Send { get; init; }

    /// <summary>gRPC health service name ("" = the whole server).</summary>
    public string GrpcService { get; init; } = "";
}
