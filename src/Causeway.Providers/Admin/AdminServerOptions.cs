using System.Net;

namespace Causeway.Providers.Admin;

public sealed record AdminServerOptions
{
    public const string DefaultAddress = "127.0.0.1:19000";

    /// <summary>Where the admin API listens (port 0 picks a free port).</summary>
    public IPEndPoint Address { get; init; } = IPEndPoint.Parse(DefaultAddress);

    /// <summary>Errors of the latest file load (shown in /status; a failing /status makes no sense, so this must not throw).</summary>
    public Func<IReadOnlyList<string>> LoadErrors { get; init; } = () => [];

    /// <summary>Parses <c>HOST:PORT</c> (<c>127.0.0.1:19000</c>, <c>[::1]:0</c>, <c>localhost:19000</c>).</summary>
    public static IPEndPoint ParseAddress(string value)
    {
        if (value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
            value = "127.0.0.1" + value["localhost".Length..];
        if (IPEndPoint.TryParse(value, out var endpoint) && value.Contains(':')) return endpoint;
        throw new FormatException($"admin address \"{value}\": expected IP:PORT such as {DefaultAddress}");
    }
}
