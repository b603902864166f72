using System.Globalization;
using System.Text;

namespace Causeway.Translation.AccessLog;

/// <summary>The Envoy command operators Causeway's access log formatter knows.</summary>
public enum LogOperator
{
    /// <summary>Not an operator: the piece is literal text.</summary>
    Literal,
    StartTime,
    /// <summary><c>REQ(X?Y)</c>: a request header (or pseudo-header such as <c>:PATH</c>), else the alternative.</summary>
    Request,
    /// <summary><c>RESP(X)</c>: only <c>x-envoy-upstream-service-time</c> is known; other response headers are not kept.</summary>
    Response,
    Protocol,
    ResponseCode,
    ResponseFlags,
    ResponseCodeDetails,
    BytesReceived,
    BytesSent,
    Duration,
    UpstreamHost,
    UpstreamCluster,
    UpstreamLocalAddress,
    DownstreamRemoteAddress,
    DownstreamRemoteAddressWithoutPort,
    DownstreamLocalAddress,
    DownstreamLocalAddressWithoutPort,
    RequestedServerName,
    TlsJa3Fingerprint,
    TlsJa4Fingerprint,
    RouteName,
    TraceId,
    Hostname,
    /// <summary>Operators Envoy has that Causeway never has a value for (always <c>-</c>).</summary>
    Unavailable,
}

/// <summary>One piece of a compiled format: literal text, or an operator with its arguments.</summary>
public sealed record LogPiece
{
    public LogOperator Operator { get; init; }

    /// <summary>The literal text (<see cref="LogOperator.Literal"/>); the operator's name otherwise.</summary>
    public string Text { get; init; } = "";

    /// <summary>REQ/RESP: the header (lower case; <c>:method</c>, <c>:path</c>, <c>:authority</c>, <c>:scheme</c> pseudo-headers).</summary>
    public string? Header { get; init; }

    /// <summary>REQ(X?Y): the header used when the first is absent.</summary>
    public string? AltHeader { get; init; }

    /// <summary><c>%OP%:N</c>: the value is cut to N characters (0: not cut).</summary>
    public int MaxLength { get; init; }

    /// <summary>START_TIME(fmt): the strftime-style format (null: Envoy's default).</summary>
    public string? TimeFormat { get; init; }
}

/// <summary>
/// Parses Envoy access log format strings (<c>%START_TIME%</c>, <c>%REQ(X?:Y):N%</c>, <c>%%</c> ...) into pieces, once:
/// the translator to reject what is unknown, the data plane to build its formatter.
/// </summary>
public static class LogFormat
{
    /// <summary>Envoy's default text line (what a Text format without text gives).</summary>
    public const string DefaultText =
        "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% " +
        "%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" " +
        "\"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

    /// <summary>Envoy Gateway's default JSON fields (a JSON format without fields, or a setting without format).</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> DefaultJson =
    [
        new("start_time", "%START_TIME%"),
        new("method", "%REQ(:METHOD)%"),
        new("x-envoy-origin-path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"),
        new("protocol", "%PROTOCOL%"),
        new("response_code", "%RESPONSE_CODE%"),
        new("response_flags", "%RESPONSE_FLAGS%"),
        new("response_code_details", "%RESPONSE_CODE_DETAILS%"),
        new("connection_termination_details", "%CONNECTION_TERMINATION_DETAILS%"),
        new("upstream_transport_failure_reason", "%UPSTREAM_TRANSPORT_FAILURE_REASON%"),
        new("bytes_received", "%BYTES_RECEIVED%"),
        new("bytes_sent", "%BYTES_SENT%"),
        new("duration", "%DURATION%"),
        new("x-envoy-upstream-service-time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%"),
        new("x-forwarded-for", "%REQ(X-FORWARDED-FOR)%"),
        new("user-agent", "%REQ(USER-AGENT)%"),
        new("x-request-id", "%REQ(X-REQUEST-ID)%"),
        new(":authority", "%REQ(:AUTHORITY)%"),
        new("upstream_host", "%UPSTREAM_HOST%"),
        new("upstream_cluster", "%UPSTREAM_CLUSTER%"),
        new("upstream_local_address", "%UPSTREAM_LOCAL_ADDRESS%"),
        new("downstream_local_address", "%DOWNSTREAM_LOCAL_ADDRESS%"),
        new("downstream_remote_address", "%DOWNSTREAM_REMOTE_ADDRESS%"),
        new("requested_server_name", "%REQUESTED_SERVER_NAME%"),
        new("route_name", "%ROUTE_NAME%"),
    ];

