namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// Turns a completed exchange into an access log entry (Envoy-style response flags included) and hands it to the
/// writer's queue. Runs inside the completion hook, so it copies what it needs while the transport's buffers still
/// hold the request.
/// </summary>
internal sealed class AccessLogger
{
    private readonly AccessLogWriter _writer;

    public AccessLogger(AccessLogWriter writer) => _writer = writer;

    public void Record(in ExchangeSummary s)
    {
        var d = s.Details;
        var now = DateTimeOffset.UtcNow;
        var durationTicks = s.EndTimestamp - s.StartTimestamp;
        var start = now - System.Diagnostics.Stopwatch.GetElapsedTime(s.StartTimestamp, s.EndTimestamp);
        long? upstreamMs = s.UpstreamStart != 0 && s.UpstreamEnd != 0
            ? (long)System.Diagnostics.Stopwatch.GetElapsedTime(s.UpstreamStart, s.UpstreamEnd).TotalMilliseconds : null;
        _writer.Enqueue(new AccessLogEntry
        {
            StartTime = start,
            Method = d?.Method ?? MethodLabels.Name(s.Method),
            Path = d?.Path,
            Protocol = d?.Protocol,
            ResponseCode = s.Status,
            ResponseFlags = Flags(s),
            BytesReceived = d?.BytesReceived ?? 0,
            BytesSent = d?.BytesSent ?? 0,
            DurationMs = (long)(durationTicks * 1000 / System.Diagnostics.Stopwatch.Frequency),
            UpstreamServiceTimeMs = upstreamMs,
            XForwardedFor = d?.RequestHeader("x-forwarded-for"),
            UserAgent = d?.RequestHeader("user-agent"),
            RequestId = d?.RequestHeader("x-request-id"),
            Authority = d?.Authority,
            UpstreamHost = d?.UpstreamHost,
            UpstreamCluster = s.Backend?.Id,
            RouteName = s.Match?.Plan.Name,
            DownstreamRemoteAddress = d?.RemoteAddress,
            RequestedServerName = d?.ServerName,
            TraceId = s.TraceId == default ? null : s.TraceId.ToHexString(),
        });
    }

    /// <summary>Envoy's response flags for what the summary says (NR no route, UH no healthy upstream, UF connect failure, ...).</summary>
    internal static string Flags(in ExchangeSummary s)
    {
        if (s.Match is null && s.Status is 404 or 421) return "NR";
        switch (s.Failure)
        {
            case UpstreamFailure.ConnectFailed when s.UpstreamStart == 0 || s.Backend is { HasEndpoints: false }:
                return "UH";
            case UpstreamFailure.ConnectFailed:
            case UpstreamFailure.ConnectTimeout:
                return "UF";
            case UpstreamFailure.Timeout:
            case UpstreamFailure.RequestTimeout:
                return "UT";
            case UpstreamFailure.ClosedBeforeAnswer:
                return "UC";
            case UpstreamFailure.BadResponse:
                return "UPE";
        }
        if (s.Aborted) return "DC";
        return "-";
    }
}
