using System.Net;
using System.Net.Sockets;
using Causeway.Translation.Ir;
using Yarp.ReverseProxy.Forwarder;

namespace Causeway.DataPlane.Http;

/// <summary>
/// A backend as the hot path sees it: the shared connection pool (one <see cref="HttpMessageInvoker"/> per backend,
/// reused across applies), the ready endpoints as destination prefixes, and a round-robin cursor.
/// </summary>
internal sealed class BackendRuntime
{
    private readonly string[] _prefixes;
    private int _next = -1;

    public BackendRuntime(BackendIr ir, HttpMessageInvoker invoker)
    {
        Ir = ir;
        Invoker = invoker;
        // With backend TLS the connection is made by BackendTlsConnector (our SNI and verification) and handed to the
        // handler as an authenticated SslStream; the https scheme makes HTTP/2 send ":scheme: https", which a TLS
        // backend requires (Kestrel resets a stream whose :scheme does not match the transport).
        var scheme = ir.Tls is null ? "http://" : "https://";
        _prefixes = [.. ir.Endpoints.Select(e => scheme + FormatHost(e.Address) + ":" + e.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var h2 = ir.Protocol == BackendProtocol.H2c;
        RequestConfig = new ForwarderRequestConfig
        {
            Version = h2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = h2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
            ActivityTimeout = TimeSpan.FromMinutes(10),
        };
    }

    public BackendIr Ir { get; }
    public string Id => Ir.Id;
    public HttpMessageInvoker Invoker { get; }
    public ForwarderRequestConfig RequestConfig { get; }
    public bool HasEndpoints => _prefixes.Length > 0;
    public IReadOnlyList<string> Prefixes => _prefixes;

    /// <summary>The next endpoint (round robin) as a destination prefix such as <c>http://10.0.0.1:8080</c>.</summary>
    public string? NextPrefix()
    {
        var p = _prefixes;
        if (p.Length == 0) return null;
        if (p.Length == 1) return p[0];
        var i = (uint)Interlocked.Increment(ref _next) % (uint)p.Length;
        return p[i];
    }

    private static string FormatHost(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address;
}