    private static readonly Dictionary<string, LogOperator> Simple = new(StringComparer.Ordinal)
    {
        ["PROTOCOL"] = LogOperator.Protocol,
        ["RESPONSE_CODE"] = LogOperator.ResponseCode,
        ["RESPONSE_FLAGS"] = LogOperator.ResponseFlags,
        ["RESPONSE_CODE_DETAILS"] = LogOperator.ResponseCodeDetails,
        ["BYTES_RECEIVED"] = LogOperator.BytesReceived,
        ["BYTES_SENT"] = LogOperator.BytesSent,
        ["DURATION"] = LogOperator.Duration,
        ["UPSTREAM_HOST"] = LogOperator.UpstreamHost,
        ["UPSTREAM_CLUSTER"] = LogOperator.UpstreamCluster,
        ["UPSTREAM_LOCAL_ADDRESS"] = LogOperator.UpstreamLocalAddress,
        ["DOWNSTREAM_REMOTE_ADDRESS"] = LogOperator.DownstreamRemoteAddress,
        ["DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT"] = LogOperator.DownstreamRemoteAddressWithoutPort,
        ["DOWNSTREAM_LOCAL_ADDRESS"] = LogOperator.DownstreamLocalAddress,
        ["DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT"] = LogOperator.DownstreamLocalAddressWithoutPort,
        ["REQUESTED_SERVER_NAME"] = LogOperator.RequestedServerName,
        ["TLS_JA3_FINGERPRINT"] = LogOperator.TlsJa3Fingerprint,
        ["TLS_JA4_FINGERPRINT"] = LogOperator.TlsJa4Fingerprint,
        ["ROUTE_NAME"] = LogOperator.RouteName,
        ["TRACE_ID"] = LogOperator.TraceId,
        ["HOSTNAME"] = LogOperator.Hostname,
        ["CONNECTION_TERMINATION_DETAILS"] = LogOperator.Unavailable,
        ["UPSTREAM_TRANSPORT_FAILURE_REASON"] = LogOperator.Unavailable,
        ["DOWNSTREAM_TRANSPORT_FAILURE_REASON"] = LogOperator.Unavailable,
    };

    /// <summary>The pieces of <paramref name="format"/>, or the reason it cannot be served.</summary>
    public static bool TryParse(string format, out LogPiece[] pieces, out string? error)
    {
        var list = new List<LogPiece>();
        var literal = new StringBuilder();
        error = null;
        pieces = [];
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            if (c != '%')
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (i + 1 < format.Length && format[i + 1] == '%')
            {
                literal.Append('%');
                i += 2;
                continue;
            }
            // %NAME%, %NAME(args)%, either followed by :N before the closing %.
            var start = i + 1;
            var j = start;
            while (j < format.Length && (char.IsAsciiLetterUpper(format[j]) || char.IsAsciiDigit(format[j]) || format[j] == '_')) j++;
            var name = format[start..j];
            if (name.Length == 0)
            {
                error = $"'%' at offset {i} starts no command operator (write %% for a literal %)";
                return false;
            }
            string? args = null;
            if (j < format.Length && format[j] == '(')
            {
                var close = format.IndexOf(')', j + 1);
                if (close < 0)
                {
                    error = $"%{name}( has no closing parenthesis";
                    return false;
                }
                args = format[(j + 1)..close];
                j = close + 1;
            }
            var maxLength = 0;
            if (j < format.Length && format[j] == ':')
            {
                var k = j + 1;
                while (k < format.Length && char.IsAsciiDigit(format[k])) k++;
                if (k == j + 1 || !int.TryParse(format.AsSpan(j + 1, k - j - 1), NumberStyles.None, CultureInfo.InvariantCulture, out maxLength))
                {
                    error = $"%{name}%: the length after ':' is not a number";
                    return false;
                }
                j = k;
            }
            if (j >= format.Length || format[j] != '%')
            {
                error = $"%{name} is not closed by '%'";
                return false;
            }
            if (!TryOperator(name, args, maxLength, out var piece, out error)) return false;
            if (literal.Length > 0)
            {
                list.Add(new LogPiece { Operator = LogOperator.Literal, Text = literal.ToString() });
                literal.Clear();
            }
            list.Add(piece!);
            i = j + 1;
        }
        if (literal.Length > 0) list.Add(new LogPiece { Operator = LogOperator.Literal, Text = literal.ToString() });
        pieces = [.. list];
        return true;
    }

    private static bool TryOperator(string name, string? args, int maxLength, out LogPiece? piece, out string? error)
    {
        piece = null;
        error = null;
        switch (name)
        {
            case "START_TIME":
                if (args is not null && !StrfTime.IsValid(args, out var bad))
                {
                    error = $"%START_TIME({args})%: {bad}";
                    return false;
                }
                piece = new LogPiece { Operator = LogOperator.StartTime, Text = name, TimeFormat = string.IsNullOrEmpty(args) ? null : args, MaxLength = maxLength };
                return true;
            case "REQ" or "RESP":
                if (string.IsNullOrWhiteSpace(args))
                {
                    error = $"%{name}(...)% needs a header name";
                    return false;
                }
                var alt = args.IndexOf('?', StringComparison.Ordinal); // X?Y: Y when X is absent (Y may be a pseudo-header, :PATH)
                var header = (alt < 0 ? args : args[..alt]).Trim().ToLowerInvariant();
                var altHeader = alt < 0 ? null : args[(alt + 1)..].Trim().ToLowerInvariant();
                if (header.Length == 0 || altHeader is { Length: 0 })
                {
                    error = $"%{name}({args})%: a header name is empty";
                    return false;
                }
                piece = new LogPiece { Operator = name == "REQ" ? LogOperator.Request : LogOperator.Response, Text = name, Header = header, AltHeader = altHeader, MaxLength = maxLength };
                return true;
        }
        if (Simple.TryGetValue(name, out var op))
        {
            if (args is not null)
            {
                error = $"%{name}% takes no argument";
                return false;
            }
            piece = new LogPiece { Operator = op, Text = name, MaxLength = maxLength };
            return true;
        }
        error = $"%{name}% is not a command operator Causeway supports";
        return false;
    }

    /// <summary>The request headers the pieces read (lower case; pseudo-headers excluded).</summary>
    public static IEnumerable<string> RequestHeaders(IEnumerable<LogPiece> pieces)
    {
        foreach (var p in pieces)
        {
            if (p.Operator != LogOperator.Request) continue;
            if (p.Header is { } h && h[0] != ':') yield return h;
            if (p.AltHeader is { } a && a[0] != ':') yield return a;
        }
    }
}

