namespace Causeway.DataPlane.Pipeline;

/// <summary>What a decision that waited on another service concluded.</summary>
/// <param name="Verdict"><see cref="StepVerdict.Continue"/> or <see cref="StepVerdict.Reply"/>.</param>
/// <param name="Reply">The answer for <see cref="StepVerdict.Reply"/>.</param>
internal readonly record struct DecideOutcome(StepVerdict Verdict, LocalReply? Reply)
{
    public static DecideOutcome Continue => new(StepVerdict.Continue, null);

    public static DecideOutcome Answer(LocalReply reply) => new(StepVerdict.Reply, reply);
}

/// <summary>
/// A decision that may wait on another service (an external authorization server, Redis for global rate limits, an
/// OpenID provider's token endpoint). <see cref="Start"/> runs synchronously on the transport's thread and reads
/// from the request everything it needs (the view is not valid once it returns), then either decides at once or
/// returns an unfinished <see cref="ValueTask{TResult}"/>. The transport waits without blocking a thread — the event
/// loop parks the connection and resumes it on its own thread, the Kestrel paths await — and then runs the plan's
/// remaining decisions (<see cref="RoutePlan.Resume"/>). The task must finish on its own within the step's timeout
/// (a step fails open or closed itself; it never throws). Headers for the backend go through
/// <see cref="RequestPolicyState.SetRequestHeader"/>; the state is not touched by the task after it completes.
/// </summary>
internal abstract class AsyncDecideStep : DecideStep
{
    /// <summary>The transports that can park a request on a pending decision (see <see cref="RoutePlan.Decide{TRequest}"/>).</summary>
    public sealed override TransportSet Transports => TransportSet.All;

    public sealed override bool UsesPolicyState => true;

    public sealed override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        if (NeedsFullPipeline(request))
        {
            reply = null;
            return StepVerdict.NeedsFullPipeline;
        }
        DecideOutcome outcome;
        try
        {
            var pending = Start(request, facts);
            if (!pending.IsCompleted)
            {
                facts.Policy!.Pending = Guarded(pending);
                reply = null;
                return StepVerdict.Pending;
            }
            outcome = pending.Result;
        }
        catch (Exception)
        {
            outcome = Failed;
        }
        reply = outcome.Reply;
        return outcome.Verdict;
    }

    /// <summary>A step that broke its promise not to throw answers 500 (the transports never see the exception).</summary>
    private static readonly DecideOutcome Failed = DecideOutcome.Answer(LocalReply.Empty(500));

    private static async ValueTask<DecideOutcome> Guarded(ValueTask<DecideOutcome> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return Failed;
        }
    }

    /// <summary>
    /// Whether this transport's view cannot give the step what it reads (a byte transport meeting an escaped path that
    /// the step's conditions look at): the request is then decided again by the full pipeline, before anything starts.
    /// </summary>
    protected virtual bool NeedsFullPipeline<TRequest>(in TRequest request) where TRequest : struct, IRequestView => false;

    /// <summary>
    /// Starts the decision for this request: a completed result when it needs no I/O (a cached answer, a request the
    /// step does not apply to), else the unfinished task. <paramref name="facts"/>' policy state is never null here.
    /// </summary>
    public abstract ValueTask<DecideOutcome> Start<TRequest>(in TRequest request, in RequestFacts facts) where TRequest : struct, IRequestView;
}
