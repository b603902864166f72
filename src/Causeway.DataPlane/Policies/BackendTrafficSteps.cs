using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies;

/// <summary>
/// The steps a rule's effective BackendTrafficPolicy adds to its plan (fault injection, local rate limit, circuit
/// breaker; its retry and timeouts are already the rule's own settings), with their state found again in the
/// <see cref="StateStore"/> under what defines it: the gateway, the policy, the rule (unless shared) and the settings.
/// </summary>
internal static class BackendTrafficSteps
{
    public static void Add(BackendTrafficPolicyIr policy, string ruleName, CompileShare? share, List<PipelineStep> steps)
    {
        if (policy.UseClientProtocol) steps.Add(UseClientProtocolStep.Instance);
        if (policy.FaultDelay is { } delay) steps.Add(new FaultDelayStep(delay));
        if (policy.FaultAbort is { } abort) steps.Add(new FaultAbortStep(abort));
        if (policy.ResponseOverrides.Count > 0) steps.Add(new ResponseOverride.ResponseOverrideStep(policy.ResponseOverrides));
        if (policy.Compression is { } compression) steps.Add(new Compression.CompressionStep(compression));
        if (policy.RequestBufferLimit is { } bufferLimit) steps.Add(new RequestBuffer.RequestBufferStep(bufferLimit));
        if (policy.BandwidthLimit is { } bandwidth)
        {
            // One bucket per direction for the rule (Envoy Gateway: each route its own limit, not shared across routes).
            var request = bandwidth.Request is { } q ? State(share, $"bandwidth|request|{policy.Policy}|{ruleName}|{q.Bytes}/{q.UnitSeconds}",
                () => new Bandwidth.BandwidthBucket(q.Bytes, q.UnitSeconds)) : null;
            var response = bandwidth.Response is { } r ? State(share, $"bandwidth|response|{policy.Policy}|{ruleName}|{r.Bytes}/{r.UnitSeconds}",
                () => new Bandwidth.BandwidthBucket(r.Bytes, r.UnitSeconds)) : null;
            steps.Add(new Bandwidth.BandwidthLimitStep(bandwidth, request, response));
        }
        if (policy.LocalRateLimit is { Rules.Count: > 0 } limit)
        {
            var rules = limit.Rules.Select(r => new RateLimitRule(r, State(share,
                $"ratelimit|{policy.Policy}|{r.Index}|{(r.Shared ? "*" : ruleName)}|{Settings(r)}",
                () => new RateLimitBuckets(r.Requests, r.UnitSeconds))));
            steps.Add(new LocalRateLimitStep(policy.Policy, rules));
        }
        if (policy.GlobalRateLimit is { Rules.Count: > 0 } global)
            steps.Add(new RateLimit.Global.GlobalRateLimitStep(share?.Gateway ?? "", policy.Policy, ruleName, global.Rules, share?.GlobalRateLimit));
        if (policy.CircuitBreaker is { } breaker)
        {
            var allowance = CircuitBreakerStep.Limit(breaker);
            var requests = State(share, $"circuit|{policy.Policy}|{ruleName}|{allowance}", () => new CircuitBreakerGate(allowance));
            // Retries in flight are counted whatever the limits (a reload that changes them keeps the count).
            var retries = State(share, $"circuit-retries|{policy.Policy}|{ruleName}", () => new CircuitBreakerGate(breaker.MaxParallelRetries));
            steps.Add(new CircuitBreakerStep(breaker, requests, new RetryLimit(breaker, retries, requests)));
        }
    }

    /// <summary>
    /// The rule's balancer per target (null for a target without endpoints), with the passive health of every endpoint
    /// found again in the <see cref="StateStore"/> by policy, backend, endpoint and settings; adds the plan's step.
    /// </summary>
    public static EndpointBalancer?[] Balancers(BackendTrafficPolicyIr policy, PlanTarget[] targets, CompileShare? share, List<PipelineStep> steps)
    {
        var lb = policy.LoadBalancer ?? new LoadBalancerIr();
        var passive = policy.PassiveHealth;
        var balancers = new EndpointBalancer?[targets.Length];
        for (var t = 0; t < targets.Length; t++)
        {
            if (targets[t].Backend is not { HasEndpoints: true } backend) continue;
            EndpointHealth[]? health = passive is null ? null : [.. backend.Prefixes.Select(prefix =>
                State(share, $"outlier|{policy.Policy}|{backend.Id}|{prefix}|{passive}", () => new EndpointHealth()))];
            // One checker per policy settings and backend endpoints, shared by every rule the policy reaches; a reload
            // that changes neither keeps its state and its probes running.
            var active = policy.ActiveHealth is not { } ahc ? null : State(share,
                $"active-health|{policy.Policy}|{backend.Id}|{string.Join(",", backend.Prefixes)}|{ActiveHealthChecker.Describe(ahc, policy.PanicThreshold ?? 50)}|{ahc.GetHashCode()}",
                () => new ActiveHealthChecker(ahc, policy.PanicThreshold ?? 50, backend));
            if (active is not null) backend.Stats.Active = active;
            var slowStart = lb.SlowStartWindow is null ? null : State(share, $"slowstart|{policy.Policy}|{backend.Id}", () => new SlowStartClock());
            balancers[t] = new EndpointBalancer(lb, passive, backend, health, active, slowStart);
        }
        steps.Add(new LoadBalancerStep(lb, passive, EndpointBalancer.Describe(lb, passive, policy.ActiveHealth, policy.PanicThreshold ?? 50)));
        return balancers;
    }

    private static T State<T>(CompileShare? share, string key, Func<T> create) where T : class =>
        share is null ? create() : share.PolicyState(key, create);

    /// <summary>What defines a rule's buckets: its limit and conditions (a changed rule starts with full buckets).</summary>
    private static string Settings(RateLimitRuleIr r) =>
        $"{r.Requests}/{r.UnitSeconds}|" + string.Join(";", r.Conditions.Select(c => $"{c.Kind}:{c.Match}:{c.Name}:{c.Invert}:{string.Join(",", c.Values)}"));
}
