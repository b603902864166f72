using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>RequestRedirect: answered by the gateway with the Location the filter describes.</summary>
internal sealed class RedirectStep : DecideStep
{
    private readonly RedirectIr _redirect;

    public RedirectStep(RedirectIr redirect) => _redirect = redirect;

    public override StepStage Stage => StepStage.RouteFilters;

    public override TransportSet Transports => TransportSet.All;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (request.DecodedPath is not { } path) return StepVerdict.NeedsFullPipeline;
        reply = new LocalReply(_redirect.StatusCode);
        reply.Headers.Add(new("Location",
            RedirectBuilder.Location(_redirect, facts.Scheme, request.Host, path, request.Query, facts.MatchedPrefix, facts.ListenerPort)));
        return StepVerdict.Reply;
    }

    public override string Describe() =>
        $"redirect {_redirect.StatusCode}{(_redirect.Scheme is { } s ? " scheme=" + s : "")}{(_redirect.Hostname is { } h ? " host=" + h : "")}"
        + $"{(_redirect.Port is { } p ? " port=" + p : "")}{(_redirect.Path is { } m ? $" path {m.Kind}={m.Value}" : "")}";
}