/// <summary>The strftime specifiers START_TIME(...) accepts, applied to a UTC time.</summary>
public static class StrfTime
{
    public static bool IsValid(string format, out string? error)
    {
        error = null;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') continue;
            if (i + 1 >= format.Length)
            {
                error = "ends with '%'";
                return false;
            }
            var c = format[++i];
            if (c is >= '1' and <= '9' && i + 1 < format.Length && format[i + 1] == 'f')
            {
                i++;
                continue;
            }
            if ("YmdHMSsfzZjaAbBeTFy%".IndexOf(c) < 0)
            {
                error = $"%{c} is not a supported time specifier (%Y %m %d %H %M %S %s %f %3f %z %Z %T %F ...)";
                return false;
            }
        }
        return true;
    }

    public static void Append(StringBuilder sb, string format, DateTimeOffset t)
    {
        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i + 1 >= format.Length)
            {
                sb.Append(c);
                continue;
            }
            c = format[++i];
            switch (c)
            {
                case 'Y': sb.Append(t.Year.ToString("D4", inv)); break;
                case 'y': sb.Append((t.Year % 100).ToString("D2", inv)); break;
                case 'm': sb.Append(t.Month.ToString("D2", inv)); break;
                case 'd': sb.Append(t.Day.ToString("D2", inv)); break;
                case 'e': sb.Append(t.Day.ToString(inv).PadLeft(2)); break;
                case 'H': sb.Append(t.Hour.ToString("D2", inv)); break;
                case 'M': sb.Append(t.Minute.ToString("D2", inv)); break;
                case 'S': sb.Append(t.Second.ToString("D2", inv)); break;
                case 'j': sb.Append(t.DayOfYear.ToString("D3", inv)); break;
                case 's': sb.Append(t.ToUnixTimeSeconds().ToString(inv)); break;
                case 'z': sb.Append("+0000"); break;
                case 'Z': sb.Append("UTC"); break;
                case 'T': sb.Append(t.ToString("HH:mm:ss", inv)); break;
                case 'F': sb.Append(t.ToString("yyyy-MM-dd", inv)); break;
                case 'a': sb.Append(t.ToString("ddd", inv)); break;
                case 'A': sb.Append(t.ToString("dddd", inv)); break;
                case 'b': sb.Append(t.ToString("MMM", inv)); break;
                case 'B': sb.Append(t.ToString("MMMM", inv)); break;
                case 'f': sb.Append((t.Ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", inv)); break;
                case '%': sb.Append('%'); break;
                case >= '1' and <= '9' when i + 1 < format.Length && format[i + 1] == 'f':
                    var digits = c - '0';
                    i++;
                    var nanos = (t.Ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", inv);
                    sb.Append(digits <= 9 ? nanos[..digits] : nanos);
                    break;
                default: sb.Append('%').Append(c); break;
            }
        }
    }
}
