using System.Net;
using Causeway.Conformance.Harness.Corpus;
using Grpc.Core;
using Grpc.Net.Client;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>Unary gRPC calls to the echo service over plaintext HTTP/2 (h2c), like upstream's client.</summary>
public static class GrpcExecutor
{
    public const string DefaultService = "gateway_api_conformance.echo_basic.grpcecho.GrpcEcho";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static async Task<Observation> CallAsync(RequestSpec spec, Target target, IReadOnlyList<KeyValuePair<string, string>> extraMetadata, CancellationToken ct)
    {
        var service = spec.GrpcService ?? DefaultService;
        var method = new Method<byte[], byte[]>(MethodType.Unary, service, spec.Method, Bytes, Bytes);
        using var handler = new AuthorityHandler(spec.Authority)
        {
            InnerHandler = new SocketsHttpHandler { ConnectTimeout = HttpExecutor.RequestTimeout, UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero },
        };
        using var channel = GrpcChannel.ForAddress($"http://{target.Authority(80)}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = false,
            Credentials = ChannelCredentials.Insecure,
        });
        var metadata = new Metadata();
        foreach (var (k, v) in spec.Metadata.Concat(extraMetadata)) metadata.Add(k.ToLowerInvariant(), v);
        try
        {
            var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null,
                new CallOptions(metadata, DateTime.UtcNow.Add(HttpExecutor.RequestTimeout), ct), []);
            var bytes = await call.ResponseAsync;
            return new Observation { GrpcCode = "OK", Echo = ProtoReader.DecodeEchoResponse(bytes) };
        }
        catch (RpcException e)
        {
            return new Observation { GrpcCode = CodeName(e.StatusCode), Body = e.Status.Detail };
        }
        catch (FormatException e)
        {
            return new Observation { GrpcCode = "OK", TransportError = "undecodable EchoResponse: " + e.Message };
        }
    }

    /// <summary>Go's codes.Code.String() spelling.</summary>
    public static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.DeadlineExceeded => "DeadlineExceeded",
        StatusCode.Unimplemented => "Unimplemented",
        _ => code.ToString(),
    };

    /// <summary>Overrides :authority (HTTP/2 takes it from the Host header).</summary>
    private sealed class AuthorityHandler(string? authority) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (authority is not null) request.Headers.Host = authority;
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
