using Causeway.DataPlane;

namespace Causeway.Cli.Integration;

/// <summary>Data plane settings taken from the environment of `causeway run` and `causeway proxy`.</summary>
internal static class DataPlaneEnvironment
{
    /// <summary>CAUSEWAY_HTTP1_FASTPATH=0 (or false/off) disables the HTTP/1.1 fast path.</summary>
    public static DataPlaneOptions Options()
    {
        var fastPath = Environment.GetEnvironmentVariable("CAUSEWAY_HTTP1_FASTPATH")?.Trim();
        var disabled = fastPath is "0" || string.Equals(fastPath, "false", StringComparison.OrdinalIgnoreCase)
            || string.Equals(fastPath, "off", StringComparison.OrdinalIgnoreCase);
        return new DataPlaneOptions { Http1FastPath = !disabled };
    }
}
