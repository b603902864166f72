using System.Net.Sockets;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>The address a request is sent to.</summary>
public sealed record Target(string Address, int Port)
{
    public string Authority(int defaultPort) =>
        (Address.Contains(':') ? $"[{Address}]" : Address) + (Port == defaultPort ? "" : $":{Port}");
}

/// <summary>HTTP/1.1, H2C prior knowledge and HTTP/2 over TLS requests, one fresh connection per request (like upstream).</summary>
public static class HttpExecutor
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public static async Task<Observation> SendAsync(RequestSpec spec, string path, Target target, ICertificateSource certs, CancellationToken ct)
    {
        var https = spec.Scheme == "https";
        var defaultPort = https ? 443 : 80;
        // SocketsHttpHandler takes the SNI from the Host header. When a case sends an SNI different from its Host
        // (misdirected-request cases), TLS is done in ConnectCallback instead and HTTP/1.1 goes over that stream, so
        // the SNI is exactly spec.Sni (h2 then carries :scheme http over that TLS stream, which the gateway accepts).
        // Otherwise the handler does TLS itself, as upstream's client does.
        var ownTls = https && spec.Sni is not null && spec.Host is not null
            && !string.Equals(spec.Sni, spec.Host, StringComparison.OrdinalIgnoreCase);
        var address = target.Address.Contains(':') ? $"[{target.Address}]" : target.Address;
        var uri = new Uri($"{(https && !ownTls ? "https" : "http")}://{address}:{target.Port}{path}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var clientCertRequested = false;
        var notes = new StringBuilder();
        string? tlsError = null;
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = RequestTimeout,
            PooledConnectionLifetime = TimeSpan.Zero,
        };
        if (https)
        {
            var roots = spec.CaCert is null ? null : TlsTrust.Roots(certs, spec.CaCert);
            var serverName = spec.Sni ?? spec.Host ?? target.Address;
            X509Certificate2? clientCert = spec.ClientCert is null ? null : TlsTrust.ClientCertificate(certs, spec.ClientCert);
            var sslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = IPAddress.TryParse(serverName, out _) ? "" : serverName,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = spec.Protocol == "H2" ? [SslApplicationProtocol.Http2] : [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = TlsTrust.Validator(roots, serverName, e => tlsError = e),
                // .NET first asks before the handshake (remote == null): answering null there defers the choice to
                // the server's CertificateRequest, which is how we learn that the gateway asked for a certificate.
                LocalCertificateSelectionCallback = (_, _, _, remote, issuers) =>
                {
                    notes.Append($"[select remote={remote is not null} issuers={issuers.Length}]");
                    if (remote is null) return null!;
                    clientCertRequested = true;
                    return clientCert!;
                },
            };
            if (!ownTls) handler.SslOptions = sslOptions;
            else handler.ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                    await tls.AuthenticateAsClientAsync(sslOptions, token);
                    return tls;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        using var client = new HttpClient(handler) { Timeout = RequestTimeout };
        using var request = new HttpRequestMessage(new HttpMethod(spec.Method), uri);
        request.Version = spec.Protocol is "H2C_PRIOR_KNOWLEDGE" or "H2" ? HttpVersion.Version20 : HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        request.Headers.Host = spec.Host ?? target.Authority(defaultPort);
        foreach (var (name, value) in spec.Headers)
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        request.Headers.TryAddWithoutValidation("X-Echo-Set-Header", string.Join(",", spec.BackendSetResponseHeaders.Select(kv => $"{kv.Key}:{kv.Value}")));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var headers = new List<KeyValuePair<string, IReadOnlyList<string>>>();
            foreach (var h in response.Headers) headers.Add(new(h.Key, [.. h.Value]));
            foreach (var h in response.Content.Headers) headers.Add(new(h.Key, [.. h.Value]));
            var contentType = response.Content.Headers.TryGetValues("Content-Type", out var ctValues) ? string.Join(",", ctValues) : null;
            return new Observation
            {
                Status = (int)response.StatusCode,
                Protocol = $"HTTP/{response.Version}",
                Headers = headers,
                ContentType = contentType,
                Body = body,
                Echo = IsJson(contentType) ? EchoResponse.ParseHttp(body) : null,
                ClientCertificateRequested = clientCertRequested,
                TlsNotes = notes.ToString(),
            };
        }
        catch (HttpRequestException e)
        {
            return Failure(e, tlsError, clientCertRequested);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Observation { TransportError = $"timeout after {RequestTimeout.TotalSeconds:0}s" };
        }
        catch (IOException e)
        {
            return Failure(e, tlsError, clientCertRequested);
        }
    }

    /// <summary>upstream only parses the body when Content-Type is exactly application/json.</summary>
    public static bool IsJson(string? contentType) =>
        contentType is not null && string.Equals(contentType.Trim(), "application/json", StringComparison.OrdinalIgnoreCase);

    private static Observation Failure(Exception e, string? tlsError, bool requested)
    {
        var message = new StringBuilder(e.Message);
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException) message.Append(" <- ").Append(inner.Message);
        var handshake = e.InnerException is AuthenticationException || e is AuthenticationException
            || e.ToString().Contains("SSL", StringComparison.OrdinalIgnoreCase);
        return new Observation
        {
            TransportError = tlsError is null ? message.ToString() : $"{tlsError} ({message})",
            HandshakeFailed = handshake,
            CertificateRejected = tlsError is not null,
            ClientCertificateRequested = requested,
        };
    }

    /// <summary>Joins repeated header lines the way the suite compares them.</summary>
    public static string Joined(IReadOnlyList<string> values) => string.Join(",", values);

    internal static MediaTypeHeaderValue? Media(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var m) ? m : null;
}
