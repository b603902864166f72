using Causeway.DataPlane;

namespace Causeway.Cli.Integration;

/// <summary>Data plane settings taken from the environment of `causeway run` and `causeway proxy`.</summary>
internal static class DataPlaneEnvironment
{
    /// <summary>
    /// CAUSEWAY_HTTP1_FASTPATH=0 (or false/off) disables the HTTP/1.1 fast path; CAUSEWAY_REQUEST_HEADERS_TIMEOUT=SECONDS
    /// sets how long a client may take to send a request head (default 30; a positive number, else the default is kept).
    /// </summary>
    public static DataPlaneOptions Options()
    {
        var fastPath = Environment.GetEnvironmentVariable("CAUSEWAY_HTTP1_FASTPATH")?.Trim();
        var disabled = fastPath is "0" || string.Equals(fastPath, "false", StringComparison.OrdinalIgnoreCase)
            || string.Equals(fastPath, "off", StringComparison.OrdinalIgnoreCase);
        var options = new DataPlaneOptions { Http1FastPath = !disabled };
        if (double.TryParse(Environment.GetEnvironmentVariable("CAUSEWAY_REQUEST_HEADERS_TIMEOUT"),
                System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 && seconds < 3600)
        {
            options = options with { RequestHeadersTimeout = TimeSpan.FromSeconds(seconds) };
        }
        return options;
    }
}
