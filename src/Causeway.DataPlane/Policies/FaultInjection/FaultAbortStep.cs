using System.Globalization;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.FaultInjection;

/// <summary>
/// BackendTrafficPolicy <c>faultInjection.abort</c>: for the configured percentage of requests, the gateway answers
/// with the HTTP status (body <c>fault filter abort</c>, as Envoy) or, for gRPC, a trailers-only answer with
/// <c>grpc-status</c>. Decide-only, on every transport.
/// </summary>
internal sealed class FaultAbortStep : DecideStep
{
    private static readonly ReadOnlyMemory<byte> Body = Encoding.ASCII.GetBytes("fault filter abort");

    private readonly FaultAbortIr _ir;

    public FaultAbortStep(FaultAbortIr ir) => _ir = ir;

    public override StepStage Stage => StepStage.FaultInjection;

    public override TransportSet Transports => TransportSet.All;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (!FaultChance.Hit(_ir.Percentage)) return StepVerdict.Continue;
        if (_ir.HttpStatus is { } status)
        {
            reply = new LocalReply(status) { Body = Body, ContentType = "text/plain" };
            return StepVerdict.Reply;
        }
        reply = new LocalReply(200) { ContentType = "application/grpc" };
        reply.Headers.Add(new("grpc-status", _ir.GrpcStatus!.Value.ToString(CultureInfo.InvariantCulture)));
        reply.Headers.Add(new("grpc-message", "fault filter abort"));
        return StepVerdict.Reply;
    }

    public override string Describe() =>
        $"fault-abort {(_ir.HttpStatus is { } s ? s.ToString(CultureInfo.InvariantCulture) : "grpc-status=" + _ir.GrpcStatus)} {_ir.Percentage.ToString(CultureInfo.InvariantCulture)}%";
}
