using System.Globalization;
using System.Net;

namespace Causeway.Echo;

/// <summary>
/// Configuration of one echo instance ("pod"). Mirrors the environment variables of the upstream
/// echo-basic image (ECHO.md section 1) plus the bind address and log sink needed by an in-process harness.
/// </summary>
public sealed record EchoOptions
{
    /// <summary>Address every listener binds to; each pod instance gets its own loopback address.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    public EchoMode Mode { get; init; } = EchoMode.Http;

    /// <summary><c>POD_NAME</c>.</summary>
    public string PodName { get; init; } = "";

    /// <summary><c>NAMESPACE</c>.</summary>
    public string Namespace { get; init; } = "";

    /// <summary><c>SERVICE_NAME</c>.</summary>
    public string ServiceName { get; init; } = "";

    /// <summary><c>INGRESS_NAME</c>.</summary>
    public string IngressName { get; init; } = "";

    /// <summary><c>HTTP_PORT</c> (HTTP and gRPC modes). 0 binds an ephemeral port.</summary>
    public int HttpPort { get; init; } = 3000;

    /// <summary><c>H2C_PORT</c> (HTTP mode).</summary>
    public int H2cPort { get; init; } = 3001;

    /// <summary><c>HTTPS_PORT</c> (HTTP and gRPC modes).</summary>
    public int HttpsPort { get; init; } = 8443;

    /// <summary><c>TCP_PORT</c> (TCP mode).</summary>
    public int TcpPort { get; init; } = 3000;

    /// <summary><c>TLS_PORT</c> (TCP mode).</summary>
    public int TlsPort { get; init; } = 8443;

    /// <summary><c>UDP_PORT</c> (UDP mode).</summary>
    public int UdpPort { get; init; } = 8080;

    /// <summary><c>TLS_SERVER_CERT</c>: PEM certificate (chain) file.</summary>
    public string? TlsServerCert { get; init; }

    /// <summary>
    /// PEM private key file: <c>TLS_SERVER_PRIVKEY</c> in HTTP mode, <c>TLS_SERVER_PRIV_KEY</c> in gRPC/TCP modes
    /// (<see cref="FromEnvironment"/> picks the spelling of the selected mode). TLS listeners start only when
    /// both this and <see cref="TlsServerCert"/> are set.
    /// </summary>
    public string? TlsServerKey { get; init; }

    /// <summary><c>TLS_CLIENT_CACERTS</c> (HTTP mode): PEM CA bundle; client certificates are requested and verified if given.</summary>
    public string? TlsClientCaCerts { get; init; }

    /// <summary>Sink for the stdout lines (the mirror log line). Null writes to <see cref="Console.Out"/>.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Reads the ECHO.md variables; empty or missing values fall back to the upstream defaults.</summary>
    public static EchoOptions FromEnvironment(IReadOnlyDictionary<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        string Get(string name) => env.TryGetValue(name, out var v) && v is not null ? v : "";

        var mode = Get("GRPC_ECHO_SERVER").Length > 0 ? EchoMode.Grpc
            : Get("TCP_ECHO_SERVER").Length > 0 ? EchoMode.Tcp
            : Get("UDP_ECHO_SERVER").Length > 0 ? EchoMode.Udp
            : EchoMode.Http;

        int Port(string name, int fallback)
        {
            var raw = Get(name);
            if (raw.Length == 0)
            {
                return fallback;
            }

            if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                throw new FormatException($"{name}={raw} is not a valid port");
            }

            return port;
        }

        static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

        return new EchoOptions
        {
            Mode = mode,
            PodName = Get("POD_NAME"),
            Namespace = Get("NAMESPACE"),
            ServiceName = Get("SERVICE_NAME"),
            IngressName = Get("INGRESS_NAME"),
            HttpPort = Port("HTTP_PORT", 3000),
            H2cPort = Port("H2C_PORT", 3001),
            HttpsPort = Port("HTTPS_PORT", 8443),
            TcpPort = Port("TCP_PORT", 3000),
            TlsPort = Port("TLS_PORT", 8443),
            UdpPort = Port("UDP_PORT", 8080),
            TlsServerCert = NullIfEmpty(Get("TLS_SERVER_CERT")),
            TlsServerKey = NullIfEmpty(mode == EchoMode.Http ? Get("TLS_SERVER_PRIVKEY") : Get("TLS_SERVER_PRIV_KEY")),
            TlsClientCaCerts = mode == EchoMode.Http ? NullIfEmpty(Get("TLS_CLIENT_CACERTS")) : null,
        };
    }

    internal bool HasServerCertificate => !string.IsNullOrEmpty(TlsServerCert) && !string.IsNullOrEmpty(TlsServerKey);

    internal Action<string> LogSink => Log ?? Console.Out.WriteLine;
}
