using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Compile;

/// <summary>
/// A rule with its filters, backends and policies resolved at apply time, and its <see cref="Plan"/>: the steps every
/// transport runs for it. The Kestrel pipeline reads the upstream settings (mirrors, timeouts, retries, session
/// persistence) from here; the plan says which transports may serve the rule at all.
/// </summary>
internal sealed class CompiledRule
{
    /// <param name="share">Where rules of the same compile share identical target lists (null: own copies).</param>
    public CompiledRule(HttpRuleIr ir, Func<string?, BackendRuntime?> backends, CompileShare? share = null)
    {
        Ir = ir;
        Name = ir.Name;
        EnvoyExpectedTimeout = Policies.ClientTraffic.EnvoyHeaders.ExpectedTimeout(ir);
        var requestEdits = HeaderEdits.ForRequest(ir.Filters);
        var responseEdits = HeaderEdits.Create(ir.Filters.Where(f => f.ResponseHeaders is not null).Select(f => f.ResponseHeaders!));
        Rewrite = UrlRewriteStep.Merge(ir.Filters.Select(f => f.UrlRewrite));
        Redirect = ir.Redirect ?? ir.Filters.FirstOrDefault(f => f.Redirect is not null)?.Redirect;
        // The route's CORS filter, else its SecurityPolicy's cors: one implementation for both.
        var cors = ir.Filters.FirstOrDefault(f => f.Cors is not null)?.Cors ?? ir.Security?.Cors;
        var corsPolicy = cors is null ? null : new CorsPolicy(cors);
        Mirrors = [.. ir.Filters.Where(f => f.Mirror is not null)
            .Select(f => new MirrorTarget(backends(f.Mirror!.BackendId), f.Mirror.Numerator, Math.Max(1, f.Mirror.Denominator)))
            .Where(m => m.Backend is not null && m.Numerator > 0)];
        UseClientProtocol = ir.BackendTraffic?.UseClientProtocol == true;
        Upgrades = Policies.HttpUpgrade.HttpUpgradePolicy.For(ir.BackendTraffic);
        if (ir.Retry is { } retry)
        {
            RetryAttempts = Math.Max(0, retry.Attempts);
            RetryCodes = [.. retry.Codes];
            RetryBackoff = retry.Backoff ?? TimeSpan.Zero;
            RetryBackoffMax = retry.MaxBackoff;
            RetryOnFailures = retry.OnFailures;
            RetryGrpcCodes = [.. retry.GrpcCodes];
        }

        // The rule's steps, in the order they are written; StepOrder sorts them into the pipeline's order.
        var steps = new List<PipelineStep>();
        if (corsPolicy is not null) steps.Add(new CorsPreflightStep(corsPolicy));
        if (Redirect is not null) steps.Add(new RedirectStep(Redirect));
        if (ir.DirectResponseStatus is { } status) steps.Add(ir.Grpc && status == 500 ? DirectResponseStep.GrpcUnavailable() : new DirectResponseStep(status));
        else if (ir.Filters.FirstOrDefault(f => f.DirectResponse is not null)?.DirectResponse is { } dr)
            steps.Add(new DirectResponseStep(dr.Status, dr.Body, dr.ContentType));
        var requestStep = requestEdits is null ? null : new RequestHeadersStep(requestEdits, "rule");
        if (requestStep is not null) steps.Add(requestStep);
        if (Rewrite is not null) steps.Add(new UrlRewriteStep(Rewrite));
        foreach (var m in Mirrors) steps.Add(new MirrorStep(m));
        if (ir.RequestTimeout is not null || ir.BackendRequestTimeout is not null) steps.Add(new TimeoutStep(ir.RequestTimeout, ir.BackendRequestTimeout));
        if (ir.Retry is not null) steps.Add(new RetryStep(this));
        if (ir.SessionPersistence is { } sp) steps.Add(new SessionPersistenceStep(sp));
        var kept = new List<(string, object)>();
        if (ir.BackendTraffic is not null || ir.Security is not null)
        {
            if (share is not null) share.PolicyStateMade = (key, value) => kept.Add((key, value));
            if (ir.BackendTraffic is { } policy) Policies.BackendTrafficSteps.Add(policy, ir.Name, share, steps);
            if (ir.Security is { } security) Policies.SecuritySteps.Add(security, share, steps, backends);
            if (share is not null) share.PolicyStateMade = null;
            RequestBuffer = steps.OfType<Policies.RequestBuffer.RequestBufferStep>().FirstOrDefault();
            Compression = steps.OfType<Policies.Compression.CompressionStep>().FirstOrDefault();
            Bandwidth = steps.OfType<Policies.Bandwidth.BandwidthLimitStep>().FirstOrDefault();
            ResponseOverride = steps.OfType<Policies.ResponseOverride.ResponseOverrideStep>().FirstOrDefault();
            if (RetryAttempts > 0) RetryLimit = steps.OfType<CircuitBreakerStep>().FirstOrDefault()?.Retries;
        }
        var responseStep = responseEdits is null ? null : new ResponseHeadersStep(responseEdits, "rule");
        if (responseStep is not null) steps.Add(responseStep);
        var corsResponse = corsPolicy is null ? null : new CorsResponseStep(corsPolicy);
        if (corsResponse is not null) steps.Add(corsResponse);

        var parts = new CompiledRuleParts(requestStep is null ? [] : [requestStep], responseStep is null ? [] : [responseStep],
            corsResponse is null ? [] : [corsResponse], Rewrite);
        var targets = new List<PlanTarget>();
        var cumulative = 0;
        foreach (var b in ir.Backends)
        {
            if (b.Weight <= 0) continue;
            cumulative += b.Weight;
            targets.Add(new PlanTarget(b.BackendId is null ? null : backends(b.BackendId), cumulative, b, parts));
        }
        PlanTarget[] planTargets = [.. targets];
        if (share is not null) planTargets = share.Targets(planTargets);
        Session = ir.SessionPersistence is { } persistence ? new SessionAffinity(persistence, planTargets) : null;
        EndpointBalancer?[]? balancers = null;
        if (ir.BackendTraffic is { } traffic && (traffic.LoadBalancer is not null || traffic.PassiveHealth is not null || traffic.ActiveHealth is not null))
        {
            if (share is not null) share.PolicyStateMade = (key, value) => kept.Add((key, value));
            balancers = Policies.BackendTrafficSteps.Balancers(traffic, planTargets, share, steps);
            if (share is not null) share.PolicyStateMade = null;
        }
        PolicyState = [.. kept];
        Plan = new RoutePlan(ir.Name, [.. steps], planTargets, cumulative, [.. parts.ResponseHeaders, .. parts.CorsResponse], balancers) { Grpc = ir.Grpc };
    }

