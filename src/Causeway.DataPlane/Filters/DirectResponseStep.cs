namespace Causeway.DataPlane.Filters;

/// <summary>A rule answered with a fixed status and no backend (e.g. 500 when none of its backendRefs resolves).</summary>
internal sealed class DirectResponseStep : DecideStep
{
    private readonly int _status;

    public DirectResponseStep(int status) => _status = status;

    public override StepStage Stage => StepStage.RouteFilters;

    public override TransportSet Transports => TransportSet.All;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = LocalReply.Empty(_status);
        return StepVerdict.Reply;
    }

    public override string Describe() => $"direct-response {_status}";
}
