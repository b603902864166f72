using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Causeway.Translation.AccessLog;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// A custom access log format compiled once per apply: literal pieces and Envoy command operators, written as a
/// text line or as a JSON object (a field that is one operator alone keeps its type: numbers for codes, bytes and
/// durations, null when there is no value, as Envoy does; a field mixing text gives a string). Runs in the completion
/// hook, into the writer's pending batch (<see cref="AccessLogWriter"/>), or on the OTLP exporter's side.
/// </summary>
internal sealed class LineFormatter
{
    private static readonly string Host = Environment.MachineName;
    private readonly LogPiece[]? _text;
    private readonly (JsonEncodedText Name, string Plain, LogPiece[] Pieces)[] _json;

    private LineFormatter(LogPiece[]? text, (JsonEncodedText, string, LogPiece[])[] json)
    {
        _text = text;
        _json = json;
    }

    public bool IsText => _text is not null;

    /// <summary>Every piece (to know which request headers to copy).</summary>
    public IEnumerable<LogPiece> Pieces => _text ?? _json.SelectMany(f => f.Pieces);

    /// <summary>The setting's format; null when it does not parse (the translator reported it).</summary>
    public static LineFormatter? Compile(AccessLogSettingIr ir)
    {
        if (ir.Format == AccessLogFormatType.Text)
            return LogFormat.TryParse(ir.Text ?? LogFormat.DefaultText, out var pieces, out _) ? new LineFormatter(pieces, []) : null;
        var fields = new List<(JsonEncodedText, string, LogPiece[])>();
        foreach (var f in ir.Json)
        {
            if (!LogFormat.TryParse(f.Format, out var pieces, out _)) return null;
            fields.Add((JsonEncodedText.Encode(f.Name), f.Name, pieces));
        }
        return new LineFormatter(null, [.. fields]);
    }

    /// <summary>One line (newline-terminated) for <paramref name="e"/>.</summary>
    public void Write(LogBuffer buffer, Utf8JsonWriter json, AccessLogEntry e)
    {
        if (_text is not null)
        {
            var line = Text(e);
            buffer.Utf8(line);
            if (line.Length == 0 || line[^1] != '\n') buffer.Raw("\n"u8);
            return;
        }
        json.Reset(buffer);
        json.WriteStartObject();
        foreach (var (name, _, pieces) in _json)
        {
            json.WritePropertyName(name);
            WriteValue(json, pieces, e);
        }
        json.WriteEndObject();
        json.Flush();
        buffer.Raw("\n"u8);
    }

    /// <summary>The text line (Text formats) without its trailing newline; the OTLP record's body.</summary>
    public string Text(AccessLogEntry e)
    {
        var sb = new StringBuilder(256);
        foreach (var p in _text ?? []) Append(sb, p, e);
        return sb.ToString();
    }

    public string TextBody(AccessLogEntry e) => Text(e).TrimEnd('\n');

    /// <summary>The JSON fields as typed attributes (an OTLP record's attributes); nulls are left out.</summary>
    public List<KeyValuePair<string, object?>> Attributes(AccessLogEntry e)
    {
        var list = new List<KeyValuePair<string, object?>>(_json.Length);
        foreach (var (_, name, pieces) in _json)
        {
            var value = Typed(pieces, e);
            if (value is not null) list.Add(new(name, value));
        }
        return list;
    }

    private static void WriteValue(Utf8JsonWriter w, LogPiece[] pieces, AccessLogEntry e)
    {
        if (pieces.Length == 1)
        {
            switch (pieces[0].Operator) // the numbers of Typed, without boxing them
            {
                case LogOperator.ResponseCode: w.WriteNumberValue((long)e.ResponseCode); return;
                case LogOperator.BytesReceived: w.WriteNumberValue(e.BytesReceived); return;
                case LogOperator.BytesSent: w.WriteNumberValue(e.BytesSent); return;
                case LogOperator.Duration: w.WriteNumberValue(e.DurationMs); return;
            }
        }
        switch (Typed(pieces, e))
        {
            case null: w.WriteNullValue(); break;
            case long n: w.WriteNumberValue(n); break;
            case string s: w.WriteStringValue(s); break;
        }
    }