    /// <summary>The steps every transport runs for this rule, and the transports that may.</summary>
    public RoutePlan Plan { get; }

    public HttpRuleIr Ir { get; }
    public string Name { get; }
    public UrlRewriteIr? Rewrite { get; }
    public RedirectIr? Redirect { get; }
    public MirrorTarget[] Mirrors { get; }
    public PlanTarget[] Targets => Plan.Targets;
    public SessionAffinity? Session { get; }
    public TimeSpan? RequestTimeout => Ir.RequestTimeout;
    public TimeSpan? BackendRequestTimeout => Ir.BackendRequestTimeout;

    /// <summary>The <c>x-envoy-expected-rq-timeout-ms</c> value sent when the listener enables Envoy's headers; null: no timeout.</summary>
    public HeaderText? EnvoyExpectedTimeout { get; }

    /// <summary>Retries after the first attempt (0: none).</summary>
    public int RetryAttempts { get; }
    public int[] RetryCodes { get; } = [];
    public TimeSpan RetryBackoff { get; }

    /// <summary>BackendTrafficPolicy <c>useClientProtocol</c> (<see cref="UseClientProtocolStep"/>).</summary>
    public bool UseClientProtocol { get; }

    /// <summary>Set: back-off doubles per retry up to this (BackendTrafficPolicy); null: every retry waits <see cref="RetryBackoff"/>.</summary>
    public TimeSpan? RetryBackoffMax { get; }

    /// <summary>How long retry <paramref name="retry"/> (1 = the first) waits before it starts.</summary>
    public TimeSpan RetryBackoffFor(int retry)
    {
        if (RetryBackoffMax is not { } max || retry <= 1 || RetryBackoff <= TimeSpan.Zero) return RetryBackoff;
        var factor = Math.Pow(2, Math.Min(retry - 1, 30));
        var ticks = RetryBackoff.Ticks * factor;
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>State of the rule's policy steps in the <see cref="StateStore"/> (full keys), kept while the rule serves.</summary>
    public (string Key, object Value)[] PolicyState { get; } = [];

    /// <summary>The policy's request buffering, which the Kestrel pipeline carries out before the plan; or null.</summary>
    public Policies.RequestBuffer.RequestBufferStep? RequestBuffer { get; }

    /// <summary>The policy's response compression (Kestrel pipeline, in <see cref="ProxyTransformer"/>), or null.</summary>
    public Policies.Compression.CompressionStep? Compression { get; }

    /// <summary>A BackendTrafficPolicy's <c>bandwidthLimit</c>: the body streams the Kestrel pipeline paces (null: unlimited).</summary>
    public Policies.Bandwidth.BandwidthLimitStep? Bandwidth { get; }

    /// <summary>The protocol upgrades this rule forwards (websocket unless a BackendTrafficPolicy says otherwise).</summary>
    public Policies.HttpUpgrade.HttpUpgradePolicy Upgrades { get; }

    /// <summary>
    /// The policy's bound on retries in flight (circuit breaker <c>maxParallelRetries</c>/<c>retryBudget</c>), which every
    /// retrying transport asks through <see cref="UpstreamDecision.AdmitRetry"/>; null when the rule does not retry or
    /// has no circuit breaker.
    /// </summary>
    public RetryLimit? RetryLimit { get; }

    /// <summary>The policy's response overrides (applied by the reply writers and the proxy transformer), or null.</summary>
    public Policies.ResponseOverride.ResponseOverrideStep? ResponseOverride { get; }

    public int PickTarget() => Plan.PickTarget();

    public bool IsRetryStatus(int status) => Array.IndexOf(RetryCodes, status) >= 0;

    /// <summary>BackendTrafficPolicy: the failures retried by kind; null: HTTPRoute semantics (see <see cref="UpstreamDecision.RetryFailure"/>).</summary>
    public RetryFailures? RetryOnFailures { get; }

    /// <summary>gRPC statuses of trailers-only answers that are retried.</summary>
    public int[] RetryGrpcCodes { get; } = [];
}

internal sealed record MirrorTarget(BackendRuntime? Backend, int Numerator, int Denominator);
