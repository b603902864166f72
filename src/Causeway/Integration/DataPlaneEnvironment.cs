using Causeway.DataPlane;

namespace Causeway.Cli.Integration;

/// <summary>Data plane settings taken from the environment of `causeway run` and `causeway proxy`.</summary>
internal static class DataPlaneEnvironment
{
    /// <summary>
    /// CAUSEWAY_HTTP1_FASTPATH=0 (or false/off) disables the HTTP/1.1 fast path; CAUSEWAY_HTTP1_DIRECT_SEND=0 makes it
    /// write through the transport's pipes instead of sending on the sockets directly.
    /// </summary>
    public static DataPlaneOptions Options() => new()
    {
        Http1FastPath = !Disabled("CAUSEWAY_HTTP1_FASTPATH"),
        Http1DirectSend = !Disabled("CAUSEWAY_HTTP1_DIRECT_SEND"),
    };

    private static bool Disabled(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable)?.Trim();
        return value is "0" || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)
            || string.Equals(value, "off", StringComparison.OrdinalIgnoreCase);
    }
}
