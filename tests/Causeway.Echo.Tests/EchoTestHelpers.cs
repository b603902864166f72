using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Causeway.Echo.Tests;

internal static class EchoTestHelpers
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    public static EchoOptions HttpOptions(ConcurrentQueue<string>? log = null, TestCertificates? certs = null, bool clientCa = false) => new()
    {
        BindAddress = IPAddress.Loopback,
        Mode = EchoMode.Http,
        PodName = "infra-backend-v1-7d9c5b7f6d-2xkqg",
        Namespace = "gateway-conformance-infra",
        ServiceName = "infra-backend-v1",
        IngressName = "ing",
        HttpPort = 0,
        H2cPort = 0,
        HttpsPort = 0,
        TlsServerCert = certs?.ServerCertPath,
        TlsServerKey = certs?.ServerKeyPath,
        TlsClientCaCerts = clientCa ? certs?.CaPath : null,
        Log = log is null ? _ => { } : log.Enqueue,
    };

    public static HttpClient Client(Version? version = null, X509Certificate2? clientCert = null, string? sni = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = TestTimeout,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ClientCertificates = clientCert is null ? null : [clientCert],
            },
            ConnectCallback = async (context, ct) =>
            {
                // every host name resolves to the loopback echo instance, so SNI / Host can be anything
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { Timeout = TestTimeout };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string[] HeaderValues(JsonElement echo, string name) =>
        echo.GetProperty("headers").TryGetProperty(name, out var values)
            ? [.. values.EnumerateArray().Select(v => v.GetString()!)]
            : [];
}
