using Causeway.DataPlane;

namespace Causeway.Cli.Integration;

/// <summary>Data plane settings taken from the environment of `causeway run` and `causeway proxy`.</summary>
internal static class DataPlaneEnvironment
{
    /// <summary>
    /// CAUSEWAY_HTTP1_FASTPATH=0 (or false/off) disables the HTTP/1.1 fast path; CAUSEWAY_HTTP1_EVENT_LOOP=0 serves
    /// cleartext ports with Kestrel's socket transport instead of the fast path's event loops; CAUSEWAY_HTTP1_DIRECT_SEND=0
    /// makes the Kestrel-side fast path write through the transport's pipes instead of sending on the sockets directly; CAUSEWAY_REQUEST_HEADERS_TIMEOUT=SECONDS
    /// sets how long a client may take to send a request head (default 30; a positive number, else the default is kept).
    /// </summary>
    public static DataPlaneOptions Options()
    {
        var options = new DataPlaneOptions
        {
            Http1FastPath = !Disabled("CAUSEWAY_HTTP1_FASTPATH"),
            Http1DirectSend = !Disabled("CAUSEWAY_HTTP1_DIRECT_SEND"),
            Http1EventLoop = !Disabled("CAUSEWAY_HTTP1_EVENT_LOOP"),
            LoopTls = !Disabled("CAUSEWAY_LOOP_TLS"),
            LoopHttp2 = !Disabled("CAUSEWAY_LOOP_H2"),
            Http2DirectUpstream = !Disabled("CAUSEWAY_H2_DIRECT"),
        };
        if (double.TryParse(Environment.GetEnvironmentVariable("CAUSEWAY_REQUEST_HEADERS_TIMEOUT"),
                System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 && seconds < 3600)
        {
            options = options with { RequestHeadersTimeout = TimeSpan.FromSeconds(seconds) };
        }
        return options;
    }

    private static bool Disabled(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable)?.Trim();
        return value is "0" || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)
            || string.Equals(value, "off", StringComparison.OrdinalIgnoreCase);
    }
}
