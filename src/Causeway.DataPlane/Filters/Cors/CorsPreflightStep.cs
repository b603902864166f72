namespace Causeway.DataPlane.Filters.Cors;

/// <summary>Answers CORS preflights (OPTIONS with Origin and Access-Control-Request-Method) without a backend.</summary>
internal sealed class CorsPreflightStep : DecideStep
{
    private readonly CorsPolicy _policy;

    public CorsPreflightStep(CorsPolicy policy) => _policy = policy;

    public override StepStage Stage => StepStage.Cors;

    public override TransportSet Transports => TransportSet.All;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        if (!CorsPolicy.IsPreflight(request))
        {
            reply = null;
            return StepVerdict.Continue;
        }
        reply = _policy.Preflight(request);
        return StepVerdict.Reply;
    }

    public override string Describe() => $"cors-preflight origins=[{string.Join(",", _policy.Ir.AllowOrigins)}]";
}
