namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// Envoy Gateway's default JSON access log line, formatted straight to UTF-8: from a completed exchange (the hot path:
/// the transport writes its request bytes and cached address text, nothing is made per request) or from an
/// <see cref="AccessLogEntry"/> (L4 connections). Both write the same fields in the same order, byte for byte what
/// <see cref="System.Text.Json.Utf8JsonWriter"/> wrote for them before.
/// </summary>
internal static class DefaultJsonLine
{
    /// <summary>The line (newline-terminated) of a completed exchange; <paramref name="now"/> is when it completed.</summary>
    public static void Write(LogBuffer w, in ExchangeSummary s, DateTimeOffset now)
    {
        var d = s.Details;
        w.Raw("{\"start_time\":"u8);
        w.Timestamp(now - System.Diagnostics.Stopwatch.GetElapsedTime(s.StartTimestamp, s.EndTimestamp));
        w.Raw(",\"method\":"u8);
        if (d is not null) d.WriteLogValue(w, LogValue.Method);
        else w.String(MethodLabels.Name(s.Method));
        w.Raw(",\"x-envoy-origin-path\":"u8);
        Value(w, d, LogValue.Path);
        w.Raw(",\"protocol\":"u8);
        Value(w, d, LogValue.Protocol);
        w.Raw(",\"response_code\":"u8);
        w.Number(s.Status);
        w.Raw(",\"response_flags\":"u8);
        w.String(AccessLogger.Flags(s));
        w.Raw(",\"bytes_received\":"u8);
        w.Number(d?.BytesReceived ?? 0);
        w.Raw(",\"bytes_sent\":"u8);
        w.Number(d?.BytesSent ?? 0);
        w.Raw(",\"duration\":"u8);
        w.Number((s.EndTimestamp - s.StartTimestamp) * 1000 / System.Diagnostics.Stopwatch.Frequency);
        w.Raw(",\"x-envoy-upstream-service-time\":"u8);
        if (s.UpstreamStart != 0 && s.UpstreamEnd != 0)
        {
            w.Byte((byte)'"');
            w.Number((long)System.Diagnostics.Stopwatch.GetElapsedTime(s.UpstreamStart, s.UpstreamEnd).TotalMilliseconds);
            w.Byte((byte)'"');
        }
        else w.Null();
        w.Raw(",\"x-forwarded-for\":"u8);
        Value(w, d, LogValue.ForwardedFor);
        w.Raw(",\"user-agent\":"u8);
        Value(w, d, LogValue.UserAgent);
        w.Raw(",\"x-request-id\":"u8);
        Value(w, d, LogValue.RequestId);
        w.Raw(",\":authority\":"u8);
        Value(w, d, LogValue.Authority);
        w.Raw(",\"upstream_host\":"u8);
        Value(w, d, LogValue.UpstreamHost);
        w.Raw(",\"upstream_cluster\":"u8);
        if (s.Backend is { } backend) w.String(backend.IdUtf8);
        else w.Null();
        w.Raw(",\"downstream_remote_address\":"u8);
        Value(w, d, LogValue.RemoteAddress);
        w.Raw(",\"requested_server_name\":"u8);
        Value(w, d, LogValue.ServerName);
        w.Raw(",\"route_name\":"u8);
        if (s.Match is { } match) w.String(match.Plan.NameUtf8);
        else w.Null();
        w.Raw(",\"trace_id\":"u8);
        if (s.TraceId == default) w.Null();
        else w.String(s.TraceId.ToHexString());
        w.Raw("}\n"u8);

        static void Value(LogBuffer w, IExchangeDetails? d, LogValue value)
        {
            if (d is null) w.Null();
            else d.WriteLogValue(w, value);
        }
    }

    /// <summary>The line (newline-terminated) of an entry.</summary>
    public static void Write(LogBuffer w, AccessLogEntry e)
    {
        w.Raw("{\"start_time\":"u8);
        w.Timestamp(e.StartTime);
        w.Raw(",\"method\":"u8);
        w.String(e.Method);
        w.Raw(",\"x-envoy-origin-path\":"u8);
        w.String(e.Path);
        w.Raw(",\"protocol\":"u8);
        w.String(e.Protocol);
        w.Raw(",\"response_code\":"u8);
        w.Number(e.ResponseCode);
        w.Raw(",\"response_flags\":"u8);
        w.String(e.ResponseFlags);
        w.Raw(",\"bytes_received\":"u8);
        w.Number(e.BytesReceived);
        w.Raw(",\"bytes_sent\":"u8);
        w.Number(e.BytesSent);
        w.Raw(",\"duration\":"u8);
        w.Number(e.DurationMs);
        w.Raw(",\"x-envoy-upstream-service-time\":"u8);
        if (e.UpstreamServiceTimeMs is { } t)
        {
            w.Byte((byte)'"');
            w.Number(t);
            w.Byte((byte)'"');
        }
        else w.Null();
        w.Raw(",\"x-forwarded-for\":"u8);
        w.String(e.XForwardedFor);
        w.Raw(",\"user-agent\":"u8);
        w.String(e.UserAgent);
        w.Raw(",\"x-request-id\":"u8);
        w.String(e.RequestId);
        w.Raw(",\":authority\":"u8);
        w.String(e.Authority);
        w.Raw(",\"upstream_host\":"u8);
        w.String(e.UpstreamHost);
        w.Raw(",\"upstream_cluster\":"u8);
        w.String(e.UpstreamCluster);
        w.Raw(",\"downstream_remote_address\":"u8);
        w.String(e.DownstreamRemoteAddress);
        w.Raw(",\"requested_server_name\":"u8);
        w.String(e.RequestedServerName);
        w.Raw(",\"route_name\":"u8);
        w.String(e.RouteName);
        w.Raw(",\"trace_id\":"u8);
        w.String(e.TraceId);
        w.Raw("}\n"u8);
    }
}
