using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// One weighted backendRef of a rule, with what happens on the way: the rule's and then the backendRef's request
/// header steps, the backend (null means an invalid reference: its share answers 500), and the response steps (the
/// rule's, the backendRef's, then CORS). Built at apply time, immutable.
/// </summary>
internal sealed class PlanTarget
{
    public PlanTarget(BackendRuntime? backend, int cumulativeWeight, WeightedBackendIr ir, CompiledRuleParts rule)
    {
        Backend = backend;
        CumulativeWeight = cumulativeWeight;
        var requestEdits = HeaderEdits.ForRequest(ir.Filters);
        var responseEdits = HeaderEdits.Create(ir.Filters.Where(f => f.ResponseHeaders is not null).Select(f => f.ResponseHeaders!));
        var own = UrlRewriteStep.Merge(ir.Filters.Select(f => f.UrlRewrite));
        var merged = UrlRewriteStep.Merge([rule.Rewrite, own]);
        UrlRewrite = merged is null ? null : new UrlRewriteStep(merged, backend?.Ir.Hostname);
        Redirect = ir.Filters.FirstOrDefault(f => f.Redirect is not null)?.Redirect;

        var steps = new List<PipelineStep>();
        if (requestEdits is not null) steps.Add(new RequestHeadersStep(requestEdits, "backendRef"));
        if (own is not null) steps.Add(new UrlRewriteStep(own, backend?.Ir.Hostname));
        if (Redirect is not null) steps.Add(new RedirectStep(Redirect));
        else steps.Add(new ForwardStep(backend));
        if (responseEdits is not null) steps.Add(new ResponseHeadersStep(responseEdits, "backendRef"));
        Steps = StepOrder.Sort(steps);

        RequestSteps = [.. rule.RequestHeaders, .. steps.OfType<RequestHeadersStep>()];
        ResponseSteps = [.. rule.ResponseHeaders, .. steps.OfType<ResponseHeadersStep>(), .. rule.CorsResponse];
        RedirectStep = steps.OfType<RedirectStep>().FirstOrDefault();
        var transports = TransportSet.All;
        foreach (var s in Steps) transports &= s.Transports;
        Transports = transports;
    }

    public BackendRuntime? Backend { get; }
    public int CumulativeWeight { get; }
    /// <summary>The rule's and then the backendRef's URL rewrites, merged and compiled for this backend; called by every transport.</summary>
    public UrlRewriteStep? UrlRewrite { get; }
    public RedirectIr? Redirect { get; }

    /// <summary>The backendRef's own steps, in pipeline order (for the printed plan).</summary>
    public PipelineStep[] Steps { get; }

    /// <summary>Request header edits: the rule's, then the backendRef's.</summary>
    public RequestHeadersStep[] RequestSteps { get; }

    /// <summary>Response steps: the rule's header edits, the backendRef's, then CORS.</summary>
    public ResponseStep[] ResponseSteps { get; }

    /// <summary>A backendRef-level RequestRedirect, answered instead of forwarding.</summary>
    public RedirectStep? RedirectStep { get; }

    /// <summary>Where this target's own steps may run.</summary>
    public TransportSet Transports { get; }

    /// <summary>Runs the request header steps on <paramref name="headers"/>, then what the policy steps decided for this request.</summary>
    public void ApplyRequestSteps<TEditor>(ref TEditor headers, RequestPolicyState? policy) where TEditor : struct, IHeaderEditor
    {
        foreach (var s in RequestSteps) s.Edits.Apply(ref headers);
        policy?.ApplyRequestEdits(ref headers);
    }

    /// <summary>Runs the response steps on <paramref name="response"/>.</summary>
    public void ApplyResponseSteps<TRequest, TEditor>(in TRequest request, ref TEditor response)
        where TRequest : struct, IRequestView
        where TEditor : struct, IHeaderEditor
    {
        foreach (var s in ResponseSteps) s.Apply(request, ref response);
    }
}

/// <summary>The rule-level steps a <see cref="PlanTarget"/> combines with its own.</summary>
internal sealed record CompiledRuleParts(RequestHeadersStep[] RequestHeaders, ResponseHeadersStep[] ResponseHeaders, ResponseStep[] CorsResponse,
    UrlRewriteIr? Rewrite = null);