    /// <summary>A field's value: a number or null for one operator alone (as Envoy's JSON format), else a string.</summary>
    private static object? Typed(LogPiece[] pieces, AccessLogEntry e)
    {
        if (pieces.Length == 1 && pieces[0].Operator != LogOperator.Literal)
        {
            var p = pieces[0];
            switch (p.Operator)
            {
                case LogOperator.ResponseCode: return (long)e.ResponseCode;
                case LogOperator.BytesReceived: return e.BytesReceived;
                case LogOperator.BytesSent: return e.BytesSent;
                case LogOperator.Duration: return e.DurationMs;
            }
            return Cut(Value(p, e), p.MaxLength);
        }
        var sb = new StringBuilder();
        foreach (var p in pieces) Append(sb, p, e);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, LogPiece p, AccessLogEntry e)
    {
        if (p.Operator == LogOperator.Literal)
        {
            sb.Append(p.Text);
            return;
        }
        if (p.Operator == LogOperator.StartTime && p.TimeFormat is { } tf && p.MaxLength == 0)
        {
            StrfTime.Append(sb, tf, e.StartTime);
            return;
        }
        sb.Append(Cut(Value(p, e), p.MaxLength) ?? "-");
    }

    private static string? Cut(string? value, int max) => value is not null && max > 0 && value.Length > max ? value[..max] : value;

    private static string? Value(LogPiece p, AccessLogEntry e)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (p.Operator)
        {
            case LogOperator.StartTime:
                if (p.TimeFormat is { } tf)
                {
                    var sb = new StringBuilder();
                    StrfTime.Append(sb, tf, e.StartTime);
                    return sb.ToString();
                }
                return e.StartTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", inv);
            case LogOperator.Request: return e.RequestHeader(p.Header!) ?? (p.AltHeader is { } alt ? e.RequestHeader(alt) : null);
            case LogOperator.Response:
                return p.Header == "x-envoy-upstream-service-time" ? e.UpstreamServiceTimeMs?.ToString(inv) : null;
            case LogOperator.Protocol: return e.Protocol;
            case LogOperator.ResponseCode: return e.ResponseCode.ToString(inv);
            case LogOperator.ResponseFlags: return e.ResponseFlags;
            case LogOperator.ResponseCodeDetails: return e.ResponseCodeDetails;
            case LogOperator.BytesReceived: return e.BytesReceived.ToString(inv);
            case LogOperator.BytesSent: return e.BytesSent.ToString(inv);
            case LogOperator.Duration: return e.DurationMs.ToString(inv);
            case LogOperator.UpstreamHost: return e.UpstreamHost;
            case LogOperator.UpstreamCluster: return e.UpstreamCluster;
            case LogOperator.DownstreamRemoteAddress: return e.DownstreamRemoteAddress;
            case LogOperator.DownstreamRemoteAddressWithoutPort: return WithoutPort(e.DownstreamRemoteAddress);
            case LogOperator.DownstreamLocalAddress: return e.DownstreamLocalAddress;
            case LogOperator.DownstreamLocalAddressWithoutPort: return WithoutPort(e.DownstreamLocalAddress);
            case LogOperator.RequestedServerName: return e.RequestedServerName;
            case LogOperator.TlsJa3Fingerprint: return e.TlsJa3;
            case LogOperator.TlsJa4Fingerprint: return e.TlsJa4;
            case LogOperator.RouteName: return e.RouteName;
            case LogOperator.TraceId: return e.TraceId;
            case LogOperator.Hostname: return Host;
            default: return null; // UPSTREAM_LOCAL_ADDRESS and the failure reasons: Causeway has no value
        }
    }

    private static string? WithoutPort(string? address)
    {
        if (address is null) return null;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? address[1..close] : address;
        }
        var colon = address.LastIndexOf(':');
        return colon > 0 && address.IndexOf(':', StringComparison.Ordinal) == colon ? address[..colon] : address;
    }
}
