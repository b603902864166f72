namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// What one route rule does to a request, as an ordered list of steps built once per apply, and the transports that
/// may serve it: the intersection of what every step (the rule's and each target's) declares. Every transport runs
/// the same plan: request-side decisions in order (<see cref="Decide"/>), then one target's request steps, the
/// upstream exchange, and the target's response steps. A transport that is not in <see cref="Transports"/> hands
/// the request on; no eligibility list exists anywhere else.
/// </summary>
internal sealed class RoutePlan
{
    public RoutePlan(string name, PipelineStep[] ruleSteps, PlanTarget[] targets, int totalWeight, ResponseStep[] ruleResponseSteps,
        EndpointBalancer?[]? balancers = null)
    {
        _balancers = balancers;
        Name = name;
        NameUtf8 = System.Text.Encoding.UTF8.GetBytes(name);
        Steps = StepOrder.Sort(ruleSteps);
        Targets = targets;
        TotalWeight = totalWeight;
        Decisions = [.. Steps.OfType<DecideStep>()];
        ResponseSteps = ruleResponseSteps;
        var transports = TransportSet.All;
        foreach (var s in Steps) transports &= s.Transports;
        foreach (var t in targets) transports &= t.Transports;
        if ((transports & TransportSet.Kestrel) == 0)
            throw new InvalidOperationException($"{name}: every step must be served by the Kestrel pipeline");
        Transports = transports;
        UsesPolicyState = Steps.Any(s => s.UsesPolicyState);
        RecomputesRoute = Steps.Any(s => s is Policies.ExtAuth.RecomputeRouteStep);
        RequestBufferLimit = Steps.OfType<Policies.RequestBuffer.RequestBufferStep>().FirstOrDefault()?.Limit;
    }

    /// <summary>The rule's <c>requestBuffer</c> limit: a streaming transport must receive the whole body first (null: none).</summary>
    public long? RequestBufferLimit { get; }

    private readonly EndpointBalancer?[]? _balancers;

    /// <summary>A GRPCRoute rule: an invalid backendRef's share is answered gRPC UNAVAILABLE instead of HTTP 500.</summary>
    public bool Grpc { get; init; }

    /// <summary>
    /// The rule's own endpoint choice for target <paramref name="target"/> (a BackendTrafficPolicy's load balancer and
    /// passive health), or null: the backend's shared round robin (<see cref="BackendRuntime.NextIndex"/>).
    /// </summary>
    public EndpointBalancer? Balancer(int target) => _balancers is { } b && (uint)target < (uint)b.Length ? b[target] : null;

    /// <summary>
    /// The endpoint of target <paramref name="target"/>'s backend this request goes to (-1: none): the rule's balancer
    /// when it has one (which has <paramref name="state"/> hold it), else the backend's round robin.
    /// </summary>
    public int NextEndpoint<TRequest>(int target, BackendRuntime backend, in TRequest request, RequestPolicyState? state, out string? setCookie)
        where TRequest : struct, IRequestView
    {
        if (Balancer(target) is { } balancer) return balancer.Pick(request, state, out setCookie);
        setCookie = null;
        return backend.NextIndex();
    }

    /// <summary>Whether a step needs the exchange's <see cref="RequestPolicyState"/> (transports then pass it in the facts).</summary>
    public bool UsesPolicyState { get; }

    /// <summary>The route is chosen again after the decisions, with the headers they set (ext auth <c>recomputeRoute</c>; Kestrel).</summary>
    public bool RecomputesRoute { get; }

    /// <summary>The rule, <c>httproute/ns/name/rule/N</c>.</summary>
    public string Name { get; }

    /// <summary><see cref="Name"/> as UTF-8, made once per apply for the access log.</summary>
    public byte[] NameUtf8 { get; }

    /// <summary>The rule's own steps in pipeline order (targets have theirs).</summary>
    public PipelineStep[] Steps { get; }

    public DecideStep[] Decisions { get; }

