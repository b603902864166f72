namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// A step that decides nothing and exists to keep its rule on the Kestrel pipeline, where the behaviour it names is
/// implemented (reading a body before deciding, routing again after authentication): the byte transports hand such
/// rules on, and <see cref="PlanPrinter"/> shows why.
/// </summary>
internal abstract class KestrelOnlyMarkerStep : DecideStep
{
    public sealed override TransportSet Transports => TransportSet.Kestrel;

    public sealed override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        return StepVerdict.Continue;
    }
}
