namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>One request (or L4 connection) as logged: the values copied out of the exchange on completion.</summary>
internal sealed class AccessLogEntry
{
    public DateTimeOffset StartTime { get; init; }
    public string? Method { get; init; }
    public string? Path { get; init; }
    public string? Protocol { get; init; }
    public int ResponseCode { get; init; }
    public string ResponseFlags { get; init; } = "-";
    public long BytesReceived { get; init; }
    public long BytesSent { get; init; }
    public long DurationMs { get; init; }
    public long? UpstreamServiceTimeMs { get; init; }
    public string? XForwardedFor { get; init; }
    public string? UserAgent { get; init; }
    public string? RequestId { get; init; }
    public string? Authority { get; init; }
    public string? UpstreamHost { get; init; }
    public string? UpstreamCluster { get; init; }
    public string? RouteName { get; init; }
    public string? DownstreamRemoteAddress { get; init; }
    public string? RequestedServerName { get; init; }
    public string? TraceId { get; init; }
}
