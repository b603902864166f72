using System.Text;

namespace Causeway.DataPlane.Filters;

/// <summary>
/// A rule answered with a fixed status and no backend: 500 when none of its backendRefs resolves, or an Envoy Gateway
/// HTTPRouteFilter <c>directResponse</c> (status, body, content type). Decide-only, so every transport runs it,
/// including the HTTP/1.1 event loop without hand-off.
/// </summary>
internal sealed class DirectResponseStep : DecideStep
{
    private readonly int _status;
    private readonly ReadOnlyMemory<byte> _body;
    private readonly string? _contentType;

    public DirectResponseStep(int status) => _status = status;

    public DirectResponseStep(int status, string? body, string? contentType)
    {
        _status = status;
        _body = body is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(body);
        _contentType = body is null ? contentType : contentType ?? "text/plain";
    }

    private readonly bool _grpc;

    /// <summary>A GRPCRoute rule none of whose backendRefs resolves: gRPC UNAVAILABLE (GRPCRoute CRD <c>backendRefs</c>).</summary>
    public static DirectResponseStep GrpcUnavailable() => new(500, grpc: true);

    private DirectResponseStep(int status, bool grpc)
    {
        _status = status;
        _grpc = grpc;
    }

    public override StepStage Stage => StepStage.RouteFilters;

    public override TransportSet Transports => TransportSet.All;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        if (_grpc)
        {
            reply = LocalReply.Grpc(LocalReply.GrpcUnavailable, "no valid backend for this rule");
            return StepVerdict.Reply;
        }
        // A fresh reply when it carries a body: response steps may add headers to it (the empty one is shared).
        reply = _body.IsEmpty && _contentType is null ? LocalReply.Empty(_status) : new LocalReply(_status) { Body = _body, ContentType = _contentType };
        return StepVerdict.Reply;
    }

    public override string Describe() => _grpc ? "direct-response grpc-status 14 (UNAVAILABLE)" : _body.IsEmpty && _contentType is null
        ? $"direct-response {_status}"
        : $"direct-response {_status} {_contentType} ({_body.Length} bytes)";
}
