using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Http;

/// <summary>A rule with its filters, backends and policies resolved at apply time.</summary>
internal sealed class CompiledRule
{
    /// <param name="share">Where rules of the same compile share identical fast-path targets (null: own copies).</param>
    public CompiledRule(HttpRuleIr ir, Func<string?, BackendRuntime?> backends, CompileShare? share = null)
    {
        Ir = ir;
        Name = ir.Name;
        RequestEdits = HeaderEdits.Create(ir.Filters.Where(f => f.RequestHeaders is not null).Select(f => f.RequestHeaders!));
        ResponseEdits = HeaderEdits.Create(ir.Filters.Where(f => f.ResponseHeaders is not null).Select(f => f.ResponseHeaders!));
        Rewrite = ir.Filters.LastOrDefault(f => f.UrlRewrite is not null)?.UrlRewrite;
        Redirect = ir.Redirect ?? ir.Filters.FirstOrDefault(f => f.Redirect is not null)?.Redirect;
        var cors = ir.Filters.FirstOrDefault(f => f.Cors is not null)?.Cors;
        Cors = cors is null ? null : new CorsPolicy(cors);
        Mirrors = [.. ir.Filters.Where(f => f.Mirror is not null)
            .Select(f => new MirrorTarget(backends(f.Mirror!.BackendId), f.Mirror.Numerator, Math.Max(1, f.Mirror.Denominator)))
            .Where(m => m.Backend is not null && m.Numerator > 0)];
        var targets = new List<Target>();
        var cumulative = 0;
        foreach (var b in ir.Backends)
        {
            if (b.Weight <= 0) continue;
            cumulative += b.Weight;
            targets.Add(new Target(b.BackendId is null ? null : backends(b.BackendId), cumulative, b));
        }
        Targets = [.. targets];
        TotalWeight = cumulative;
        Session = ir.SessionPersistence is { } sp ? new SessionAffinity(sp, Targets) : null;
        if (ir.Retry is { } retry)
        {
            RetryAttempts = Math.Max(0, retry.Attempts);
            RetryCodes = [.. retry.Codes];
            RetryBackoff = retry.Backoff ?? TimeSpan.Zero;
        }
        var fast = FastPath.FastTarget.Compile(this);
        FastTargets = share is null ? fast : share.FastTargets(fast);
    }

    /// <summary>
    /// Per target (same index as <see cref="Targets"/>), what the HTTP/1.1 fast path needs to relay it; null when the
    /// rule needs the full pipeline.
    /// </summary>
    public FastPath.FastTarget[]? FastTargets { get; }

    public HttpRuleIr Ir { get; }
    public string Name { get; }
    public HeaderEdits? RequestEdits { get; }
    public HeaderEdits? ResponseEdits { get; }
    public UrlRewriteIr? Rewrite { get; }
    public RedirectIr? Redirect { get; }
    public CorsPolicy? Cors { get; }
    public MirrorTarget[] Mirrors { get; }
    public Target[] Targets { get; }
    public SessionAffinity? Session { get; }
    public int TotalWeight { get; }
    public TimeSpan? RequestTimeout => Ir.RequestTimeout;
    public TimeSpan? BackendRequestTimeout => Ir.BackendRequestTimeout;

    /// <summary>Retries after the first attempt (0: none).</summary>
    public int RetryAttempts { get; }
    public int[] RetryCodes { get; } = [];
    public TimeSpan RetryBackoff { get; }

    /// <summary>Weighted choice; null when the rule has no positive weight.</summary>
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

    public bool IsRetryStatus(int status) => Array.IndexOf(RetryCodes, status) >= 0;
}

/// <summary>One weighted backendRef: <see cref="Backend"/> null means an invalid reference (its share answers 500).</summary>
internal sealed class Target
{
    public Target(BackendRuntime? backend, int cumulativeWeight, WeightedBackendIr ir)
    {
        Backend = backend;
        CumulativeWeight = cumulativeWeight;
        RequestEdits = HeaderEdits.Create(ir.Filters.Where(f => f.RequestHeaders is not null).Select(f => f.RequestHeaders!));
        ResponseEdits = HeaderEdits.Create(ir.Filters.Where(f => f.ResponseHeaders is not null).Select(f => f.ResponseHeaders!));
        Rewrite = ir.Filters.LastOrDefault(f => f.UrlRewrite is not null)?.UrlRewrite;
        Redirect = ir.Filters.FirstOrDefault(f => f.Redirect is not null)?.Redirect;
    }

    public BackendRuntime? Backend { get; }
    public int CumulativeWeight { get; }
    public HeaderEdits? RequestEdits { get; }
    public HeaderEdits? ResponseEdits { get; }
    public UrlRewriteIr? Rewrite { get; }
    public RedirectIr? Redirect { get; }
}

internal sealed record MirrorTarget(BackendRuntime? Backend, int Numerator, int Denominator);
