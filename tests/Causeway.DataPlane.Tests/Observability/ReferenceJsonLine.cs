using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Causeway.DataPlane.Telemetry.AccessLog;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// The default JSON access log line as the writer formatted it with <see cref="Utf8JsonWriter"/> until 2026-12-07 (its
/// code, kept verbatim): the oracle that <see cref="DefaultJsonLine"/> must match byte for byte, and what the access log
/// benchmark measures as the old cost (bench/Causeway.Benchmarks links this file).
/// </summary>
internal static class ReferenceJsonLine
{
    public static byte[] Format(AccessLogEntry e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        WriteJson(json, buffer, e);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One line into <paramref name="buffer"/> through <paramref name="w"/> (reset onto it).</summary>
    public static void WriteJson(Utf8JsonWriter w, ArrayBufferWriter<byte> buffer, AccessLogEntry e)
    {
        w.Reset(buffer);
        w.WriteStartObject();
        w.WriteString("start_time", e.StartTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Str(w, "method", e.Method);
        Str(w, "x-envoy-origin-path", e.Path);
        Str(w, "protocol", e.Protocol);
        w.WriteNumber("response_code", e.ResponseCode);
        w.WriteString("response_flags", e.ResponseFlags);
        w.WriteNumber("bytes_received", e.BytesReceived);
        w.WriteNumber("bytes_sent", e.BytesSent);
        w.WriteNumber("duration", e.DurationMs);
        if (e.UpstreamServiceTimeMs is { } t) w.WriteString("x-envoy-upstream-service-time", t.ToString(CultureInfo.InvariantCulture));
        else w.WriteNull("x-envoy-upstream-service-time");
        Str(w, "x-forwarded-for", e.XForwardedFor);
        Str(w, "user-agent", e.UserAgent);
        Str(w, "x-request-id", e.RequestId);
        Str(w, ":authority", e.Authority);
        Str(w, "upstream_host", e.UpstreamHost);
        Str(w, "upstream_cluster", e.UpstreamCluster);
        Str(w, "downstream_remote_address", e.DownstreamRemoteAddress);
        Str(w, "requested_server_name", e.RequestedServerName);
        Str(w, "route_name", e.RouteName);
        Str(w, "trace_id", e.TraceId);
        w.WriteEndObject();
        w.Flush();
        buffer.Write("\n"u8);

        static void Str(Utf8JsonWriter w, string name, string? value)
        {
            if (value is null) w.WriteNull(name);
            else w.WriteString(name, value);
        }
    }
}
