using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>URLRewrite (hostname, path). Implemented by the Kestrel pipeline's transformer only, for now.</summary>
internal sealed class UrlRewriteStep : PipelineStep
{
    private readonly UrlRewriteIr _rewrite;

    public UrlRewriteStep(UrlRewriteIr rewrite) => _rewrite = rewrite;

    public override StepStage Stage => StepStage.RouteFilters;

    public override TransportSet Transports => TransportSet.Kestrel;

    public override string Describe() =>
        $"url-rewrite{(_rewrite.Hostname is { } h ? " host=" + h : "")}{(_rewrite.Path is { } p ? $" path {p.Kind}={p.Value}" : "")}";
}

/// <summary>RequestMirror: a copy of the request (body included up to a limit) to another backend; the answer is ignored.</summary>
internal sealed class MirrorStep : PipelineStep
{
    private readonly MirrorTarget _mirror;

    public MirrorStep(MirrorTarget mirror) => _mirror = mirror;

    public override StepStage Stage => StepStage.RouteFilters;

    /// <summary>Kestrel only: the mirror needs the body buffered and a second upstream request.</summary>
    public override TransportSet Transports => TransportSet.Kestrel;

    public override string Describe() => $"mirror {_mirror.Backend?.Id ?? "-"} {_mirror.Numerator}/{_mirror.Denominator}";
}
