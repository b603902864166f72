using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Causeway.Echo;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Backends, manifest edits and clients shared by the end-to-end tests.</summary>
public static class E2e
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>An HTTP echo backend on ADDR:3000 whose log lines (one per request) are collected.</summary>
    public static async Task<(EchoServer Server, ConcurrentQueue<string> Log)> StartHttpEchoAsync(string address, string pod = "pod")
    {
        var log = new ConcurrentQueue<string>();
        var server = await EchoServer.StartAsync(new EchoOptions
        {
            BindAddress = IPAddress.Parse(address), HttpPort = 3000, H2cPort = 0, HttpsPort = 0, PodName = pod, Log = log.Enqueue,
        });
        return (server, log);
    }

    public static Task<EchoServer> StartTcpEchoAsync(string address, int port = 3000) =>
        EchoServer.StartAsync(new EchoOptions { BindAddress = IPAddress.Parse(address), Mode = EchoMode.Tcp, TcpPort = port, TlsPort = 0, Log = _ => { } });

    public static Task<EchoServer> StartUdpEchoAsync(string address, int port = 3000) =>
        EchoServer.StartAsync(new EchoOptions { BindAddress = IPAddress.Parse(address), Mode = EchoMode.Udp, UdpPort = port, Log = _ => { } });

    /// <summary>In <paramref name="file"/>, points the EndpointSlice named <paramref name="slice"/> at <paramref name="address"/>.</summary>
    public static void RetargetSlice(string dir, string file, string slice, string address)
    {
        var path = Path.Combine(dir, file);
        var docs = File.ReadAllText(path).Split("\n---\n");
        var found = false;
        for (var i = 0; i < docs.Length; i++)
        {
            if (!docs[i].Contains("kind: EndpointSlice", StringComparison.Ordinal) || !docs[i].Contains($"name: {slice}\n", StringComparison.Ordinal)) continue;
            docs[i] = docs[i].Replace("- 127.0.0.1", "- " + address, StringComparison.Ordinal);
            found = true;
        }
        Assert.True(found, $"EndpointSlice {slice} not in {file}");
        File.WriteAllText(path, string.Join("\n---\n", docs));
    }

    /// <summary>An HttpClient whose connections go to <paramref name="gateway"/> whatever the URL's host (like curl --resolve).</summary>
    public static HttpClient Client(IPAddress gateway, Action<X509Certificate2>? serverCertificate = null, X509Certificate2? trust = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            ConnectCallback = async (ctx, ct) =>
            {
                var socket = new Socket(gateway.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(gateway, ctx.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    if (cert is null) return false;
                    var c = new X509Certificate2(cert);
                    serverCertificate?.Invoke(c);
                    return trust is null || c.Thumbprint == trust.Thumbprint;
                },
            },
        };
        return new HttpClient(handler) { Timeout = Timeout };
    }

    /// <summary>The certificate in a kubernetes.io/tls Secret manifest (base64 <c>tls.crt</c>).</summary>
    public static X509Certificate2 SecretCertificate(string path)
    {
        var line = File.ReadAllLines(path).Single(l => l.TrimStart().StartsWith("tls.crt:", StringComparison.Ordinal));
        var pem = Encoding.UTF8.GetString(Convert.FromBase64String(line.Split(':', 2)[1].Trim()));
        return X509Certificate2.CreateFromPem(pem);
    }

    public static string SecretYaml(string name, string ns, string certPem, string keyPem) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
          namespace: {ns}
        type: kubernetes.io/tls
        data:
          tls.crt: {Convert.ToBase64String(Encoding.UTF8.GetBytes(certPem))}
          tls.key: {Convert.ToBase64String(Encoding.UTF8.GetBytes(keyPem))}

        """;

    /// <summary>Header values the echo backend reported (case-insensitive name).</summary>
    public static string[] EchoHeader(JsonNode echo, string name) =>
        echo["headers"]!.AsObject().Where(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase))
            .SelectMany(kv => kv.Value!.AsArray().Select(v => (string)v!)).ToArray();

    public static async Task<JsonNode> GetEchoAsync(HttpClient client, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (n, v) in headers) request.Headers.TryAddWithoutValidation(n, v);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Polls <paramref name="check"/> until true or <paramref name="within"/> passes; returns the time it took.</summary>
    public static async Task<TimeSpan> EventuallyAsync(Func<Task<bool>> check, TimeSpan within, string what)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await check()) return sw.Elapsed;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or SocketException or AuthenticationException)
            {
            }
            if (sw.Elapsed > within) throw new TimeoutException($"{what}: not seen within {within}");
            await Task.Delay(20);
        }
    }

    /// <summary>A raw TCP connection to the gateway (for hand-written HTTP).</summary>
    public static async Task<(Socket Socket, NetworkStream Stream)> ConnectAsync(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10000, SendTimeout = 10000 };
        using var cts = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(new IPEndPoint(address, port), cts.Token);
        return (socket, new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>Reads until the peer closes or <paramref name="within"/> passes (then returns what came).</summary>
    public static async Task<string> ReadAllAsync(Stream stream, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var buffer = new byte[16384];
        var sb = new StringBuilder();
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) sb.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
        return sb.ToString();
    }
}
