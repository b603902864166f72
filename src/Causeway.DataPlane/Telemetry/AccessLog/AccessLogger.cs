namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// Logs a completed exchange with the default log: the writer formats its line from the summary and the transport's
/// buffers (Envoy-style response flags included) inside the completion hook, while those buffers still hold the
/// request. <see cref="Build"/> makes the entry that custom logs (EnvoyProxy settings) and the text format read.
/// </summary>
internal sealed class AccessLogger
{
    private readonly AccessLogWriter _writer;

    public AccessLogger(AccessLogWriter writer) => _writer = writer;

    public void Record(in ExchangeSummary s) => _writer.Record(s);

    /// <summary>
    /// The entry of a completed exchange; with <paramref name="headerNames"/> (a Gateway's custom logs), those request
    /// headers are copied too.
    /// </summary>
    internal static AccessLogEntry Build(in ExchangeSummary s, string[]? headerNames) => Build(s, headerNames, DateTimeOffset.UtcNow);

    /// <summary>The entry, for an exchange that completed at <paramref name="now"/>.</summary>
    internal static AccessLogEntry Build(in ExchangeSummary s, string[]? headerNames, DateTimeOffset now)
    {
        var d = s.Details;
        var durationTicks = s.EndTimestamp - s.StartTimestamp;
        var start = now - System.Diagnostics.Stopwatch.GetElapsedTime(s.StartTimestamp, s.EndTimestamp);
        long? upstreamMs = s.UpstreamStart != 0 && s.UpstreamEnd != 0
            ? (long)System.Diagnostics.Stopwatch.GetElapsedTime(s.UpstreamStart, s.UpstreamEnd).TotalMilliseconds : null;
        string?[]? values = null;
        if (headerNames is { Length: > 0 } && d is not null)
        {
            values = new string?[headerNames.Length];
            for (var i = 0; i < headerNames.Length; i++) values[i] = d.RequestHeader(headerNames[i]);
        }
        return new AccessLogEntry
        {
            StartTime = start,
            Method = d?.Method ?? MethodLabels.Name(s.Method),
            Path = d?.Path,
            Protocol = d?.Protocol,
            ResponseCode = s.Status,
            ResponseFlags = Flags(s),
            ResponseCodeDetails = headerNames is null ? null : Details(s),
            BytesReceived = d?.BytesReceived ?? 0,
            BytesSent = d?.BytesSent ?? 0,
            DurationMs = (long)(durationTicks * 1000 / System.Diagnostics.Stopwatch.Frequency),
            UpstreamServiceTimeMs = upstreamMs,
            XForwardedFor = headerNames is null ? d?.RequestHeader("x-forwarded-for") : null,
            UserAgent = headerNames is null ? d?.RequestHeader("user-agent") : null,
            RequestId = headerNames is null ? d?.RequestHeader("x-request-id") : null,
            Authority = d?.Authority,
            UpstreamHost = d?.UpstreamHost,
            UpstreamCluster = s.Backend?.Id,
            RouteName = s.Match?.Plan.Name,
            DownstreamRemoteAddress = d?.RemoteAddress,
            DownstreamLocalAddress = headerNames is null ? null : d?.LocalAddress,
            RequestedServerName = d?.ServerName,
            TlsJa3 = headerNames is null ? null : d?.TlsJa3,
            TlsJa4 = headerNames is null ? null : d?.TlsJa4,
            TraceId = s.TraceId == default ? null : s.TraceId.ToHexString(),
            HeaderNames = headerNames,
            HeaderValues = values,
        };
    }

    /// <summary>Envoy's response code details for what the summary says (<c>via_upstream</c>, <c>route_not_found</c>, ...).</summary>
    internal static string Details(in ExchangeSummary s)
    {
        if (s.Match is null && s.Status is 404 or 421) return "route_not_found";
        switch (s.Failure)
        {
            case UpstreamFailure.ConnectFailed when s.UpstreamStart == 0 || s.Backend is { HasEndpoints: false }:
                return "no_healthy_upstream";
            case UpstreamFailure.ConnectFailed:
            case UpstreamFailure.ConnectTimeout:
                return "upstream_reset_before_response_started{connection_failure}";
            case UpstreamFailure.Timeout:
            case UpstreamFailure.RequestTimeout:
                return "upstream_response_timeout";
            case UpstreamFailure.ClosedBeforeAnswer:
                return "upstream_reset_before_response_started{connection_termination}";
            case UpstreamFailure.BadResponse:
                return "upstream_reset_before_response_started{protocol_error}";
            case UpstreamFailure.Overflow:
                return "upstream_reset_before_response_started{overflow}";
        }
        if (s.Aborted) return "downstream_remote_disconnect";
        return s.LocalReply ? "direct_response" : "via_upstream";
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
            case UpstreamFailure.Overflow:
                return "UO";
        }
        if (s.Aborted) return "DC";
        return "-";
    }
}