    /// <summary>Response steps for replies made before a target is chosen (rule header edits, CORS).</summary>
    public ResponseStep[] ResponseSteps { get; }

    public PlanTarget[] Targets { get; }
    public int TotalWeight { get; }

    public TransportSet Transports { get; }

    public bool Allows(TransportSet transport) => (Transports & transport) != 0;

    /// <summary>
    /// Runs the request-side decisions in order: <see cref="StepVerdict.Continue"/> when the request goes on upstream,
    /// else the first step's reply (response steps already applied), its call for the full pipeline, or
    /// <see cref="StepVerdict.Pending"/>: an <see cref="AsyncDecideStep"/> left its task in the facts' policy state;
    /// the transport awaits it and calls <see cref="Resume{TRequest}"/>.
    /// </summary>
    public StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply) where TRequest : struct, IRequestView =>
        DecideFrom(0, request, facts, out reply);

    /// <summary>
    /// Goes on after a pending decision finished with <paramref name="outcome"/>: its reply (response steps applied),
    /// or the decisions after it, exactly as <see cref="Decide{TRequest}"/> would have.
    /// </summary>
    public StepVerdict Resume<TRequest>(DecideOutcome outcome, in TRequest request, in RequestFacts facts, out LocalReply? reply)
        where TRequest : struct, IRequestView
    {
        var state = facts.Policy!;
        var next = state.PendingStep + 1;
        state.PendingStep = -1;
        if (outcome.Verdict == StepVerdict.Reply)
        {
            reply = Finish(outcome.Reply!, ResponseSteps, request);
            return StepVerdict.Reply;
        }
        return DecideFrom(next, request, facts, out reply);
    }

    private StepVerdict DecideFrom<TRequest>(int first, in TRequest request, in RequestFacts facts, out LocalReply? reply) where TRequest : struct, IRequestView
    {
        var decisions = Decisions;
        for (var i = first; i < decisions.Length; i++)
        {
            var verdict = decisions[i].Decide(request, facts, out reply);
            if (verdict == StepVerdict.Continue) continue;
            if (verdict == StepVerdict.Reply) reply = Finish(reply!, ResponseSteps, request);
            else if (verdict == StepVerdict.Pending) facts.Policy!.PendingStep = i;
            return verdict;
        }
        reply = null;
        return StepVerdict.Continue;
    }

    /// <summary>A target-level redirect (or 500 for an invalid backendRef) answered instead of forwarding; null to forward.</summary>
    public StepVerdict DecideTarget<TRequest>(PlanTarget target, in TRequest request, in RequestFacts facts, out LocalReply? reply)
        where TRequest : struct, IRequestView
    {
        if (target.RedirectStep is { } redirect)
        {
            var verdict = redirect.Decide(request, facts, out reply);
            if (verdict == StepVerdict.Reply) reply = Finish(reply!, target.ResponseSteps, request);
            return verdict;
        }
        if (target.Backend is null)
        {
            reply = Grpc ? LocalReply.Grpc(LocalReply.GrpcUnavailable, "no valid backend for this share of the rule") : LocalReply.Empty(500);
            return StepVerdict.Reply;
        }
        reply = null;
        return StepVerdict.Continue;
    }

    private static LocalReply Finish<TRequest>(LocalReply reply, ResponseStep[] steps, in TRequest request) where TRequest : struct, IRequestView
    {
        if (reply.Final || steps.Length == 0) return reply;
        reply = reply.Editable();
        var editor = reply.Editor();
        foreach (var s in steps) s.Apply(request, ref editor);
        return reply;
    }

    /// <summary>Weighted choice; -1 when the rule has no positive weight.</summary>
    public int PickTarget()
    {
        var targets = Targets;
        if (targets.Length == 0) return -1;
        if (targets.Length == 1) return 0;
        var r = Random.Shared.Next(TotalWeight);
        for (var i = 0; i < targets.Length; i++)
            if (r < targets[i].CumulativeWeight) return i;
        return targets.Length - 1;
    }
}
