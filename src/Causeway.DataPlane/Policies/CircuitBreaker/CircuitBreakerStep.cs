using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.CircuitBreaker;

/// <summary>
/// BackendTrafficPolicy <c>circuitBreaker</c>: at most <c>maxParallelRequests</c> requests of the rule in flight, and
/// no more than <c>maxConnections</c> (one per HTTP/1.1 exchange) plus <c>maxPendingRequests</c> (Causeway does not
/// queue: what Envoy would hold pending counts against that allowance). Beyond, the gateway answers 503 with
/// <c>x-envoy-overloaded: true</c>, as Envoy does. Decide-only, on every transport; the slot is released by the
/// completion hook through <see cref="RequestPolicyState.Complete"/>.
/// </summary>
internal sealed class CircuitBreakerStep : DecideStep
{
    private readonly CircuitBreakerIr _ir;
    private readonly CircuitBreakerGate _gate;

    public CircuitBreakerStep(CircuitBreakerIr ir, CircuitBreakerGate gate, RetryLimit retries)
    {
        _ir = ir;
        _gate = gate;
        Retries = retries;
    }

    /// <summary>The rule's retries in flight (<c>maxParallelRetries</c>, <c>retryBudget</c>), which the transports' retries ask.</summary>
    public RetryLimit Retries { get; }

    /// <summary>The in-flight allowance the settings give.</summary>
    public static long Limit(CircuitBreakerIr ir) => Math.Min(ir.MaxParallelRequests, ir.MaxConnections + ir.MaxPendingRequests);

    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports => TransportSet.All;

    public override bool UsesPolicyState => true;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (facts.Policy is not { } state) return StepVerdict.NeedsFullPipeline; // nowhere to hold the slot
        if (!_gate.TryEnter())
        {
            reply = OverflowReply();
            return StepVerdict.Reply;
        }
        state.Hold(_gate);
        return StepVerdict.Continue;
    }

    /// <summary>Envoy's circuit-breaker overflow answer: 503, <c>x-envoy-overloaded: true</c> (also a full endpoint's, <see cref="Upstream.UpstreamFailure.Overflow"/>).</summary>
    public static LocalReply OverflowReply()
    {
        var reply = new LocalReply(503) { Body = Overflow, ContentType = "text/plain" };
        reply.Headers.Add(new("x-envoy-overloaded", "true"));
        return reply;
    }

    private static readonly ReadOnlyMemory<byte> Overflow = System.Text.Encoding.ASCII.GetBytes("upstream connect error or disconnect/reset before headers. reset reason: overflow");

    public override string Describe() =>
        $"circuit-breaker in-flight<={_gate.Limit} (maxConnections={_ir.MaxConnections} maxPendingRequests={_ir.MaxPendingRequests} maxParallelRequests={_ir.MaxParallelRequests})"
        + (_ir.RetryBudget is not null || _ir.MaxParallelRetries != 1024 ? " " + Retries.Describe() : "");
}
