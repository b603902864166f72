using System.Net;
using System.Net.Sockets;
using Causeway.Translation.Ir;
using Yarp.ReverseProxy.Forwarder;

namespace Causeway.DataPlane.Upstream;

/// <summary>
/// A backend as the hot path sees it: the shared connection pool (one <see cref="HttpMessageInvoker"/> per backend,
/// reused across applies), the ready endpoints as destination prefixes, and a round-robin cursor.
/// </summary>
internal sealed class BackendRuntime
{
    private readonly string[] _prefixes;
    private int _next = -1;

    public BackendRuntime(BackendIr ir, HttpMessageInvoker invoker, TimeSpan activityTimeout)
    {
        Ir = ir;
        IdUtf8 = System.Text.Encoding.UTF8.GetBytes(ir.Id);
        Invoker = invoker;
        // With backend TLS the connection is made by BackendTlsConnector (our SNI and verification) and handed to the
        // handler as an authenticated SslStream; the https scheme makes HTTP/2 send ":scheme: https", which a TLS
        // backend requires (Kestrel resets a stream whose :scheme does not match the transport).
        var scheme = ir.Tls is null ? "http://" : "https://";
        _prefixes = [.. ir.Endpoints.Select((e, i) => e.Kind == EndpointKind.Unix
            ? scheme + UnixSockets.Host(i) // the invoker's ConnectCallback maps this name to the socket path
            : scheme + FormatHost(e.Address) + ":" + e.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var h2 = ir.Protocol == BackendProtocol.H2c;
        RequestConfig = new ForwarderRequestConfig
        {
            Version = h2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = h2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
            ActivityTimeout = activityTimeout,
        };
    }

    public BackendIr Ir { get; }

    /// <summary>Where exchanges with this backend are counted (kept across applies by backend id).</summary>
    public BackendStats Stats { get; set; } = new("");
    public string Id => Ir.Id;

    /// <summary><see cref="Id"/> as UTF-8, made once per apply for the access log.</summary>
    public byte[] IdUtf8 { get; }
    public HttpMessageInvoker Invoker { get; }
    public ForwarderRequestConfig RequestConfig { get; }

    private ForwarderRequestConfig? _asHttp2, _asHttp11;

    /// <summary>
    /// BackendTrafficPolicy <c>useClientProtocol</c>: this backend's settings asking in the client's HTTP version —
    /// HTTP/2 (prior knowledge in cleartext, ALPN with TLS) for an HTTP/2 client, HTTP/1.1 otherwise.
    /// </summary>
    public ForwarderRequestConfig ClientProtocolConfig(bool http2) => http2
        ? _asHttp2 ??= RequestConfig with
        {
            Version = HttpVersion.Version20,
            VersionPolicy = Ir.Tls is null ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
        }
        : _asHttp11 ??= RequestConfig with { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
    public bool HasEndpoints => _prefixes.Length > 0;
    public IReadOnlyList<string> Prefixes => _prefixes;

    /// <summary>The next endpoint (round robin) as a destination prefix such as <c>http://10.0.0.1:8080</c>.</summary>
    public string? NextPrefix()
    {
        var i = NextIndex();
        return i < 0 ? null : _prefixes[i];
    }

    /// <summary>The next endpoint's index (round robin, shared with <see cref="NextPrefix"/>); -1 when there is none.</summary>
    public int NextIndex()
    {
        var n = _prefixes.Length;
        if (n <= 1) return n - 1;
        return (int)((uint)Interlocked.Increment(ref _next) % (uint)n);
    }

    /// <summary>
    /// The HTTP/1.1 fast path's connection pools, one per endpoint (same order as the endpoints); null when the
    /// backend is not plain-text HTTP/1.1 or the fast path is off.
    /// </summary>
    public Http1EndpointPool[]? FastEndpoints { get; init; }

    private static string FormatHost(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address;
}
