using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.Echo.Tls;
using global::Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Causeway.Echo.Grpc;

/// <summary>echo-basic's gRPC service: Echo and EchoTwo report what arrived; EchoThree stays UNIMPLEMENTED (base class).</summary>
internal sealed class GrpcEchoService(EchoOptions options) : GrpcEcho.GrpcEchoBase
{
    /// <summary>Headers grpc-go keeps out of the incoming metadata (besides pseudo-headers other than :authority).</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "te", "grpc-timeout", "grpc-encoding", "grpc-message-type", "grpc-message", "grpc-status",
        "grpc-status-details-bin", "connection",
    };

    public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(request, context));

    public override Task<EchoResponse> EchoTwo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(request, context));

    private EchoResponse Reply(EchoRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var authority = http.Request.Headers.Host.ToString();
        var assertions = new Assertions
        {
            FullyQualifiedMethod = context.Method,
            Authority = authority,
            Context = new Context
            {
                Namespace = options.Namespace,
                Ingress = options.IngressName,
                ServiceName = options.ServiceName,
                Pod = options.PodName,
            },
        };
        assertions.Headers.Add(new Header { Key = ":authority", Value = authority });
        foreach (var (name, values) in http.Request.Headers)
        {
            if (name.StartsWith(':') || name.Equals("Host", StringComparison.OrdinalIgnoreCase) || Reserved.Contains(name))
            {
                continue;
            }

            var key = name.ToLowerInvariant();
            foreach (var value in values)
            {
                assertions.Headers.Add(new Header { Key = key, Value = DecodeMetadata(key, value ?? "") });
            }
        }

        if (http.Request.IsHttps)
        {
            assertions.TlsAssertions = TlsAssertions(http);
        }

        return new EchoResponse { Assertions = assertions, Request = request };
    }

    /// <summary>grpc-go base64-decodes "-bin" metadata before handing it to the handler.</summary>
    private static string DecodeMetadata(string key, string value)
    {
        if (!key.EndsWith("-bin", StringComparison.Ordinal))
        {
            return value;
        }

        var padded = value.PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '=');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException)
        {
            return value;
        }
    }

    private static TLSAssertions TlsAssertions(HttpContext http)
    {
        var handshake = http.Features.Get<ITlsHandshakeFeature>();
        var alpn = http.Features.Get<ITlsApplicationProtocolFeature>();
        var tls = new TLSAssertions
        {
            Version = handshake is null ? "" : TlsNames.Version(handshake.Protocol),
            NegotiatedProtocol = alpn is null ? "" : TlsNames.Alpn(alpn.ApplicationProtocol.Span),
            ServerName = handshake?.HostName ?? "",
            CipherSuite = handshake?.NegotiatedCipherSuite is { } suite ? TlsNames.CipherSuite(suite) : "",
        };
        if (http.Connection.ClientCertificate is X509Certificate2 cert)
        {
            tls.PeerCertificates.Add(TlsNames.Pem(cert));
        }

        return tls;
    }
}
