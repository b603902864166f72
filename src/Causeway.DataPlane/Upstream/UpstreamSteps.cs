namespace Causeway.DataPlane.Upstream;

/// <summary>
/// Forwarding to one weighted backendRef. The byte transports speak cleartext HTTP/1.1 to a backend only; an invalid
/// reference (no backend: 500) is answered by any transport.
/// </summary>
internal sealed class ForwardStep : PipelineStep
{
    private readonly BackendRuntime? _backend;

    public ForwardStep(BackendRuntime? backend)
    {
        _backend = backend;
        Transports = backend is null || backend.FastEndpoints is not null ? TransportSet.All : TransportSet.Kestrel;
    }

    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports { get; }

    public override string Describe() => _backend is null ? "forward (invalid backendRef: 500)"
        : $"forward {_backend.Id} ({_backend.Ir.Protocol}{(_backend.Ir.Tls is null ? "" : ", tls")}"
            + (_backend.Ir.Connection?.MaxRequestsPerConnection is { } perConnection ? $", requests per connection<={perConnection}" : "") + ")";
}

/// <summary>
/// HTTPRoute (or BackendTrafficPolicy) timeouts: the whole request, and each attempt at the backend. The Kestrel
/// pipeline and the event loop (which arms its deadlines with them) enforce them; the relay streams bodies and hands
/// these routes on.
/// </summary>
internal sealed class TimeoutStep : PipelineStep
{
    private readonly TimeSpan? _request;
    private readonly TimeSpan? _backendRequest;

    public TimeoutStep(TimeSpan? request, TimeSpan? backendRequest)
    {
        _request = request;
        _backendRequest = backendRequest;
    }

    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports => TransportSet.EventLoop | TransportSet.Kestrel;

    public override string Describe() => $"timeouts request={_request?.ToString() ?? "-"} backendRequest={_backendRequest?.ToString() ?? "-"}";
}

/// <summary>
/// HTTPRoute (or BackendTrafficPolicy) retry: attempts, status codes, backoff. The Kestrel pipeline and the event loop
/// (whose requests are buffered whole, so any can go again) retry through <see cref="UpstreamDecision"/>.
/// </summary>
internal sealed class RetryStep : PipelineStep
{
    private readonly CompiledRule _rule;

    public RetryStep(CompiledRule rule) => _rule = rule;

    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports => TransportSet.EventLoop | TransportSet.Kestrel;

    public override string Describe() =>
        $"retry attempts={_rule.RetryAttempts} codes=[{string.Join(",", _rule.RetryCodes)}] backoff={_rule.RetryBackoff}" + (_rule.RetryBackoffMax is { } max ? $" doubling to {max}" : "");
}

/// <summary>Session persistence (cookie or header). Kestrel pipeline only, for now.</summary>
internal sealed class SessionPersistenceStep : PipelineStep
{
    private readonly string _describe;

    public SessionPersistenceStep(Translation.Ir.SessionPersistenceIr ir) => _describe = $"session-persistence {ir.Type} {ir.SessionName}";

    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports => TransportSet.Kestrel;

    public override string Describe() => _describe;
}
